import TestSupport
import LMJSON
import Testing
@testable import MapReduce

@Suite struct ShuffleKeyTests {
    @Test func intTextIsFixedWidthAndOrdered() throws {
        #expect(42.sortableText == "00000000000000000042")
        // -1 + 2^63 = 9223372036854775807.
        #expect((-1).sortableText == "-9223372036854775807")
        #expect(Int64.min.sortableText == "-0000000000000000000")
        let values: [Int64] = [Int64.min, -1000, -2, -1, 0, 1, 9, 10, 1000, Int64.max]
        let texts = values.map(\.sortableText)
        // Byte order of the texts equals numeric order.
        #expect(texts == texts.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        for v in values { #expect(try Int64(sortableText: v.sortableText) == v) }
        #expect(throws: SortableTextError.self) { try Int(sortableText: "42") }
        #expect(try UInt64(sortableText: UInt64.max.sortableText) == UInt64.max)
    }

    @Test func randomIntsKeepOrder() throws {
        var rng = SplitMix64(seed: 1)
        for _ in 0..<500 {
            let a = Int64(bitPattern: rng.next()) >> Int64.random(in: 0...62, using: &rng)
            let b = Int64(bitPattern: rng.next()) >> Int64.random(in: 0...62, using: &rng)
            #expect((a < b) == a.sortableText.utf8.lexicographicallyPrecedes(b.sortableText.utf8))
        }
    }

    @Test func stringTextEscapesSeparatorsInOrder() throws {
        // TAB (0x09) becomes 0x01 0x49; no TAB or newline survives.
        #expect("a\tb".sortableText == "a\u{01}\u{49}b")
        let words = ["", "\n", "\t", "\u{01}", " ", "a", "a\tb", "a\nb", "ab", "é", "😀"]
        let texts = words.map(\.sortableText)
        #expect(texts.allSatisfy { !$0.utf8.contains(9) && !$0.utf8.contains(10) && !$0.utf8.contains(13) })
        // Byte order of escaped texts == byte order (code point order) of the originals.
        for a in words {
            for b in words {
                #expect(a.utf8.lexicographicallyPrecedes(b.utf8)
                    == a.sortableText.utf8.lexicographicallyPrecedes(b.sortableText.utf8))
            }
            #expect(try String(sortableText: a.sortableText) == a)
        }
        #expect(throws: SortableTextError.self) { try String(sortableText: "a\tb") }
    }

    @Test func codePointStringDistinguishesCanonicalEquivalents() {
        #expect("é" == "e\u{301}")  // Swift String: canonically equivalent
        #expect(CodePointString("é") != CodePointString("e\u{301}"))
        #expect(CodePointString("e\u{301}") < CodePointString("é"))  // 0x65 < 0xE9
    }

    @Test func jsonValueRoundTrips() throws {
        let value = row(
            ("s", .string("héllo\t")), ("i", .int(-5)), ("big", .int(Int64.min)), ("d", .double(0.1)),
            ("b", .bool(true)), ("n", .null), ("a", .array([.int(1), .array([]), .object(JSONObject())])))
        var w = ByteWriter()
        value.encode(to: &w)
        var r = ByteReader(w.bytes)
        #expect(try JSONValue.decode(from: &r) == value)
        #expect(r.isAtEnd)
        // Every strict prefix is truncated or malformed, never a crash.
        for n in 0..<w.bytes.count {
            var p = ByteReader(Array(w.bytes[0..<n]))
            #expect(throws: ByteCodingError.self) { _ = try JSONValue.decode(from: &p) }
        }
    }
}
