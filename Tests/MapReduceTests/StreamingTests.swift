import Foundation
import LMIO
import LMJSON
import TestSupport
import Testing
@testable import MapReduce

@Suite struct StreamingTests {
    /// The map stage over positioned rows, written to a file through a
    /// descriptor as the CLI's stdout is.
    func mapStage(_ t: any JSONRowTransform, rows: [Streaming.Row], workers: Int = 2) throws -> [UInt8] {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let outPath = tmp.path("out")
        let output = BufferedWriter(try FileDescriptor.create(outPath))
        try t.runStreamingMap(LocalRunner(workers: workers), rows: AnySequence(rows), badRow: nil, output: output)
        try output.close()
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: outPath)))
    }

    /// The reduce stage reading `input` from a file, with a sort budget of `memory` bytes.
    func reduceStage(_ t: any JSONRowTransform, input: [UInt8], memory: Int = 1 << 20) throws -> [UInt8] {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let inPath = try tmp.write("in", input), outPath = tmp.path("out")
        var lines = LineReader(try FileDescriptor.openForReading(inPath))
        let output = BufferedWriter(try FileDescriptor.create(outPath))
        let sorter = PositionSorter(directory: tmp.path("sort"), memoryBudget: memory)
        try t.runStreamingReduce(lines: &lines, sorter: sorter, output: output)
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

    /// Rows laid out as `files` input files, each row at the byte offset it
    /// would have in its file.
    func positioned(_ rows: [JSONValue], files: Int) -> [[Streaming.Row]] {
        var out = Array(repeating: [Streaming.Row](), count: files)
        var offsets = Array(repeating: 0, count: files)
        for (i, row) in rows.enumerated() {
            let f = i * files / rows.count
            var bytes: [UInt8] = []
            JSONLines.append(row, to: &bytes)
            bytes.removeLast()
            out[f].append(Streaming.Row(file: UInt64(f), offset: UInt64(offsets[f]), line: out[f].count + 1, bytes: bytes))
            offsets[f] += bytes.count + 1
        }
        return out
    }

    /// `LC_ALL=C sort -t$'\t' -k1,1 -s`: stable, by the key field's bytes.
    func sortByKey(_ lines: [[UInt8]]) -> [[UInt8]] {
        let keyed = lines.enumerated().map { (key: Array($0.element.prefix { $0 != 9 }), index: $0.offset, line: $0.element) }
        return keyed.sorted { a, b in
            a.key.lexicographicallyPrecedes(b.key) || (a.key == b.key && a.index < b.index)
        }.map(\.line)
    }

    /// Several mappers (one per file, run last file first), their lines
    /// concatenated, sorted by key only (values of a key in mapper order,
    /// not input order), reduced with a sort budget far below the data:
    /// the output is `InMemoryRunner`'s over all rows in order.
    @Test(arguments: [600, 1 << 20])
    func mappersInAnyOrderThenAKeySortGiveTheInMemoryOutput(memory: Int) throws {
        let rows = try lines(jsonl(randomRows(count: 300, seed: 7))).map(JSONLines.parse)
        for t in [any JSONRowTransform](arrayLiteral: CountCharsTransform(CountCharsConfig(column: "content")), ListByID()) {
            let expected = try InMemoryRunner().run(jsonTransform: t, rows: rows)
            var mapped: [[UInt8]] = []
            for file in positioned(rows, files: 4).reversed() { mapped += lines(try mapStage(t, rows: file)) }
            let sorted = sortByKey(mapped).joined(separator: [UInt8(ascii: "\n")]) + [UInt8(ascii: "\n")]
            let reduced = try reduceStage(t, input: Array(sorted), memory: memory)
            #expect(String(decoding: reduced, as: UTF8.self) == String(decoding: jsonl(expected), as: UTF8.self))
        }
    }

    @Test func mapLineFormat() throws {
        let t = CountCharsTransform(CountCharsConfig(column: "c"))
        let rows = [
            Streaming.Row(file: 3, offset: 0, line: 1, bytes: Array(#"{"c":"ab"}"#.utf8)),
            Streaming.Row(file: 3, offset: 11, line: 2, bytes: Array(#"{"c":"\tb"}"#.utf8)),
        ]
        // SEQ = file 3, the row's byte offset, the emit index. "b" is the
        // second emit of each row; value 1 is zigzag varint 0x02 -> base64
        // "Ag==". The TAB key is escaped to 0x01 0x49 ("I").
        #expect(String(decoding: try mapStage(t, rows: rows), as: UTF8.self) == """
            a\t0000000003:00000000000000000000:0000000000\tAg==
            b\t0000000003:00000000000000000000:0000000001\tAg==
            \u{01}I\t0000000003:00000000000000000011:0000000000\tAg==
            b\t0000000003:00000000000000000011:0000000001\tAg==

            """)
    }

    @Test func aBadRowIsReportedWithWhereItStarts() throws {
        let t = CountCharsTransform(CountCharsConfig(column: "c"))
        let rows = [
            Streaming.Row(file: 1, offset: 0, line: nil, bytes: Array(#"{"c":"ok"}"#.utf8)),
            Streaming.Row(file: 1, offset: 11, line: nil, bytes: Array(#"{"c": 7}"#.utf8)),
        ]
        #expect {
            _ = try mapStage(t, rows: rows)
        } throws: { error in
            guard let e = error as? Streaming.RowError else { return false }
            return e.file == 1 && e.offset == 11 && e.line == nil && "\(e)".contains("column \"c\"")
        }
    }

    static let one = "0000000000:00000000000000000000:0000000000"
    static let two = "0000000000:00000000000000000000:0000000001"

    @Test func unsortedKeysAreRejectedWithLine() throws {
        let t = CountCharsTransform(CountCharsConfig(column: "c"))
        let input = "b\t\(Self.one)\tAg==\na\t\(Self.two)\tAg==\n"
        #expect {
            _ = try reduceStage(t, input: Array(input.utf8))
        } throws: { error in
            if case .streamingLine(2, _)? = error as? MapReduceError { return true }
            return false
        }
    }

    @Test func aPositionGivenTwiceIsRejected() throws {
        let t = CountCharsTransform(CountCharsConfig(column: "c"))
        let input = "a\t\(Self.one)\tAg==\na\t\(Self.one)\tAg==\n"
        #expect {
            _ = try reduceStage(t, input: Array(input.utf8))
        } throws: { error in
            "\(error)".contains("occurs twice in the group of key \"a\"")
        }
    }

    @Test(arguments: [
        ("a\t\(one)\t!!\n", "line 1: VALUE is not base64"),
        ("a\t00000000000000000000:0000000000\tAg==\n", "line 1: expected KEY<TAB>SEQ<TAB>VALUE with a 42-byte SEQ after the key"),
        ("a\t0000000000:0000000000000000000x:0000000000\tAg==\n", "line 1: SEQ \"0000000000:0000000000000000000x:0000000000\" is not 10 digits, ':', 20 digits, ':', 10 digits"),
        ("\t\(one)\tAg==\n", "line 1: expected KEY<TAB>SEQ<TAB>VALUE (no key)"),
    ])
    func malformedLinesAreRejectedWithLine(input: String, message: String) throws {
        let t = CountCharsTransform(CountCharsConfig(column: "c"))
        #expect {
            _ = try reduceStage(t, input: Array(input.utf8))
        } throws: { error in
            "\(error)" == message
        }
    }
}
