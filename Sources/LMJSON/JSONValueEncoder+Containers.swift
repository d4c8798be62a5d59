/// The `Encoder` and its three containers, writing into `EncodingNode`s.
struct ValueEncoder: Encoder {
    let node: EncodingNode
    let codingPath: [CodingKey]
    let userInfo: [CodingUserInfoKey: Any]

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject(codingPath)
        return KeyedEncodingContainer(KeyedNodeContainer<Key>(node: node, codingPath: codingPath, userInfo: userInfo))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        node.makeArray(codingPath)
        return UnkeyedNodeContainer(node: node, codingPath: codingPath, userInfo: userInfo)
    }

    func singleValueContainer() -> SingleValueEncodingContainer {
        SingleNodeContainer(node: node, codingPath: codingPath, userInfo: userInfo)
    }
}

struct SingleNodeContainer: SingleValueEncodingContainer {
    let node: EncodingNode
    let codingPath: [CodingKey]
    let userInfo: [CodingUserInfoKey: Any]

    mutating func encodeNil() throws { node.set(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try encodeValue(value, into: node, path: codingPath, userInfo: userInfo)
    }
}

struct KeyedNodeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode
    let codingPath: [CodingKey]
    let userInfo: [CodingUserInfoKey: Any]

    mutating func encodeNil(forKey key: Key) throws { node.member(key.stringValue).set(.null) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try encodeValue(value, into: node.member(key.stringValue), path: codingPath + [key], userInfo: userInfo)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        ValueEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key], userInfo: userInfo)
            .container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        ValueEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key], userInfo: userInfo)
            .unkeyedContainer()
    }

    mutating func superEncoder() -> Encoder {
        ValueEncoder(node: node.member(AnySuperKey.super.stringValue), codingPath: codingPath + [AnySuperKey.super],
                     userInfo: userInfo)
    }

    mutating func superEncoder(forKey key: Key) -> Encoder {
        ValueEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key], userInfo: userInfo)
    }
}

struct UnkeyedNodeContainer: UnkeyedEncodingContainer {
    let node: EncodingNode
    let codingPath: [CodingKey]
    let userInfo: [CodingUserInfoKey: Any]
    var count: Int { node.items.count }

    func append() -> (EncodingNode, [CodingKey]) {
        let child = EncodingNode()
        let path = codingPath + [IndexKey(node.items.count)]
        node.items.append(child)
        return (child, path)
    }

    mutating func encodeNil() throws { append().0.set(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let (child, path) = append()
        try encodeValue(value, into: child, path: path, userInfo: userInfo)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        let (child, path) = append()
        return ValueEncoder(node: child, codingPath: path, userInfo: userInfo).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        let (child, path) = append()
        return ValueEncoder(node: child, codingPath: path, userInfo: userInfo).unkeyedContainer()
    }

    mutating func superEncoder() -> Encoder {
        let (child, path) = append()
        return ValueEncoder(node: child, codingPath: path, userInfo: userInfo)
    }
}
