import Foundation
import LMIO
import LMJSON
import TestSupport
import Testing

@testable import LMTokenizer

/// `encodeJSONLines` (the engine of `lmshard tokenize`) and `encodeBatch`:
/// the same ids as encoding one text at a time, in input order, for any
/// thread count; never more workers than asked; every error reported.
@Suite struct JSONLinesEncoderTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let tokenizer = try! Tokenizer(contentsOf: repoRoot.appendingPathComponent("sample/tokenizer"))

    /// Texts of mixed lengths, some long enough to fill a 64 KiB chunk alone.
    static func texts(count: Int, seed: UInt64) -> [String] {
        var rng = SplitMix64(seed: seed)
        let words = ["def", "return", " x", "é", "中文", "\n", "\t", "😀", "<fim_prefix>", "  ", "42", "\\"]
        return (0..<count).map { i in
            let n = i % 97 == 0 ? 20_000 : Int.random(in: 0..<200, using: &rng)
            return (0..<n).map { _ in words.randomElement(using: &rng)! }.joined()
        }
    }

    static func jsonl(_ texts: [String]) -> [UInt8] {
        var out: [UInt8] = []
        for t in texts {
            out += JSONValue.object(JSONObject([("text", .string(t))])).serialized().utf8
            out.append(10)
        }
        return out
    }

    /// The expected output, built the slow way: one `encode` per text.
    static func expected(_ texts: [String]) -> [UInt8] {
        var out: [UInt8] = []
        for t in texts {
            var w = JSONWriter(style: .compact)
            w.writeIntArray(tokenizer.encode(t))
            out += Array("{\"ids\":".utf8) + w.bytes + Array("}\n".utf8)
        }
        return out
    }

    func encode(_ input: [UInt8], threads: Int, chunkSize: Int = .max) throws -> ([UInt8], JSONLinesSummary) {
        let dir = try TempDir()
        defer { dir.remove() }
        let output = BufferedWriter(try FileDescriptor.create(dir.path("out")))
        let summary = try Self.tokenizer.encodeJSONLines(
            from: MemorySource(input, chunkSize: chunkSize), to: output, threads: threads)
        try output.close()
        return ([UInt8](try Data(contentsOf: dir.url.appendingPathComponent("out"))), summary)
    }

    @Test(arguments: [1, 2, 3, 8])
    func sameIdsInInputOrderForAnyThreadCount(threads: Int) throws {
        let texts = Self.texts(count: 3000, seed: UInt64(threads))
        let input = Self.jsonl(texts)
        // Small pipe-like reads too, so blocks start before they are full.
        let (out, summary) = try encode(input, threads: threads, chunkSize: threads == 3 ? 65_537 : .max)
        #expect(out == Self.expected(texts))
        #expect(summary.lines == texts.count && summary.inputBytes == input.count)
        #expect(summary.tokens == texts.reduce(0) { $0 + Self.tokenizer.encode($1).count })
    }

    @Test func aBadLineStopsAfterTheLinesBeforeIt() throws {
        let texts = Self.texts(count: 400, seed: 9)
        var input = Self.jsonl(Array(texts.prefix(250)))
        input += Array("{\"text\": 42}\n".utf8)  // line 251
        input += Self.jsonl(Array(texts.suffix(149)))
        let dir = try TempDir()
        defer { dir.remove() }
        let output = BufferedWriter(try FileDescriptor.create(dir.path("out")))
        #expect(throws: JSONLinesFieldError(source: "rows", line: 251, reason: .notAString("text"))) {
            _ = try Self.tokenizer.encodeJSONLines(from: MemorySource(input, name: "rows"), to: output, threads: 2)
        }
        try output.close()
        #expect([UInt8](try Data(contentsOf: dir.url.appendingPathComponent("out"))) == Self.expected(Array(texts.prefix(250))))
    }

    @Test func aFullOutputIsAnError() throws {
        let fd = open("/dev/full", O_WRONLY)
        try #require(fd >= 0, "no /dev/full on this system")
        let output = BufferedWriter(FileDescriptor(owning: fd, path: "<stdout>"))
        #expect(throws: FileError(path: "<stdout>", operation: "write", code: ENOSPC)) {
            _ = try Self.tokenizer.encodeJSONLines(
                from: MemorySource(Self.jsonl(Self.texts(count: 500, seed: 2))), to: output, threads: 2)
        }
    }

    @Test func encodeBatchMatchesEncodeForAnyThreadCount() {
        let texts = Self.texts(count: 500, seed: 4)
        let one = texts.map { Self.tokenizer.encode($0) }
        for threads in [1, 2, 5] {
            #expect(Self.tokenizer.encodeBatch(texts, threads: threads) == one, "threads \(threads)")
        }
    }

    /// The cap itself: tasks that each take a while never run more than
    /// `workers` at once, and every task runs exactly once.
    @Test(arguments: [1, 2, 3])
    func theWorkerPoolNeverRunsMoreThanAsked(workers: Int) {
        let probe = ConcurrencyProbe()
        WorkerPool.run(tasks: 40, workers: workers) { task in
            probe.enter(task)
            usleep(2_000)
            probe.leave()
        }
        #expect(probe.peak <= workers && probe.peak >= 1)
        #expect(probe.seen == Array(0..<40))
    }
}

/// Counts the tasks running at once.
final class ConcurrencyProbe: @unchecked Sendable {
    private let lock = NSLock()
    private var running = 0
    private(set) var peak = 0
    private var tasks: [Int] = []

    func enter(_ task: Int) {
        lock.lock()
        running += 1
        peak = max(peak, running)
        tasks.append(task)
        lock.unlock()
    }

    func leave() {
        lock.lock()
        running -= 1
        lock.unlock()
    }

    var seen: [Int] {
        lock.lock()
        defer { lock.unlock() }
        return tasks.sorted()
    }
}
