/// Encodes `Encodable` values into a `JSONValue`, keeping object keys in the
/// order the type encoded them (declaration order for synthesized
/// conformances), so manifests read top to bottom as their structs do.
///
/// Encoding the same key twice replaces the value at the key's first
/// position, as `JSONEncoder` does; `nil` optionals encoded with
/// `encodeIfPresent` (the synthesized default) are left out. A `Float` is
/// widened through its shortest decimal form, so `0.1 as Float` becomes
/// `0.1`, not `0.10000000149011612`.
public struct JSONValueEncoder {
    /// Passed through to `Encoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: Any]

    /// Creates an encoder.
    public init(userInfo: [CodingUserInfoKey: Any] = [:]) {
        self.userInfo = userInfo
    }

    /// Encodes `value` into a `JSONValue`.
    ///
    /// - Throws: `EncodingError.invalidValue` for a `UInt64`/`UInt` above
    ///   `Int64.max` (not representable as `.int`), or what `encode(to:)` throws.
    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let node = EncodingNode()
        try encodeValue(value, into: node, path: [], userInfo: userInfo)
        return node.value()
    }

    /// Encodes `value` straight to JSON bytes in the given style.
    public func encodeJSON<T: Encodable>(_ value: T, style: JSONWriter.Style = .compact) throws -> [UInt8] {
        try encode(value).serializedBytes(style: style)
    }
}

/// One value under construction. Containers hold references to their
/// children so nested containers can keep writing after they are handed out.
final class EncodingNode {
    enum Shape { case empty, scalar, array, object }
    var shape = Shape.empty
    var scalar = JSONValue.null
    var items: [EncodingNode] = []
    var keys: [String] = []
    var members: [String: EncodingNode] = [:]

    func makeObject(_ path: [CodingKey]) {
        precondition(shape == .empty || shape == .object,
                     "\(JSONDecodeError.render(path)): a keyed container requested after encoding another shape")
        shape = .object
    }

    func makeArray(_ path: [CodingKey]) {
        precondition(shape == .empty || shape == .array,
                     "\(JSONDecodeError.render(path)): an unkeyed container requested after encoding another shape")
        shape = .array
    }

    func set(_ v: JSONValue) {
        shape = .scalar
        scalar = v
        items = []
        keys = []
        members = [:]
    }

    /// The member for `key`, created at the end if new, emptied if reused.
    func member(_ key: String) -> EncodingNode {
        if let existing = members[key] {
            existing.shape = .empty
            existing.items = []
            existing.keys = []
            existing.members = [:]
            return existing
        }
        let n = EncodingNode()
        keys.append(key)
        members[key] = n
        return n
    }

    func value() -> JSONValue {
        switch shape {
        case .scalar: return scalar
        case .array: return .array(items.map { $0.value() })
        case .object, .empty:
            // A value that encoded nothing becomes `{}`, as with JSONEncoder.
            var o = JSONObject()
            o.entries.reserveCapacity(keys.count)
            for k in keys {
                if let m = members[k] { o.entries.append((k, m.value())) }
            }
            return .object(o)
        }
    }
}

/// Stores primitives directly and runs `encode(to:)` for everything else.
func encodeValue<T: Encodable>(_ value: T, into node: EncodingNode, path: [CodingKey],
                               userInfo: [CodingUserInfoKey: Any]) throws {
    switch value {
    case let v as JSONValue: node.set(v)
    case let v as String: node.set(.string(v))
    case let v as Bool: node.set(.bool(v))
    case let v as Double: node.set(.double(v))
    case let v as Float: node.set(.double(v.isFinite ? Double("\(v)") ?? Double(v) : Double(v)))
    case let v as Int: node.set(.int(Int64(v)))
    case let v as Int8: node.set(.int(Int64(v)))
    case let v as Int16: node.set(.int(Int64(v)))
    case let v as Int32: node.set(.int(Int64(v)))
    case let v as Int64: node.set(.int(v))
    case let v as UInt8: node.set(.int(Int64(v)))
    case let v as UInt16: node.set(.int(Int64(v)))
    case let v as UInt32: node.set(.int(Int64(v)))
    case let v as UInt: try node.set(.int(exactInt64(v, path)))
    case let v as UInt64: try node.set(.int(exactInt64(v, path)))
    default:
        try value.encode(to: ValueEncoder(node: node, codingPath: path, userInfo: userInfo))
    }
}

func exactInt64<I: BinaryInteger>(_ v: I, _ path: [CodingKey]) throws -> Int64 {
    guard let i = Int64(exactly: v) else {
        throw EncodingError.invalidValue(
            v, .init(codingPath: path, debugDescription: "\(v) does not fit a JSON integer (Int64)"))
    }
    return i
}
