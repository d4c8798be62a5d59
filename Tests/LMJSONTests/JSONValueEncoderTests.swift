import Testing

@testable import LMJSON

struct Manifest: Codable, Equatable {
    var version: Int
    var name: String
    var shards: [Shard]
    var tokens: UInt64
    var note: String?
    var mean: Float
    var meta: JSONValue

    struct Shard: Codable, Equatable {
        var path: String
        var rows: Int32
    }
}

@Suite struct JSONValueEncoderTests {
    let manifest = Manifest(
        version: 1, name: "wiki", shards: [.init(path: "s0.bin", rows: 3), .init(path: "s1.bin", rows: -1)],
        tokens: 42, note: nil, mean: 0.1, meta: .object(JSONObject([("z", .null), ("a", .array([]))])))

    @Test func keepsDeclarationOrderAndSkipsNil() throws {
        let text = try JSONValueEncoder().encode(manifest).serialized()
        // Keys in declaration order (not sorted), `note` left out, Float 0.1 stays 0.1.
        #expect(text == #"{"version":1,"name":"wiki","shards":[{"path":"s0.bin","rows":3},{"path":"s1.bin","rows":-1}],"tokens":42,"mean":0.1,"meta":{"z":null,"a":[]}}"#)
    }

    @Test func roundTripsThroughTheDecoder() throws {
        var m = manifest
        m.note = "hi"
        let v = try JSONValueEncoder().encode(m)
        #expect(try JSONValueDecoder().decode(Manifest.self, from: v) == m)
        // And through bytes.
        let bytes = try JSONValueEncoder().encodeJSON(m, style: .pretty)
        #expect(try JSONValueDecoder().decode(Manifest.self, fromJSON: bytes) == m)
    }

    @Test func dictionariesEnumsAndNestedContainers() throws {
        enum Mode: String, Codable { case fim }
        struct Custom: Encodable {
            func encode(to encoder: Encoder) throws {
                var c = encoder.container(keyedBy: AnyKey.self)
                var inner = c.nestedUnkeyedContainer(forKey: AnyKey("list"))
                try inner.encode(1)
                try inner.encodeNil()
                var obj = c.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("obj"))
                try obj.encode(Mode.fim, forKey: AnyKey("mode"))
                // The same key again replaces the value but keeps its position.
                try c.encode(true, forKey: AnyKey("list"))
            }
        }
        #expect(try JSONValueEncoder().encode(Custom()).serialized() == #"{"list":true,"obj":{"mode":"fim"}}"#)
        #expect(try JSONValueEncoder().encode(["k": [1, 2]]).serialized() == #"{"k":[1,2]}"#)
    }

    @Test func unsignedAboveInt64IsAnError() throws {
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(UInt64.max) }
        #expect(try JSONValueEncoder().encode(UInt64(Int64.max)) == .int(Int64.max))
    }
}

/// A string coding key for hand-written containers in tests.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
