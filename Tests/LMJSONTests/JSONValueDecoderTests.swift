import Testing

@testable import LMJSON

struct FIMKwargs: Codable, Equatable {
    var fim_rate: Double
    var fim_format: String
}

enum Packing: String, Codable { case greedy, bestFit = "best_fit" }

struct BuildConfig: Codable, Equatable {
    var seq_len: Int
    var vocab: UInt32?
    var packing: Packing
    var fim_kwargs: FIMKwargs?
    var stages: [Stage]
    var extra: [String: Int]

    struct Stage: Codable, Equatable {
        var name: String
        var weight: Float
    }
}

func decodeError<T: Decodable>(_ type: T.Type, _ json: String, rejectUnknownKeys: Bool = true) -> JSONDecodeError? {
    do {
        _ = try JSONValueDecoder(rejectUnknownKeys: rejectUnknownKeys).decode(type, fromJSON: Array(json.utf8))
        return nil
    } catch let e as JSONDecodeError {
        return e
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

@Suite struct JSONValueDecoderTests {
    let good = """
        {"seq_len": 2048, "packing": "best_fit", "fim_kwargs": {"fim_rate": 0.5, "fim_format": "psm"},
         "stages": [{"name": "a", "weight": 1}, {"name": "b", "weight": 0.25}], "extra": {"z": 1, "y": 2}}
        """

    @Test func decodesANestedConfig() throws {
        let c = try JSONValueDecoder().decode(BuildConfig.self, fromJSON: Array(good.utf8))
        #expect(c == BuildConfig(
            seq_len: 2048, vocab: nil, packing: .bestFit, fim_kwargs: FIMKwargs(fim_rate: 0.5, fim_format: "psm"),
            stages: [.init(name: "a", weight: 1), .init(name: "b", weight: 0.25)], extra: ["z": 1, "y": 2]))
    }

    @Test func errorsNameTheFullPath() {
        let wrongType = #"{"seq_len": 1, "packing": "greedy", "fim_kwargs": {"fim_rate": 0.5, "fim_format": 3}, "stages": [], "extra": {}}"#
        let e1 = decodeError(BuildConfig.self, wrongType)
        #expect(e1?.description == "fim_kwargs.fim_format: expected a string, found 3")
        #expect(e1?.kind == .typeMismatch)

        let missing = #"{"packing": "greedy", "stages": [], "extra": {}}"#
        #expect(decodeError(BuildConfig.self, missing)?.description == "seq_len: missing required field")

        let inArray = #"{"seq_len": 1, "packing": "greedy", "stages": [{"name": "a", "weight": 1}, {"name": null, "weight": 1}], "extra": {}}"#
        #expect(decodeError(BuildConfig.self, inArray)?.description == "stages[1].name: expected a string, found null")

        let inDict = #"{"seq_len": 1, "packing": "greedy", "stages": [], "extra": {"k": "v"}}"#
        #expect(decodeError(BuildConfig.self, inDict)?.description == #"extra.k: expected an integer, found "v""#)

        #expect(decodeError(BuildConfig.self, "[]")?.description == "top level: expected an object, found an array")
    }

    @Test func badEnumValueIsConvertedWithItsPath() {
        let json = #"{"seq_len": 1, "packing": "tight", "stages": [], "extra": {}}"#
        let e = decodeError(BuildConfig.self, json)
        #expect(e?.kind == .invalidValue)
        #expect(e?.path == "packing")
    }

    @Test func unknownKeysAreRejectedAtTheirPath() {
        let top = #"{"seq_len": 1, "seq_lenn": 2, "packing": "greedy", "stages": [], "extra": {}}"#
        let e = decodeError(BuildConfig.self, top)
        #expect(e?.kind == .unknownField)
        #expect(e?.description == "unknown field 'seq_lenn' at top level")

        let nested = #"{"seq_len": 1, "packing": "greedy", "fim_kwargs": {"fim_rate": 1, "fim_format": "x", "spm": 1}, "stages": [], "extra": {}}"#
        #expect(decodeError(BuildConfig.self, nested)?.description == "unknown field 'spm' at fim_kwargs")

        let inArray = #"{"seq_len": 1, "packing": "greedy", "stages": [{"name": "a", "weight": 1, "w": 2}], "extra": {}}"#
        #expect(decodeError(BuildConfig.self, inArray)?.description == "unknown field 'w' at stages[0]")

        // Optional fields probed with decodeIfPresent count as asked for, and
        // dictionary keys are all asked for through allKeys.
        #expect(decodeError(BuildConfig.self, good) == nil)
        // The option turns the check off.
        #expect(decodeError(BuildConfig.self, top, rejectUnknownKeys: false) == nil)
    }

    @Test func integersFromIntegralDoublesWithRangeChecks() throws {
        let d = JSONValueDecoder()
        #expect(try d.decode(Int.self, from: .double(3.0)) == 3)  // integral double is fine
        #expect(try d.decode(UInt8.self, from: .int(255)) == 255)
        #expect(try d.decode(Double.self, from: .int(2)) == 2.0)
        let cases: [(JSONValue, JSONDecodeError.Kind, String)] = [
            (.double(1.5), .typeMismatch, "top level: expected an integer, found 1.5"),
            (.int(256), .outOfRange, "top level: 256 is out of range for UInt8 (0...255)"),
            (.int(-1), .outOfRange, "top level: -1 is out of range for UInt8 (0...255)"),
            (.double(1e300), .outOfRange, "top level: 1e+300 is out of range for UInt8 (0...255)"),
            (.string("1"), .typeMismatch, #"top level: expected an integer, found "1""#),
            (.bool(true), .typeMismatch, "top level: expected an integer, found true"),
        ]
        for (value, kind, text) in cases {
            do {
                _ = try d.decode(UInt8.self, from: value)
                Issue.record("\(value) decoded")
            } catch let e as JSONDecodeError {
                #expect(e.kind == kind)
                #expect(e.description == text)
            }
        }
        #expect(throws: JSONDecodeError.self) { try d.decode(Float.self, from: .double(1e300)) }
    }

    @Test func jsonValueFieldsPassThroughAndAcceptAnything() throws {
        struct Holder: Codable, Equatable {
            var name: String
            var meta: JSONValue
        }
        let v = try JSONParser.parse(#"{"name": "x", "meta": {"b": [1, null], "a": 2.5}}"#)
        let h = try JSONValueDecoder().decode(Holder.self, from: v)
        #expect(h.meta == .object(JSONObject([("b", .array([.int(1), .null])), ("a", .double(2.5))])))
    }
}
