import Foundation
import LMJSON
import TestSupport
import Testing
@testable import MapReduce

/// `LocalRunner.run(jsonTransform:inputPath:outputPath:)`: a JSONL file in
/// (as LMIO line batches), a JSONL file out (atomically).
@Suite struct JSONLFileJobTests {
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
