import Foundation
import LMIO
import LMJSON
import TestSupport
import Testing
@testable import MapReduce

@Suite struct StreamingTests {
    /// Writes `input` to a temporary file and returns what the stage writes
    /// to another, read and written through file descriptors as the CLI's
    /// stdin and stdout are.
    func runStage(_ t: any JSONRowTransform, _ stage: Streaming.Stage, input: [UInt8]) throws -> [UInt8] {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let inPath = try tmp.write("in", input), outPath = tmp.path("out")
        var lines = LineReader(try FileDescriptor.openForReading(inPath))
        let output = BufferedWriter(try FileDescriptor.create(outPath))
        try Streaming.run(jsonTransform: t, stage: stage, lines: &lines, output: output)
        try output.close()
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: outPath)))
    }

    func jsonl(_ rows: [JSONValue]) -> [UInt8] {
        var bytes: [UInt8] = []
        for r in rows { JSONLines.append(r, to: &bytes) }
        return bytes
    }

    func lines(_ bytes: [UInt8]) -> [[UInt8]] {
        bytes.split(separator: UInt8(ascii: "\n")).map(Array.init)
    }

    /// `LC_ALL=C sort -t$'\t' -k1,1 -s`: stable, by the key field's bytes.
    func sortByKey(_ lines: [[UInt8]]) -> [[UInt8]] {
        let keyed = lines.enumerated().map { (key: Array($0.element.prefix { $0 != 9 }), index: $0.offset, line: $0.element) }
        return keyed.sorted { a, b in
            a.key.lexicographicallyPrecedes(b.key) || (a.key == b.key && a.index < b.index)
        }.map(\.line)
    }

    @Test(arguments: [false, true])
    func mapSortReduceEqualsInMemory(reverseBeforeSort: Bool) throws {
        // Rows as the mapper sees them after a JSONL round trip (key order
        // may change until LMJSON's order-keeping parser is used).
        let rows = try lines(jsonl(randomRows(count: 300, seed: 7))).map(JSONLines.parse)
        for t in [any JSONRowTransform](arrayLiteral:
            CountCharsTransform(CountCharsConfig(column: "content")), ListByID())
        {
            let expected = try InMemoryRunner().run(jsonTransform: t, rows: rows)
            var mapped = lines(try runStage(t, .map, input: jsonl(rows)))
            // Reversing first makes every group's values arrive in reverse
            // input order (like several mappers feeding one reducer); the
            // reducer must restore input order from SEQ.
            if reverseBeforeSort { mapped.reverse() }
            let sorted = sortByKey(mapped).joined(separator: [UInt8(ascii: "\n")]) + [UInt8(ascii: "\n")]
            let reduced = try runStage(t, .reduce, input: Array(sorted))
            #expect(String(decoding: reduced, as: UTF8.self) == String(decoding: jsonl(expected), as: UTF8.self))
        }
    }

    @Test func mapLineFormat() throws {
        let t = CountCharsTransform(CountCharsConfig(column: "c"))
        let out = try runStage(t, .map, input: Array(#"{"c":"ab"}"#.utf8) + [10] + Array(#"{"c":"\tb"}"#.utf8))
        // "b" in line 2 (0-based 1) is its second emit; value 1 is zigzag varint 0x02 -> base64 "Ag==".
        // The TAB key is escaped to 0x01 0x49 ("I").
        #expect(String(decoding: out, as: UTF8.self) == """
            a\t00000000000000000000:0000000000\tAg==
            b\t00000000000000000000:0000000001\tAg==
            \u{01}I\t00000000000000000001:0000000000\tAg==
            b\t00000000000000000001:0000000001\tAg==

            """)
    }

    @Test func unsortedKeysAreRejectedWithLine() throws {
        let t = CountCharsTransform(CountCharsConfig(column: "c"))
        let input = "b\t00000000000000000000:0000000000\tAg==\na\t00000000000000000000:0000000001\tAg==\n"
        #expect {
            _ = try runStage(t, .reduce, input: Array(input.utf8))
        } throws: { error in
            if case .streamingLine(2, _)? = error as? MapReduceError { return true }
            return false
        }
    }

    @Test func malformedLineIsRejectedWithLine() throws {
        let t = CountCharsTransform(CountCharsConfig(column: "c"))
        #expect {
            _ = try runStage(t, .reduce, input: Array("a\t00000000000000000000:0000000000\t!!\n".utf8))
        } throws: { error in
            "\(error)" == "line 1: VALUE is not base64"
        }
    }
}
