/// `Codable` for `JSONValue`, so a free-form JSON field (a manifest's
/// `extra`, a tokenizer component kept verbatim) can sit inside a `Codable`
/// struct and round-trip through any encoder or decoder.
///
/// Decoding tries the single-value forms in a fixed order (null, bool,
/// `Int64`, `Double`, `String`, array) and then falls back to a keyed
/// container; the order matters because some decoders accept `1` as a
/// `Double` too, and we want integers to stay `.int`.
extension JSONValue: Codable {
    /// A `CodingKey` for arbitrary object keys.
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int?
        init(stringValue: String) { self.stringValue = stringValue }
        init(intValue: Int) {
            self.stringValue = String(intValue)
            self.intValue = intValue
        }
    }

    /// Decodes whichever JSON shape the decoder holds at this position.
    public init(from decoder: Decoder) throws {
        if let single = try? decoder.singleValueContainer() {
            if single.decodeNil() { self = .null; return }
            if let b = try? single.decode(Bool.self) { self = .bool(b); return }
            if let i = try? single.decode(Int64.self) { self = .int(i); return }
            if let d = try? single.decode(Double.self) { self = .double(d); return }
            if let s = try? single.decode(String.self) { self = .string(s); return }
            if let a = try? single.decode([JSONValue].self) { self = .array(a); return }
        }
        let keyed: KeyedDecodingContainer<AnyKey>
        do {
            keyed = try decoder.container(keyedBy: AnyKey.self)
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath,
                      debugDescription: "expected a JSON value (null, bool, number, string, array or object)",
                      underlyingError: error))
        }
        var object = JSONObject()
        object.entries.reserveCapacity(keyed.allKeys.count)
        for key in keyed.allKeys {
            object.entries.append((key.stringValue, try keyed.decode(JSONValue.self, forKey: key)))
        }
        self = .object(object)
    }

    /// Encodes the value in the same shape it was decoded from; object keys
    /// are encoded in their stored order.
    public func encode(to encoder: Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .int(let i):
            var c = encoder.singleValueContainer()
            try c.encode(i)
        case .double(let d):
            var c = encoder.singleValueContainer()
            try c.encode(d)
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .array(let a):
            var c = encoder.unkeyedContainer()
            for v in a { try c.encode(v) }
        case .object(let o):
            var c = encoder.container(keyedBy: AnyKey.self)
            for (k, v) in o.entries { try c.encode(v, forKey: AnyKey(stringValue: k)) }
        }
    }
}
