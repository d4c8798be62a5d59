import Foundation
import LMIO
import LMJSON

/// One `encodeJSONLines` run: cuts each batch of lines into chunks, encodes
/// the chunks on the worker pool, and writes their output in input order.
///
/// `@unchecked Sendable`: chunk `k` is touched only by the worker running
/// it; the ordering state (`done`, `nextToWrite`, `writing`, the errors)
/// only under `lock`; and `output` only by the one worker that holds the
/// `writing` role, which the lock hands from worker to worker.
final class JSONLinesJob: @unchecked Sendable {
    let tokenizer: Tokenizer
    let scanner: JSONFieldScanner
    let addSpecialTokens: Bool
    let workers: Int
    private let output: BufferedWriter
    /// Reused per-chunk state; chunk k of every batch uses `chunks[k]`.
    private var chunks: [JSONLinesChunk] = []
    private(set) var summary = JSONLinesSummary()

    private let lock = NSLock()
    private var done: [Bool] = []
    private var nextToWrite = 0
    private var writing = false
    /// The first bad line and why, once the chunk holding it was written.
    private var failure: (line: Int, error: any Error)?
    private var writeError: (any Error)?

    init(tokenizer: Tokenizer, output: BufferedWriter, field: String, addSpecialTokens: Bool, workers: Int) {
        self.tokenizer = tokenizer
        self.output = output
        scanner = JSONFieldScanner(field: field)
        self.addSpecialTokens = addSpecialTokens
        self.workers = workers
    }

    /// Encodes `batch` and writes its output.
    func process(_ batch: LineBatch, source: String) throws {
        // Chunks of consecutive lines, about `jsonLinesChunkBytes` each.
        var bounds = [0]
        var bytes = 0
        for i in 0..<batch.count {
            bytes += batch.lineLength(i) + 1
            if bytes >= Tokenizer.jsonLinesChunkBytes || i == batch.count - 1 {
                bounds.append(i + 1)
                summary.inputBytes += bytes
                bytes = 0
            }
        }
        let chunkCount = bounds.count - 1
        while chunks.count < chunkCount { chunks.append(JSONLinesChunk()) }
        done = Array(repeating: false, count: chunkCount)
        nextToWrite = 0
        writing = false
        let chunks = self.chunks, lineBounds = bounds
        WorkerPool.run(tasks: chunkCount, workers: workers) { c in
            chunks[c].run(self, batch, lines: lineBounds[c]..<lineBounds[c + 1])
            self.finished(c, of: chunkCount)
        }
        if let writeError { throw writeError }
        if let failure {
            try output.flush()  // the lines before the bad one are written
            if let field = failure.error as? JSONFieldError {
                throw JSONLinesFieldError(source: source, line: failure.line, reason: field)
            }
            throw JSONLinesEncodeError(source: source, line: failure.line, reason: "\(failure.error)")
        }
        summary.lines += batch.count
        summary.tokens += chunks.prefix(chunkCount).reduce(0) { $0 + $1.tokens }
        // Nothing held back while the next block is read.
        try output.flush()
    }

    /// Marks chunk `c` done and, unless another worker is writing, writes
    /// every chunk that is next in order and done. Stops at a failed chunk
    /// (after writing the lines before its bad line) or a write error.
    private func finished(_ c: Int, of count: Int) {
        lock.lock()
        done[c] = true
        if writing {
            lock.unlock()
            return
        }
        writing = true
        while nextToWrite < count, done[nextToWrite], failure == nil, writeError == nil {
            let chunk = chunks[nextToWrite]
            nextToWrite += 1
            lock.unlock()
            var lost: (any Error)?
            // One write per chunk, as it is finished, so a reader on the
            // other end of a pipe gets output while later chunks encode.
            do { try output.writeUnbuffered(chunk.out.unsafeBytes) } catch { lost = error }
            lock.lock()
            if let lost { writeError = lost }
            if let bad = chunk.failure { failure = bad }
        }
        writing = false
        lock.unlock()
    }
}

/// One worker's buffers for a chunk of lines, reused batch after batch.
final class JSONLinesChunk: @unchecked Sendable {
    let out = UnsafeByteBuffer()
    let text = UnsafeByteBuffer()
    var ids: [UInt32] = []
    /// The chunk's first bad line (1-based) and why; its lines before it are in `out`.
    var failure: (line: Int, error: any Error)?
    /// Ids written by the last run.
    var tokens = 0

    func run(_ job: JSONLinesJob, _ batch: LineBatch, lines: Range<Int>) {
        out.removeAll()
        failure = nil
        tokens = 0
        job.tokenizer.scratchPool.with { scratch in
            for k in lines {
                do {
                    // The field's value is never longer than its line.
                    try batch.withUnsafeLine(k) { line in
                        try text.overwrite(room: line.count) {
                            try job.scanner.string(in: line.assumingMemoryBound(to: UInt8.self), into: $0)
                        }
                    }
                } catch let error as JSONFieldError {
                    failure = (batch.firstLineNumber + k, error)
                    return
                } catch {
                    preconditionFailure("JSONFieldScanner throws only JSONFieldError: \(error)")
                }
                ids.removeAll(keepingCapacity: true)
                do {
                    try job.tokenizer.encodeChecked(
                        unsafeUTF8: UnsafeBufferPointer(start: text.start, count: text.count),
                        addSpecialTokens: job.addSpecialTokens, into: &ids, scratch: &scratch)
                } catch {
                    failure = (batch.firstLineNumber + k, error)
                    return
                }
                tokens += ids.count
                out.appendIdsLine(ids)
            }
        }
    }
}
