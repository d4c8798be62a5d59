import Foundation
import TestSupport
import Testing

/// `lmshard-bench`, the benchmark executable the scripts under tools/bench
/// run, works on what `lmshard` builds (the figures themselves are the
/// benchmarks' business, never a test's).
@Suite struct BenchExecutableTests {
    static var bench: URL { CLI.binary.deletingLastPathComponent().appendingPathComponent("lmshard-bench") }

    func run(_ arguments: [String], stdin: Data = Data()) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = Self.bench
        process.arguments = arguments
        let input = Pipe(), out = Pipe(), err = Pipe()
        process.standardInput = input
        process.standardOutput = out
        process.standardError = err
        try process.run()
        input.fileHandleForWriting.write(stdin)
        try input.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: bench.path), "lmshard-bench is not built next to lmshard"))
    func readerAndTokenizeDriversRun() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let data = try LostOutputAndSpecialFileTests.dataset(dir)
        let reader = try run(["reader", data, "--batch-size", "2", "--batches", "3", "--warmup-batches", "1", "--shuffle"])
        #expect(reader.status == 0, "\(reader.stderr)")
        let line = try JSONSerialization.jsonObject(with: Data(reader.stdout.utf8)) as? [String: Double]
        #expect((line?["batches_per_s"] ?? 0) > 0, "\(reader.stdout)")

        // The same ids as `lmshard tokenize`, plus the timing line on stderr.
        let rows = Data("{\"text\": \"def f(x):\\n    return x\"}\n{\"text\": \"\"}\n".utf8)
        let timed = try run(["tokenize", "--tokenizer", CLI.sampleTokenizer, "--threads", "2"], stdin: rows)
        let plain = try CLI.run(["tokenize", "--tokenizer", CLI.sampleTokenizer], stdin: rows)
        #expect(timed.status == 0 && plain.status == 0, "\(timed.stderr)")
        #expect(timed.stdout == plain.stdout)
        let ids = try plain.stdout.split(separator: "\n").map { line in
            (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: [Int]])?["ids"]?.count ?? -1
        }
        let timing = try JSONSerialization.jsonObject(with: Data(timed.stderr.utf8)) as? [String: Double]
        #expect(ids.count == 2 && ids[1] == 0 && ids[0] > 0)
        #expect(timing?["tokens"] == Double(ids[0]), "\(timed.stderr)")
        #expect((timing?["encode_seconds"] ?? -1) >= 0 && (timing?["load_seconds"] ?? -1) >= 0)
    }
}
