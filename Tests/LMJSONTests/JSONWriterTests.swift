import TestSupport
import Testing

@testable import LMJSON

@Suite struct JSONWriterTests {
    @Test func compactMatchesPythonByHand() {
        // json.dumps({"a": [1, 2.5, None, True], "b": {"c": "x"}, "d": [], "e": {}},
        //            ensure_ascii=False, separators=(",", ":"))
        let v = JSONValue.object(JSONObject([
            ("a", .array([.int(1), .double(2.5), .null, .bool(true)])),
            ("b", .object(JSONObject([("c", .string("x"))]))),
            ("d", .array([])),
            ("e", .object(JSONObject())),
        ]))
        #expect(v.serialized() == #"{"a":[1,2.5,null,true],"b":{"c":"x"},"d":[],"e":{}}"#)
    }

    @Test func prettyMatchesPythonIndent2() {
        // json.dumps(same shape, ensure_ascii=False, indent=2): ", " becomes
        // ",\n", keys get ": ", empty containers stay "[]" / "{}".
        let v = JSONValue.object(JSONObject([
            ("a", .array([.int(1), .array([])])),
            ("b", .object(JSONObject([("c", .string("é"))]))),
            ("e", .object(JSONObject())),
        ]))
        let expected = """
            {
              "a": [
                1,
                []
              ],
              "b": {
                "c": "é"
              },
              "e": {}
            }
            """
        #expect(v.serialized(style: .pretty) == expected)
        #expect(JSONValue.int(3).serialized(style: .pretty) == "3")
    }

    @Test func stringEscapesLikePython() {
        // Python: json.dumps('q"b\\\n\r\t\b\f\x00\x1f\x7fé😀', ensure_ascii=False)
        //   == '"q\\"b\\\\\\n\\r\\t\\b\\f\\u0000\\u001f\x7fé😀"'
        let s = "q\"b\\\n\r\t\u{8}\u{c}\u{0}\u{1f}\u{7f}é😀"
        #expect(JSONValue.string(s).serialized() == "\"q\\\"b\\\\\\n\\r\\t\\b\\f\\u0000\\u001f\u{7f}é😀\"")
        // Lowercase hex, as Python's '\\u{0:04x}'.
        #expect(JSONValue.string("\u{1b}").serialized() == #""\u001b""#)
        // '/' is not escaped.
        #expect(JSONValue.string("a/b").serialized() == #""a/b""#)
    }

    @Test func doublesLikePythonRepr() {
        // (value, repr(value) in Python)
        let cases: [(Double, String)] = [
            (1.0, "1.0"), (-0.0, "-0.0"), (0.0, "0.0"), (2.5, "2.5"), (0.1, "0.1"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e-05, "1e-05"), (0.0001, "0.0001"), (0.00012, "0.00012"), (2.5e-05, "2.5e-05"),
            (1e16, "1e+16"), (1e15, "1000000000000000.0"),
            // Swift itself prints this as "9.007199254740992e+15"; Python keeps fixed form below 1e16.
            (9007199254740992.0, "9007199254740992.0"),
            (1.5e300, "1.5e+300"), (Double.leastNonzeroMagnitude, "5e-324"), (-123.456, "-123.456"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (123456789012345680.0, "1.2345678901234568e+17"),
            (.nan, "NaN"), (.infinity, "Infinity"), (-.infinity, "-Infinity"),
        ]
        for (d, repr) in cases {
            #expect(JSONValue.double(d).serialized() == repr, "\(d)")
        }
    }

    @Test func integersAtTheBounds() {
        #expect(JSONValue.int(Int64.min).serialized() == "-9223372036854775808")
        #expect(JSONValue.int(Int64.max).serialized() == "9223372036854775807")
        #expect(JSONValue.int(0).serialized() == "0")
        #expect(JSONValue.int(-7).serialized() == "-7")
    }

    @Test func integerDigitsAgreeWithSwiftAtEveryLength() {
        // Independent check of the digit-pair writer: every power of ten,
        // its neighbours, and random values of every length.
        var rng = SplitMix64(seed: 3)
        var values: [Int64] = [Int64.min, Int64.max]
        var p: Int64 = 1
        for _ in 0..<19 {
            values += [p - 1, p, p + 1, -p]
            p = p &* 10
        }
        for _ in 0..<500 { values.append(Int64(bitPattern: rng.next()) >> Int64(rng.next() % 64)) }
        for v in values {
            var w = JSONWriter()
            w.writeInt(v)
            #expect(String(decoding: w.bytes, as: UTF8.self) == String(v))
        }
    }

    @Test func arrayFastPaths() {
        var w = JSONWriter()
        [UInt32(0), 9, 10, 4_294_967_295].withUnsafeBufferPointer { w.writeIntArray($0) }
        w.writeRaw(",")
        [Int32(-100), 0, 2_147_483_647, Int32.min].withUnsafeBufferPointer { w.writeIntArray($0) }
        w.writeRaw(",")
        [UInt16(65535), 1].withUnsafeBufferPointer { w.writeIntArray($0) }
        w.writeRaw(",")
        [UInt32]().withUnsafeBufferPointer { w.writeIntArray($0) }
        w.writeRaw(",")
        [true, false, true].withUnsafeBufferPointer { w.writeBoolArray($0) }
        let text = String(decoding: w.bytes, as: UTF8.self)
        #expect(text == "[0,9,10,4294967295],[-100,0,2147483647,-2147483648],[65535,1],[],[true,false,true]")
    }

    @Test func fastPathAgreesWithValuePath() {
        var rng = SplitMix64(seed: 42)
        let ids = (0..<1000).map { _ in UInt32(truncatingIfNeeded: rng.next() >> UInt64(rng.next() % 32)) }
        var w = JSONWriter()
        w.writeIntArray(ids)
        #expect(w.bytes == JSONValue.array(ids.map { .int(Int64($0)) }).serializedBytes())
    }
}

@Suite struct JSONRoundTripTests {
    static func randomString(_ rng: inout SplitMix64) -> String {
        let pool: [Unicode.Scalar] = ["a", "Z", " ", "\"", "\\", "/", "\n", "\u{0}", "\u{1f}", "\u{7f}",
                                      "é", "中", "😀", "\u{2028}", "\u{FFFF}", "\u{10FFFF}"]
        var s = String.UnicodeScalarView()
        for _ in 0..<Int(rng.next() % 8) { s.append(pool[Int(rng.next() % UInt64(pool.count))]) }
        return String(s)
    }

    static func randomValue(_ rng: inout SplitMix64, depth: Int) -> JSONValue {
        switch rng.next() % (depth > 3 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(rng.next() % 2 == 0)
        case 2: return .int(Int64(bitPattern: rng.next()) >> Int64(rng.next() % 64))
        case 3:
            var d: Double
            repeat { d = Double(bitPattern: rng.next()) } while !d.isFinite
            return .double(rng.next() % 2 == 0 ? d : Double(Int64(bitPattern: rng.next()) % 1000) / 8)
        case 4: return .string(randomString(&rng))
        case 5: return .array((0..<Int(rng.next() % 5)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            var o = JSONObject()
            for _ in 0..<Int(rng.next() % 5) {
                // Assigning through the subscript keeps keys unique, as parsing would.
                o[randomString(&rng)] = randomValue(&rng, depth: depth + 1)
            }
            return .object(o)
        }
    }

    @Test func parseOfSerializeIsIdentity() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<500 {
            let v = Self.randomValue(&rng, depth: 0)
            #expect(try JSONParser.parse(v.serializedBytes()) == v)
            #expect(try JSONParser.parse(v.serializedBytes(style: .pretty)) == v)
            // Serializing is deterministic and parse -> serialize is stable.
            let text = v.serialized()
            #expect(try JSONParser.parse(text).serialized() == text)
        }
    }
}
