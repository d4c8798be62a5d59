import LMJSON
import Testing
@testable import MapReduce

/// The seed notebook's two asserts, exactly.
@Suite struct SeedTests {
    @Test func changeCaseSeedAssert() throws {
        let t = ChangeCaseTransform(ChangeCaseConfig(column: "content", toLower: true))
        let out = try InMemoryRunner().run(t, rows: seedInput)
        #expect(out == [
            row(("content", .string("a string"))),
            row(("content", .string("abcc"))),
            row(("content", .string("bcd"))),
        ])
    }

    @Test func countCharsSeedAssert() throws {
        let t = CountCharsTransform(CountCharsConfig(column: "content", lowercase: true))
        let out = try InMemoryRunner().run(t, rows: seedInput)
        let expected: [(String, Int64)] = [
            (" ", 1), ("a", 2), ("b", 2), ("c", 3), ("d", 1), ("g", 1),
            ("i", 1), ("n", 1), ("r", 1), ("s", 1), ("t", 1),
        ]
        #expect(out == expected.map { row(("letter", .string($0.0)), ("cnt", .int($0.1))) })
    }
}
