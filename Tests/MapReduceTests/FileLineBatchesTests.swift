import Foundation
import LMJSON
import TestSupport
import Testing
@testable import MapReduce

/// `FileLineBatches` must give exactly `FileLines`' lines (line numbers in
/// errors depend on it), in batches that respect `maxRows` and never use a
/// block after a batch still holds it.
@Suite struct FileLineBatchesTests {
    /// Writes `bytes` to a file and returns all batches' lines (copied out
    /// while each batch is alive) and `FileLines`' lines of the same file.
    func split(_ bytes: [UInt8], blockSize: Int, maxRows: Int) throws -> (batches: [[[UInt8]]], reference: [[UInt8]]) {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let path = tmp.path + "/f"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var source = FileLineBatches(fileDescriptor: fd, name: path, blockSize: blockSize)
        var batches: [[[UInt8]]] = []
        // Hold every batch until the end, so a block reused while a batch
        // still points into it would show up as changed lines.
        var held: [LineBatch] = []
        while let batch = try source.nextBatch(maxRows: maxRows) {
            #expect(!batch.isEmpty && batch.count <= maxRows)
            held.append(batch)
        }
        batches = held.map { $0.map { Array($0) } }
        let refFD = open(path, O_RDONLY)
        defer { close(refFD) }
        return (batches, Array(FileLines(fileDescriptor: refFD, name: path)))
    }

    @Test func edgeCasesMatchFileLines() throws {
        for text in ["", "a", "a\n", "a\n\nb", "\n", "\n\n", "abc\ndef\n", "x\r\ny\r\n"] {
            for blockSize in [1, 2, 3, 64] {
                let (batches, reference) = try split(Array(text.utf8), blockSize: blockSize, maxRows: 2)
                #expect(batches.flatMap { $0 } == reference, "\(String(reflecting: text)) block \(blockSize)")
            }
        }
    }

    @Test func randomFilesMatchFileLinesForAnyBlockAndBatchSize() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<25 {
            let length = Int.random(in: 0..<3000, using: &rng)
            // Mostly short lines, some empty, some longer than small blocks.
            let bytes = (0..<length).map { _ in
                Int.random(in: 0..<20, using: &rng) == 0 ? UInt8(ascii: "\n") : UInt8.random(in: 32...126, using: &rng)
            }
            let blockSize = [7, 64, 1000, 1 << 16].randomElement(using: &rng)!
            let maxRows = [1, 3, 100, 4096].randomElement(using: &rng)!
            let (batches, reference) = try split(bytes, blockSize: blockSize, maxRows: maxRows)
            #expect(batches.flatMap { $0 } == reference, "block \(blockSize), rows \(maxRows)")
        }
    }

    @Test func aReadErrorNamesTheFile() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        // A directory opens for reading, but read(2) fails with EISDIR.
        let fd = open(tmp.path, O_RDONLY)
        defer { close(fd) }
        var source = FileLineBatches(fileDescriptor: fd, name: "the-dir")
        #expect {
            _ = try source.nextBatch(maxRows: 10)
        } throws: { error in
            guard case .io(let path, let message)? = error as? MapReduceError else { return false }
            return path == "the-dir" && message.hasPrefix("read:")
        }
    }

    @Test(arguments: [1, 2])
    func aJSONLFileRunNamesTheBadLineAndLeavesNoOutput(workers: Int) throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let input = tmp.path + "/in.jsonl", output = tmp.path + "/out.jsonl"
        // 5000 good rows, then a bad one: past the first batch of 4096 rows.
        var text = String(repeating: "{\"c\":\"ab\"}\n", count: 5000)
        text += "{\"c\": 3}\n{\"c\":\"x\"}\n"
        try text.write(toFile: input, atomically: false, encoding: .utf8)
        let t = CountCharsTransform(CountCharsConfig(column: "c"))
        #expect {
            try LocalRunner(workers: workers).run(jsonTransform: t, inputPath: input, outputPath: output)
        } throws: { error in
            if case .map(5001, _)? = error as? MapReduceError { return true }
            return false
        }
        #expect(!FileManager.default.fileExists(atPath: output))
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path) == ["in.jsonl"])
    }

    @Test(arguments: [1, 2, 3])
    func aJSONLFileRunGivesTheSameRowsAsTheInMemoryRunner(workers: Int) throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let input = tmp.path + "/in.jsonl", output = tmp.path + "/out.jsonl"
        var rng = SplitMix64(seed: UInt64(workers))
        let alphabet = Array("abcé Σ\\n".unicodeScalars)
        let texts = (0..<3000).map { _ in
            String(String.UnicodeScalarView((0..<Int.random(in: 0..<30, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }))
        }
        let rows = texts.map { JSONValue.object(JSONObject([("c", .string($0))])) }
        var file: [UInt8] = []
        for row in rows { JSONLines.append(row, to: &file) }
        try Data(file).write(to: URL(fileURLWithPath: input))
        let t = CountCharsTransform(CountCharsConfig(column: "c"))
        try LocalRunner(workers: workers, batchRows: 257).run(jsonTransform: t, inputPath: input, outputPath: output)
        var expected: [UInt8] = []
        for row in try InMemoryRunner().run(t, rows: rows) { JSONLines.append(row, to: &expected) }
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: output))) == expected)
    }
}
