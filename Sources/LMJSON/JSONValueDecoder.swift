/// Decodes `Decodable` types from a `JSONValue`, so configs are plain
/// `Codable` structs whether they come from JSON or from YAML converted to
/// `JSONValue`.
///
/// Errors name the full coding path (`fim_kwargs.fim_format: expected a
/// string, found 3`, `seq_len: missing required field`). With
/// `rejectUnknownKeys` (the default) a key the type never asked for is an
/// error (`unknown field 'seq_lenn' at fim_kwargs`), which catches typos in
/// configs that would otherwise silently fall back to defaults. A key counts
/// as asked for when it is read, probed with `contains`/`decodeIfPresent`,
/// or listed through `allKeys` (so dictionaries and `JSONValue` fields accept
/// anything).
///
/// Integers decode from `.int`, and from `.double` only when the value is
/// integral; both with range checks. Floating-point types accept both.
public struct JSONValueDecoder {
    /// Reject object keys that the decoded type never asked for.
    public var rejectUnknownKeys: Bool
    /// Passed through to `Decoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: Any]

    /// Creates a decoder; `rejectUnknownKeys` defaults to `true`.
    public init(rejectUnknownKeys: Bool = true, userInfo: [CodingUserInfoKey: Any] = [:]) {
        self.rejectUnknownKeys = rejectUnknownKeys
        self.userInfo = userInfo
    }

    /// Decodes `type` from `value`.
    ///
    /// - Throws: `JSONDecodeError` with the coding path. A `DecodingError`
    ///   thrown by a custom `init(from:)` is converted to one too.
    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        let options = DecoderOptions(rejectUnknownKeys: rejectUnknownKeys, userInfo: userInfo)
        do {
            return try unbox(value, as: type, path: [], options: options)
        } catch let e as DecodingError {
            throw Self.convert(e)
        }
    }

    /// Parses JSON bytes and decodes `type` from them.
    ///
    /// - Throws: `JSONParseError` or `JSONDecodeError`.
    public func decode<T: Decodable>(_ type: T.Type, fromJSON bytes: [UInt8]) throws -> T {
        try decode(type, from: try JSONParser.parse(bytes))
    }

    static func convert(_ e: DecodingError) -> JSONDecodeError {
        switch e {
        case .typeMismatch(_, let c):
            return JSONDecodeError(kind: .typeMismatch, path: JSONDecodeError.render(c.codingPath), message: c.debugDescription)
        case .valueNotFound(_, let c):
            return JSONDecodeError(kind: .missingField, path: JSONDecodeError.render(c.codingPath), message: c.debugDescription)
        case .keyNotFound(let k, let c):
            return JSONDecodeError(kind: .missingField, path: JSONDecodeError.render(c.codingPath + [k]),
                                   message: "missing required field")
        case .dataCorrupted(let c):
            return JSONDecodeError(kind: .invalidValue, path: JSONDecodeError.render(c.codingPath), message: c.debugDescription)
        @unknown default:
            return JSONDecodeError(kind: .invalidValue, path: "", message: "\(e)")
        }
    }
}

struct DecoderOptions {
    let rejectUnknownKeys: Bool
    let userInfo: [CodingUserInfoKey: Any]
}

/// Keys read from one object through one keyed container.
final class KeyUsage {
    let object: JSONObject
    let path: [CodingKey]
    var used: Set<String> = []
    var all = false
    init(object: JSONObject, path: [CodingKey]) {
        self.object = object
        self.path = path
    }
}

/// The keyed containers opened while decoding one value (including nested
/// containers and super-decoders), checked for unknown keys once the value's
/// `init(from:)` returns.
final class KeyRegistry {
    var usages: [KeyUsage] = []

    func check() throws {
        for u in usages where !u.all {
            for (key, _) in u.object.entries where !u.used.contains(key) {
                let at = JSONDecodeError.render(u.path)
                throw JSONDecodeError(kind: .unknownField, path: at,
                                      message: "unknown field '\(key)' at \(at.isEmpty ? "top level" : at)")
            }
        }
    }
}

func typeError(_ expected: String, _ value: JSONValue, _ path: [CodingKey]) -> JSONDecodeError {
    JSONDecodeError(kind: .typeMismatch, path: JSONDecodeError.render(path),
                    message: "expected \(expected), found \(JSONDecodeError.describe(value))")
}

/// Decodes one value: primitives directly (for precise messages), anything
/// else through `init(from:)` followed by the unknown-key check.
func unbox<T: Decodable>(_ value: JSONValue, as type: T.Type, path: [CodingKey], options: DecoderOptions) throws -> T {
    if T.self == JSONValue.self, let v = value as? T { return v }
    if let p = try unboxPrimitive(value, as: type, path: path) { return p }
    let registry = KeyRegistry()
    let decoder = ValueDecoder(value: value, codingPath: path, options: options, registry: registry)
    let result = try T(from: decoder)
    if options.rejectUnknownKeys { try registry.check() }
    return result
}

func unboxPrimitive<T>(_ value: JSONValue, as type: T.Type, path: [CodingKey]) throws -> T? {
    switch type {
    case is String.Type:
        guard case .string(let s) = value else { throw typeError("a string", value, path) }
        return s as? T
    case is Bool.Type:
        guard case .bool(let b) = value else { throw typeError("a boolean", value, path) }
        return b as? T
    case is Double.Type: return try unboxFloat(value, path) as Double as? T
    case is Float.Type:
        let d = try unboxFloat(value, path)
        let f = Float(d)
        if f.isInfinite && d.isFinite {
            throw JSONDecodeError(kind: .outOfRange, path: JSONDecodeError.render(path),
                                  message: "\(JSONDecodeError.describe(value)) is out of range for Float")
        }
        return f as? T
    case is Int.Type: return try unboxInteger(value, Int.self, path) as? T
    case is Int8.Type: return try unboxInteger(value, Int8.self, path) as? T
    case is Int16.Type: return try unboxInteger(value, Int16.self, path) as? T
    case is Int32.Type: return try unboxInteger(value, Int32.self, path) as? T
    case is Int64.Type: return try unboxInteger(value, Int64.self, path) as? T
    case is UInt.Type: return try unboxInteger(value, UInt.self, path) as? T
    case is UInt8.Type: return try unboxInteger(value, UInt8.self, path) as? T
    case is UInt16.Type: return try unboxInteger(value, UInt16.self, path) as? T
    case is UInt32.Type: return try unboxInteger(value, UInt32.self, path) as? T
    case is UInt64.Type: return try unboxInteger(value, UInt64.self, path) as? T
    default: return nil
    }
}

func unboxFloat(_ value: JSONValue, _ path: [CodingKey]) throws -> Double {
    switch value {
    case .double(let d): return d
    case .int(let i): return Double(i)
    default: throw typeError("a number", value, path)
    }
}

func unboxInteger<I: FixedWidthInteger>(_ value: JSONValue, _: I.Type, _ path: [CodingKey]) throws -> I {
    let outOfRange = JSONDecodeError(
        kind: .outOfRange, path: JSONDecodeError.render(path),
        message: "\(JSONDecodeError.describe(value)) is out of range for \(I.self) (\(I.min)...\(I.max))")
    switch value {
    case .int(let i):
        guard let v = I(exactly: i) else { throw outOfRange }
        return v
    case .double(let d) where d.isFinite && d.rounded(.towardZero) == d:
        guard let v = I(exactly: d) else { throw outOfRange }
        return v
    default:
        throw typeError("an integer", value, path)
    }
}
