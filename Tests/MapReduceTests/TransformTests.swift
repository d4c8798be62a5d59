import LMJSON
import Testing
@testable import MapReduce

@Suite struct TransformTests {
    @Test func changeCaseDefaultsToUpperAndKeepsOtherColumns() throws {
        let t = ChangeCaseTransform(ChangeCaseConfig(column: "text"))
        let out = try InMemoryRunner().run(t, rows: [row(("id", .int(7)), ("text", .string("straße")))])
        // Python: "straße".upper() == "STRASSE" (full case mapping); "id" untouched and first.
        #expect(out == [row(("id", .int(7)), ("text", .string("STRASSE")))])
    }

    @Test func lowerAppliesPythonFinalSigma() {
        // Python: "ΟΔΟΣ ΣΑ".lower() == "οδος σα": word-final sigma becomes ς, initial stays σ.
        #expect(PythonCase.lower("ΟΔΟΣ ΣΑ") == "οδος σα")
        // Python: "İ".lower() is two scalars, "i" + U+0307.
        #expect(PythonCase.lower("İ").unicodeScalars.map(\.value) == [0x69, 0x307])
    }

    @Test func countCharsCountsScalarsNotGraphemes() throws {
        // "e" + U+0301 is one Swift Character but two Python characters.
        let t = CountCharsTransform(CountCharsConfig(column: "c"))
        let out = try InMemoryRunner().run(t, rows: [row(("c", .string("e\u{301}e")))])
        #expect(out == [
            row(("letter", .string("e")), ("cnt", .int(2))),
            row(("letter", .string("\u{301}")), ("cnt", .int(1))),
        ])
    }

    @Test func countCharsOrdersByCodePoint() throws {
        // Python: sorted(["é", "e\u0301"[1], "z", "😀", "Ａ"]) is by code point:
        // "z" (0x7A) < "é" (0xE9) < U+0301 < "Ａ" (0xFF21) < "😀" (0x1F600).
        // Swift's String < would put the lone combining mark U+0301 elsewhere
        // and treat "é" == "e\u{301}" (canonical equivalence).
        let t = CountCharsTransform(CountCharsConfig(column: "c"))
        let out = try InMemoryRunner().run(t, rows: [row(("c", .string("😀Ａé\u{301}z")))])
        let letters = out.compactMap { r -> String? in
            if case .object(let o) = r, case .string(let s)? = o["letter"] { return s }
            return nil
        }
        #expect(letters == ["z", "é", "\u{301}", "Ａ", "😀"])
    }

    @Test func missingColumnNamesColumnAndRow() {
        let t = CountCharsTransform(CountCharsConfig(column: "content"))
        let rows = [row(("content", .string("ok"))), row(("text", .string("x")))]
        #expect {
            _ = try InMemoryRunner().run(t, rows: rows)
        } throws: { error in
            let e = error as? MapReduceError
            return e?.row == 2 && "\(error)" == #"row 2: column "content" is missing"#
        }
    }

    @Test func nonStringColumnNamesColumnAndRow() {
        let t = ChangeCaseTransform(ChangeCaseConfig(column: "content"))
        #expect {
            _ = try InMemoryRunner().run(t, rows: [row(("content", .int(3)))])
        } throws: { error in
            "\(error)" == #"row 1: column "content" is an int, expected a string"#
        }
    }
}

@Suite struct InMemoryRunnerTests {
    /// Keys are the first letter, values the row number: reduce sees values
    /// in input order (stable sort) and groups in ascending key order.
    struct FirstLetter: MapReduceTransform {
        func map(_ row: (String, Int), emit: (String, Int) throws -> Void) throws {
            try emit(String(row.0.prefix(1)), row.1)
        }
        func reduce<S: ValueStream>(key: String, values: inout S, emit: (String) throws -> Void) throws
        where S.Element == Int {
            var all: [Int] = []
            while let v = try values.next() { all.append(v) }
            try emit("\(key):\(all.map(String.init).joined(separator: ","))")
        }
    }

    @Test func groupsAscendingValuesInInputOrder() throws {
        let rows = [("b1", 1), ("a1", 2), ("b2", 3), ("c", 4), ("a2", 5), ("b3", 6)]
        let out = try InMemoryRunner().run(FirstLetter(), rows: rows)
        #expect(out == ["a:2,5", "b:1,3,6", "c:4"])
    }

    @Test func emptyInputGivesNoRows() throws {
        #expect(try InMemoryRunner().run(FirstLetter(), rows: [(String, Int)]()).isEmpty)
    }
}
