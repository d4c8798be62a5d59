import ArgumentParser
import Foundation
import LMIO
import LMJSON

/// `lmshard-bench lines`: LMIO's line splitter (both faces) against a plain
/// byte loop over the same rows in the same run, and the whole input path
/// of a build (a JSONL file on disk -> `LineReader` -> `JSONParser`).
/// (Before LMIO this was part of tools/bench/json, over LMJSON's reader.)
struct LinesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lines", abstract: "Time LMIO's line splitting (for tools/bench/json).")

    @Argument(help: "A JSONL file (default: 50 MB of synthetic pretraining-like rows).")
    var rows: String?

    func run() throws {
        do {
            let bytes = try rows.map { try FileSystem.readFile($0, limit: 1 << 34) } ?? Self.syntheticRows()
            try measure(bytes)
        } catch {
            throw BenchFailure(error)
        }
    }

    /// The rows tools/bench/json generates.
    static func syntheticRows() -> [UInt8] {
        var rows: [UInt8] = []
        let words = ["the", "quick", "brown", "fox", "jumps", "über", "lazy", "dög", "\\n", "\\\"quoted\\\""]
        var n = 0
        while rows.count < 50_000_000 {
            var text = ""
            for k in 0..<(200 + n % 300) { text += words[(n &+ k &* 7) % words.count] + " " }
            rows.append(contentsOf: "{\"id\":\(n),\"text\":\"\(text)\",\"meta\":{\"score\":0.\(n % 997),\"lang\":\"en\"}}\n".utf8)
            n += 1
        }
        return rows
    }

    func measure(_ rows: [UInt8]) throws {
        let mb = Double(rows.count) / 1e6
        var sink = 0
        func best(of n: Int, _ body: () throws -> Void) rethrows -> Double {
            var b = Double.infinity
            let clock = ContinuousClock()
            for _ in 0..<n {
                let t0 = clock.now
                try body()
                b = min(b, seconds(clock.now - t0))
            }
            return b
        }
        let byteLoop = best(of: 3) {
            rows.withUnsafeBytes { all in
                var start = 0
                for k in 0..<all.count where all[k] == 0x0A {
                    sink &+= k - start
                    start = k + 1
                }
            }
        }
        let reader = try best(of: 3) {
            var r = LineReader(MemorySource(rows))
            while let n = try r.next({ b, _ in b.count }) { sink &+= n }
        }
        let batches = try best(of: 3) {
            var b = LineBatches(MemorySource(rows))
            while let batch = try b.nextBatch(maxRows: 4096) { sink &+= batch.count }
        }
        print(String(format: "%.1f MB: byte loop %.3f s; LineReader %.3f s (%.0f MB/s, %.2fx the byte loop's time); "
                     + "LineBatches %.3f s (%.0f MB/s, %.2fx)", mb, byteLoop, reader, mb / reader, reader / byteLoop,
                     batches, mb / batches, batches / byteLoop))

        let path = NSTemporaryDirectory() + "/lmshard-bench-rows-\(getpid()).jsonl"
        try AtomicFile.write(rows, to: path)
        defer { try? FileSystem.remove(path) }
        let endToEnd = try best(of: 3) {
            var r = LineReader(try FileDescriptor.openForReading(path))
            while let row = try r.next({ b, _ in try JSONParser.parseLine(b) }) {
                if case .object = row { sink &+= 1 }
            }
        }
        print(String(format: "file -> LineReader -> parse: %.3f s (%.0f MB/s)", endToEnd, mb / endToEnd))
        if sink == 42 { print("") }
    }
}
