import Foundation
import LMJSON
import LMTokenizer

/// Parses, encodes and renders the lines of one batch, chunk by chunk.
final class TokenizeJob: @unchecked Sendable {
    let tokenizer: Tokenizer
    let scanner: JSONFieldScanner
    let addSpecialTokens: Bool
    let workers: Int
    /// Reused per-chunk state; chunk k of every batch uses `chunks[k]`.
    private var chunks: [TokenizeChunk] = []
    /// Line starts of the current batch (plus its end).
    private var lineStarts: [Int] = []
    /// Lines in the batch just processed.
    private(set) var lineCount = 0

    init(tokenizer: Tokenizer, field: String, addSpecialTokens: Bool, workers: Int) {
        self.tokenizer = tokenizer
        scanner = JSONFieldScanner(field: field)
        self.addSpecialTokens = addSpecialTokens
        self.workers = workers
    }

    /// Handles the lines in `batch` (each ends with "\n", except perhaps the
    /// last when `final`) and writes their output. Returns the first bad
    /// line and its message, after writing the output of the lines before it.
    func process(_ batch: UnsafeBufferPointer<UInt8>, firstLine: Int, final: Bool) -> (Int, String)? {
        guard let base = batch.baseAddress else { lineCount = 0; return nil }
        // Line starts; readLine semantics: a trailing "\n" does not open a line.
        lineStarts.removeAll(keepingCapacity: true)
        var p = 0
        let n = batch.count
        while p < n {
            lineStarts.append(p)
            if let nl = memchr(base + p, 0x0A, n - p) {
                p = base.distance(to: nl.assumingMemoryBound(to: UInt8.self)) + 1
            } else {
                p = n
            }
        }
        lineStarts.append(n)
        lineCount = lineStarts.count - 1
        guard lineCount > 0 else { return nil }

        // Chunks of consecutive lines, about `chunkBytes` each.
        var bounds: [Int] = [0]
        var last = 0
        for k in 1...lineCount where lineStarts[k] - lineStarts[last] >= TokenizeCommand.chunkBytes || k == lineCount {
            bounds.append(k)
            last = k
        }
        let chunkCount = bounds.count - 1
        while chunks.count < chunkCount { chunks.append(TokenizeChunk()) }

        // Output goes out in order as soon as a chunk and all before it are
        // done, so writing overlaps encoding; one worker writes at a time.
        done.removeAll(keepingCapacity: true)
        done.append(contentsOf: repeatElement(false, count: chunkCount))
        nextToWrite = 0
        writing = false
        failure = nil
        let run: (Int) -> Void = { c in
            self.chunks[c].run(self, batch, lines: bounds[c]..<bounds[c + 1], firstLine: firstLine)
            self.finished(c, of: chunkCount)
        }
        if workers == 1 || chunkCount == 1 {
            for c in 0..<chunkCount { run(c) }
        } else {
            DispatchQueue.concurrentPerform(iterations: chunkCount, execute: run)
        }
        return failure
    }

    private let lock = NSLock()
    private var done: [Bool] = []
    private var nextToWrite = 0
    private var writing = false
    private var failure: (Int, String)?

    /// Marks chunk `c` done and, unless another worker is writing, writes
    /// every chunk that is next in order and done. Stops at a failed chunk
    /// (after writing the lines before its bad line).
    private func finished(_ c: Int, of count: Int) {
        lock.lock()
        done[c] = true
        if writing {
            lock.unlock()
            return
        }
        writing = true
        while nextToWrite < count, done[nextToWrite], failure == nil {
            let chunk = chunks[nextToWrite]
            nextToWrite += 1
            lock.unlock()
            chunk.out.writeAll(fd: 1)
            lock.lock()
            if let f = chunk.failure { failure = f }
        }
        writing = false
        lock.unlock()
    }

    /// The line's bytes without its "\n" (and without a "\r" before it,
    /// as `readLine` strips "\r\n").
    @inline(__always)
    func line(_ batch: UnsafeBufferPointer<UInt8>, _ k: Int) -> UnsafeBufferPointer<UInt8> {
        var end = lineStarts[k + 1]
        let start = lineStarts[k]
        if end > start && batch[end - 1] == 0x0A { end -= 1 }
        if end > start && batch[end - 1] == 0x0D { end -= 1 }
        return UnsafeBufferPointer(rebasing: batch[start..<end])
    }
}

/// One worker's buffers for a chunk of lines.
final class TokenizeChunk: @unchecked Sendable {
    let out = ByteBuffer()
    let text = ByteBuffer()
    var ids: [UInt32] = []
    var failure: (Int, String)?

    func run(_ job: TokenizeJob, _ batch: UnsafeBufferPointer<UInt8>, lines: Range<Int>, firstLine: Int) {
        out.removeAll()
        failure = nil
        for k in lines {
            let line = job.line(batch, k)
            ids.removeAll(keepingCapacity: true)
            do {
                // The field's value is never longer than its line.
                try text.overwrite(room: line.count) { try job.scanner.string(in: line, into: $0) }
            } catch {
                failure = (firstLine + k, "\(error)")
                return
            }
            do {
                try text.withBytes(0..<text.count) {
                    try job.tokenizer.encodeChecked(unsafeUTF8: $0, addSpecialTokens: job.addSpecialTokens, into: &ids)
                }
            } catch {
                failure = (firstLine + k, "\(error)")
                return
            }
            out.appendIdsLine(ids)
        }
    }
}
