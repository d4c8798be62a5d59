/// The `Decoder` and its three containers over a `JSONValue`.
struct ValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [CodingKey]
    let options: DecoderOptions
    let registry: KeyRegistry
    var userInfo: [CodingUserInfoKey: Any] { options.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let o) = value else { throw typeError("an object", value, codingPath) }
        let usage = KeyUsage(object: o, path: codingPath)
        registry.usages.append(usage)
        return KeyedDecodingContainer(
            KeyedValueContainer<Key>(object: o, codingPath: codingPath, options: options, registry: registry, usage: usage))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case .array(let a) = value else { throw typeError("an array", value, codingPath) }
        return UnkeyedValueContainer(items: a, codingPath: codingPath, options: options, registry: registry)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer {
        SingleValueContainer(value: value, codingPath: codingPath, options: options)
    }
}

struct SingleValueContainer: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [CodingKey]
    let options: DecoderOptions

    func decodeNil() -> Bool { value == .null }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try unbox(value, as: type, path: codingPath, options: options)
    }
}

struct KeyedValueContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject
    let codingPath: [CodingKey]
    let options: DecoderOptions
    let registry: KeyRegistry
    let usage: KeyUsage
    /// Key -> entry index for large objects (dictionaries with thousands of
    /// keys), where a linear scan per key would be quadratic.
    let index: [String: Int]?

    init(object: JSONObject, codingPath: [CodingKey], options: DecoderOptions, registry: KeyRegistry, usage: KeyUsage) {
        self.object = object
        self.codingPath = codingPath
        self.options = options
        self.registry = registry
        self.usage = usage
        if object.count > 16 {
            var idx = [String: Int](minimumCapacity: object.count)
            for (i, e) in object.entries.enumerated() where idx[e.key] == nil { idx[e.key] = i }
            index = idx
        } else {
            index = nil
        }
    }

    var allKeys: [Key] {
        usage.all = true
        return object.entries.compactMap { Key(stringValue: $0.key) }
    }

    func lookup(_ key: Key) -> JSONValue? {
        usage.used.insert(key.stringValue)
        if let index {
            return index[key.stringValue].map { object.entries[$0].value }
        }
        return object[key.stringValue]
    }

    func require(_ key: Key) throws -> JSONValue {
        guard let v = lookup(key) else {
            throw JSONDecodeError(kind: .missingField, path: JSONDecodeError.render(codingPath + [key]),
                                  message: "missing required field")
        }
        return v
    }

    func contains(_ key: Key) -> Bool { lookup(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { try require(key) == .null }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try unbox(try require(key), as: type, path: codingPath + [key], options: options)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let v = lookup(key), v != .null else { return nil }
        return try unbox(v, as: type, path: codingPath + [key], options: options)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try ValueDecoder(value: try require(key), codingPath: codingPath + [key], options: options, registry: registry)
            .container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        try ValueDecoder(value: try require(key), codingPath: codingPath + [key], options: options, registry: registry)
            .unkeyedContainer()
    }

    func superDecoder() throws -> Decoder {
        let key = AnySuperKey.super
        usage.used.insert(key.stringValue)
        return ValueDecoder(value: object[key.stringValue] ?? .null, codingPath: codingPath + [key],
                            options: options, registry: registry)
    }

    func superDecoder(forKey key: Key) throws -> Decoder {
        ValueDecoder(value: lookup(key) ?? .null, codingPath: codingPath + [key], options: options, registry: registry)
    }
}

/// The `super` key used by `superDecoder()`.
enum AnySuperKey: String, CodingKey { case `super` }

struct UnkeyedValueContainer: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let codingPath: [CodingKey]
    let options: DecoderOptions
    let registry: KeyRegistry
    var currentIndex = 0

    init(items: [JSONValue], codingPath: [CodingKey], options: DecoderOptions, registry: KeyRegistry) {
        self.items = items
        self.codingPath = codingPath
        self.options = options
        self.registry = registry
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    var elementPath: [CodingKey] { codingPath + [IndexKey(currentIndex)] }

    func current() throws -> JSONValue {
        guard currentIndex < items.count else {
            throw JSONDecodeError(kind: .missingField, path: JSONDecodeError.render(elementPath),
                                  message: "missing array element (the array has \(items.count))")
        }
        return items[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        if try current() == .null {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let v = try unbox(try current(), as: type, path: elementPath, options: options)
        currentIndex += 1
        return v
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let c = try ValueDecoder(value: try current(), codingPath: elementPath, options: options, registry: registry)
            .container(keyedBy: type)
        currentIndex += 1
        return c
    }

    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer {
        let c = try ValueDecoder(value: try current(), codingPath: elementPath, options: options, registry: registry)
            .unkeyedContainer()
        currentIndex += 1
        return c
    }

    mutating func superDecoder() throws -> Decoder {
        let d = ValueDecoder(value: try current(), codingPath: elementPath, options: options, registry: registry)
        currentIndex += 1
        return d
    }
}
