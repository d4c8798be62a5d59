import Foundation
import Testing

@testable import LMJSON

/// `JSONValue: Codable` through Foundation's coders, so the conformance works
/// with any `Decoder`, not only ours.
@Suite struct JSONValueCodableTests {
    @Test func decodesEveryShapeThroughFoundation() throws {
        let text = #"{"a":null,"b":true,"c":3,"d":1.5,"e":"x","f":[1,"y"],"g":{"h":false}}"#
        let v = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        guard case .object(let o) = v else {
            Issue.record("expected an object, got \(v)")
            return
        }
        // Foundation's keyed container does not promise key order, so compare by key.
        #expect(o["a"] == .null)
        #expect(o["b"] == .bool(true))
        #expect(o["c"] == .int(3))  // integers stay exact, not Double
        #expect(o["d"] == .double(1.5))
        #expect(o["e"] == .string("x"))
        #expect(o["f"] == .array([.int(1), .string("y")]))
        #expect(o["g"] == .object(JSONObject([("h", .bool(false))])))
        #expect(o.count == 7)
    }

    @Test func roundTripsThroughFoundation() throws {
        let v: JSONValue = .array([.null, .bool(false), .int(-7), .double(0.25), .string("é\n"),
                                   .object(JSONObject([("k", .array([]))]))])
        let data = try JSONEncoder().encode(v)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == v)
    }
}
