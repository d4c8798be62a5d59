import ArgumentParser
import Foundation
import LMJSON
import LMTokenizer

/// `lmshard tokenize`: JSONL on stdin -> `{"ids":[...]}` per line on stdout.
///
/// stdin is read in large blocks; each block's lines are cut into chunks of
/// about `chunkBytes`, and every chunk is parsed, encoded and rendered on a
/// worker into its own reused buffer. The chunks' output is then written in
/// input order, one `write` per chunk. Only reading and writing are serial.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokenize the text field of each JSONL line on stdin, writing {\"ids\":[...]} lines in order.")

    @Option(name: .long, help: "A tokenizer.json, a directory holding one, or a hub id (ORG/NAME).")
    var tokenizer: String

    @Option(name: .long, help: "The string field to tokenize.")
    var field: String = "text"

    @Flag(name: .long, help: "Apply the tokenizer's post-processor (BOS/EOS templates).")
    var addSpecialTokens = false

    @Option(name: .long, help: "Worker threads (default: all cores; 1 = single-threaded).")
    var threads: Int?

    /// For tools/bench/tokenizer: the process's own load and encode times,
    /// so the benchmark need not subtract a separately timed process start.
    @Flag(name: .long, help: .hidden)
    var reportTiming = false

    /// Input bytes per batch: the work between two serial read/write steps.
    static let batchBytes = 8 << 20
    /// Target input bytes per chunk of lines handed to one worker: many more
    /// chunks than workers, so one long document does not idle the rest.
    static let chunkBytes = 64 << 10

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if field.isEmpty { throw ValidationError("--field must not be empty") }
    }

    func run() throws {
        let clock = ContinuousClock()
        let loadStart = clock.now
        let tok: Tokenizer
        do {
            tok = try Tokenizer.fromPretrained(tokenizer)
        } catch {
            FileHandle.standardError.write(Data("lmshard tokenize: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let encodeStart = clock.now
        defer {
            if reportTiming {
                func seconds(_ d: Duration) -> Double {
                    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
                }
                let load = seconds(encodeStart - loadStart), encode = seconds(clock.now - encodeStart)
                FileHandle.standardError.write(Data("{\"load_seconds\": \(load), \"encode_seconds\": \(encode)}\n".utf8))
            }
        }
        let workers = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        Pipes.enlarge(fd: 0)
        Pipes.enlarge(fd: 1)
        let job = TokenizeJob(tokenizer: tok, field: field, addSpecialTokens: addSpecialTokens, workers: workers)
        let input = ByteBuffer()
        var lineNumber = 0
        var eof = false
        // When stdin has nothing more ready (a read came back short, as
        // pipes do), a batch starts once it holds this much: the writer
        // then refills the pipe while the batch encodes, instead of
        // encoding waiting for a full batch to arrive.
        let readyBatch = Self.chunkBytes * workers * 4
        while !eof {
            // Fill to at least one batch, and at least one whole line.
            var drained = false
            while !eof && (input.count < Self.batchBytes || input.lastIndex(of: 0x0A) == nil) {
                if drained && input.count >= readyBatch && input.lastIndex(of: 0x0A) != nil { break }
                input.reserve(input.count + Self.batchBytes)
                let want = input.capacity - input.count
                let n = input.readAppending(fd: 0, max: want)
                if n < 0 { throw ExitCode(1) }
                if n == 0 { eof = true }
                drained = n < want
            }
            // Complete lines end at the last newline; at EOF the rest is a line too.
            let end: Int
            if eof {
                end = input.count
            } else {
                end = input.lastIndex(of: 0x0A)! + 1
            }
            if end > 0 {
                let failed = input.withBytes(0..<end) { job.process($0, firstLine: lineNumber + 1, final: eof) }
                lineNumber += job.lineCount
                if let (line, message) = failed {
                    FileHandle.standardError.write(Data("stdin:\(line): \(message)\n".utf8))
                    throw ExitCode(1)
                }
            }
            input.removeFirst(end)
        }
    }
}

/// Pipe buffer sizing for stdin and stdout.
enum Pipes {
    /// Linux's `F_SETPIPE_SZ` (not exported to Swift).
    static let setPipeSize: Int32 = 1031
    /// 1 MB, Linux's default ceiling for unprivileged processes.
    static let size: Int32 = 1 << 20

    /// Grows the pipe behind `fd` (if it is one) from the default 64 KB to
    /// 1 MB, so a writer and a reader on different cores block on each
    /// other less often: with 64 KB, writing ~15 MB of ids to a reader
    /// that drains in 32 KB reads stalled encoding hundreds of times
    /// (~20% of single-thread time on 10 MB of Python source). Failure
    /// (not a pipe, not Linux, a lower limit) leaves the pipe as it was.
    static func enlarge(fd: Int32) {
        #if os(Linux)
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFIFO else { return }
        _ = fcntl(fd, setPipeSize, size)
        #endif
    }
}

/// Parses, encodes and renders the lines of one batch, chunk by chunk.
final class TokenizeJob: @unchecked Sendable {
    let tokenizer: Tokenizer
    let field: String
    let fieldBytes: [UInt8]
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
        self.field = field
        fieldBytes = Array(field.utf8)
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
            text.removeAll()
            if JSONLFastField.extract(job.fieldBytes, from: line, into: text) {
                text.withBytes(0..<text.count) {
                    job.tokenizer.encode(utf8: $0, addSpecialTokens: job.addSpecialTokens, into: &ids)
                }
            } else {
                // Anything unusual (escaped keys, lone surrogates, invalid
                // UTF-8, errors): the general parser decides, as before.
                do {
                    var s = try JSONLField.string(job.field, in: String(decoding: line, as: UTF8.self))
                    s.withUTF8 { job.tokenizer.encode(utf8: $0, addSpecialTokens: job.addSpecialTokens, into: &ids) }
                } catch let error as JSONLField.Failure {
                    failure = (firstLine + k, error.message)
                    return
                } catch {
                    failure = (firstLine + k, "\(error)")
                    return
                }
            }
            out.appendIdsLine(ids)
        }
    }
}

/// Reads one string field from a JSONL line.
enum JSONLField {
    struct Failure: Error { let message: String }

    static func string(_ field: String, in line: String) throws -> String {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(line.utf8), options: [])
        } catch {
            throw Failure(message: "not valid JSON")
        }
        guard let dict = object as? [String: Any] else { throw Failure(message: "expected a JSON object") }
        guard let value = dict[field] else { throw Failure(message: "missing field \"\(field)\"") }
        guard let text = value as? String else { throw Failure(message: "field \"\(field)\" is not a string") }
        return text
    }
}

/// A growable byte buffer over raw memory (no per-byte uniqueness checks).
/// One thread uses a buffer at a time, hence `@exclusivity(unchecked)`.
final class ByteBuffer {
    @exclusivity(unchecked) private(set) var start: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private(set) var capacity: Int
    @exclusivity(unchecked) var count = 0

    init(capacity: Int = 1 << 16) {
        self.capacity = capacity
        start = .allocate(capacity: capacity)
    }

    deinit { start.deallocate() }

    var end: UnsafeMutablePointer<UInt8> { start + count }

    /// Makes room for `n` bytes in all, keeping the contents.
    func reserve(_ n: Int) {
        guard n > capacity else { return }
        let c = max(n, capacity * 2)
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        fresh.update(from: start, count: count)
        start.deallocate()
        start = fresh
        capacity = c
    }

    func removeAll() { count = 0 }

    func removeFirst(_ k: Int) {
        if k < count { start.update(from: start + k, count: count - k) }
        count -= k
    }

    @inline(__always)
    func append(_ b: UInt8) {
        if count == capacity { reserve(count + 1) }
        start[count] = b
        count += 1
    }

    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(count + bytes.count)
        (start + count).update(from: base, count: bytes.count)
        count += bytes.count
    }

    /// Appends `{"ids":[...]}` and a newline, the digits written in place
    /// by LMJSON's id writer.
    func appendIdsLine(_ ids: [UInt32]) {
        let head: StaticString = #"{"ids":"#
        let tail: StaticString = "}\n"
        reserve(count + head.utf8CodeUnitCount + JSONWriter.idArrayCapacity(ids.count) + tail.utf8CodeUnitCount)
        (start + count).update(from: head.utf8Start, count: head.utf8CodeUnitCount)
        count += head.utf8CodeUnitCount
        count += ids.withUnsafeBufferPointer { JSONWriter.writeIdArray($0, at: start + count) }
        (start + count).update(from: tail.utf8Start, count: tail.utf8CodeUnitCount)
        count += tail.utf8CodeUnitCount
    }

    func lastIndex(of b: UInt8) -> Int? {
        var i = count - 1
        while i >= 0 {
            if start[i] == b { return i }
            i -= 1
        }
        return nil
    }

    func withBytes<R>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: start + range.lowerBound, count: range.count))
    }

    /// One `read`; returns the bytes read (0 at EOF, -1 on error).
    func readAppending(fd: Int32, max: Int) -> Int {
        while true {
            let n = read(fd, start + count, max)
            if n < 0 && errno == EINTR { continue }
            if n > 0 { count += n }
            return n
        }
    }

    func writeAll(fd: Int32) {
        var p = 0
        while p < count {
            let n = write(fd, start + p, count - p)
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            p += n
        }
    }
}

/// A strict, allocation-free reader for the common JSONL shape: an object
/// whose `field` is a string. It either decodes that string's UTF-8 into
/// `out` and returns true, or returns false and leaves the line to the
/// general parser: on malformed JSON, a missing or non-string field, keys
/// with escapes, duplicate fields, lone surrogates, invalid UTF-8, deep
/// nesting, or numbers a Double might not hold exactly.
enum JSONLFastField {
    static func extract(_ field: [UInt8], from line: UnsafeBufferPointer<UInt8>, into out: ByteBuffer) -> Bool {
        guard !line.isEmpty else { return false }
        return field.withUnsafeBufferPointer { f in
            var r = Reader(t: line)
            return r.object(field: f, out: out)
        }
    }

    struct Reader {
        let t: UnsafeBufferPointer<UInt8>
        var i = 0

        @inline(__always)
        mutating func skipSpace() {
            while i < t.count {
                let b = t[i]
                if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { i += 1 } else { break }
            }
        }

        mutating func object(field: UnsafeBufferPointer<UInt8>, out: ByteBuffer) -> Bool {
            skipSpace()
            guard i < t.count, t[i] == UInt8(ascii: "{") else { return false }
            i += 1
            skipSpace()
            var found = false
            if i < t.count, t[i] == UInt8(ascii: "}") { return false }
            while true {
                skipSpace()
                guard i < t.count, t[i] == UInt8(ascii: "\"") else { return false }
                i += 1
                let keyStart = i
                while i < t.count, t[i] != UInt8(ascii: "\""), t[i] != UInt8(ascii: "\\"), t[i] >= 0x20, t[i] < 0x80 { i += 1 }
                guard i < t.count, t[i] == UInt8(ascii: "\"") else { return false }
                let key = UnsafeBufferPointer(rebasing: t[keyStart..<i])
                i += 1
                skipSpace()
                guard i < t.count, t[i] == UInt8(ascii: ":") else { return false }
                i += 1
                skipSpace()
                if key.elementsEqual(field) {
                    guard !found, i < t.count, t[i] == UInt8(ascii: "\"") else { return false }
                    found = true
                    guard string(into: out) else { return false }
                } else {
                    guard value(depth: 0) else { return false }
                }
                skipSpace()
                guard i < t.count else { return false }
                if t[i] == UInt8(ascii: ",") { i += 1; continue }
                guard t[i] == UInt8(ascii: "}") else { return false }
                i += 1
                break
            }
            skipSpace()
            return found && i == t.count
        }

        /// Skips one value, checking it.
        mutating func value(depth: Int) -> Bool {
            guard depth < 64, i < t.count else { return false }
            switch t[i] {
            case UInt8(ascii: "\""):
                return string(into: nil)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let close = t[i] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                let isObject = close == UInt8(ascii: "}")
                i += 1
                skipSpace()
                if i < t.count, t[i] == close { i += 1; return true }
                while true {
                    skipSpace()
                    if isObject {
                        guard i < t.count, t[i] == UInt8(ascii: "\"") else { return false }
                        guard value(depth: depth + 1) else { return false }
                        skipSpace()
                        guard i < t.count, t[i] == UInt8(ascii: ":") else { return false }
                        i += 1
                        skipSpace()
                    }
                    guard value(depth: depth + 1) else { return false }
                    skipSpace()
                    guard i < t.count else { return false }
                    if t[i] == UInt8(ascii: ",") { i += 1; continue }
                    guard t[i] == close else { return false }
                    i += 1
                    return true
                }
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            default: return number()
            }
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let n = word.utf8CodeUnitCount
            guard i + n <= t.count else { return false }
            let w = word.utf8Start
            for k in 0..<n where t[i + k] != w[k] { return false }
            i += n
            return true
        }

        /// Integers and plain decimals of at most 15 digits; anything else
        /// (exponents, long numbers) goes to the general parser.
        mutating func number() -> Bool {
            var digits = 0
            if i < t.count, t[i] == UInt8(ascii: "-") { i += 1 }
            guard i < t.count, t[i] >= 0x30, t[i] <= 0x39 else { return false }
            if t[i] == 0x30 {
                i += 1
                digits = 1
            } else {
                while i < t.count, t[i] >= 0x30, t[i] <= 0x39 { i += 1; digits += 1 }
            }
            if i < t.count, t[i] == UInt8(ascii: ".") {
                i += 1
                let before = digits
                while i < t.count, t[i] >= 0x30, t[i] <= 0x39 { i += 1; digits += 1 }
                guard digits > before else { return false }
            }
            if i < t.count, t[i] == UInt8(ascii: "e") || t[i] == UInt8(ascii: "E") { return false }
            return digits <= 15
        }

        @inline(__always)
        func hex(_ b: UInt8) -> UInt32? {
            switch b {
            case 0x30...0x39: return UInt32(b - 0x30)
            case 0x41...0x46: return UInt32(b - 0x41 + 10)
            case 0x61...0x66: return UInt32(b - 0x61 + 10)
            default: return nil
            }
        }

        mutating func hex4() -> UInt32? {
            guard i + 4 <= t.count else { return nil }
            var v: UInt32 = 0
            for k in 0..<4 {
                guard let h = hex(t[i + k]) else { return nil }
                v = v << 4 | h
            }
            i += 4
            return v
        }

        /// The end of the run of plain ASCII string bytes (not `"`, `\`, a
        /// control or non-ASCII) from `i`, eight bytes per step where the
        /// line allows: JSONL text runs tens of bytes between escapes.
        @inline(__always)
        func plainEnd(from start: Int) -> Int {
            var i = start
            if let base = t.baseAddress {
                let ones: UInt64 = 0x0101_0101_0101_0101
                let highs: UInt64 = 0x8080_8080_8080_8080
                while i + 8 <= t.count {
                    let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                    // High bit set in a byte that is a quote, a backslash,
                    // below 0x20 or non-ASCII. Borrows only flag bytes
                    // above a flagged one, so the lowest flag is exact.
                    let quote = w ^ (ones &* 0x22)
                    let backslash = w ^ (ones &* 0x5C)
                    let special = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
                        | ((w &- ones &* 0x20) & ~w) | w
                    let hits = special & highs
                    if hits != 0 { return i + hits.trailingZeroBitCount >> 3 }
                    i += 8
                }
            }
            while i < t.count {
                let b = t[i]
                if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 || b >= 0x80 { break }
                i += 1
            }
            return i
        }

        /// A string starting at the opening quote: its UTF-8 goes to `out`.
        mutating func string(into out: ByteBuffer?) -> Bool {
            i += 1
            while true {
                // Plain ASCII run.
                let runStart = i
                i = plainEnd(from: i)
                if i > runStart { out?.append(UnsafeBufferPointer(rebasing: t[runStart..<i])) }
                guard i < t.count else { return false }
                let b = t[i]
                if b == UInt8(ascii: "\"") {
                    i += 1
                    return true
                }
                if b < 0x20 { return false }
                if b >= 0x80 {
                    let n = validUTF8Length(at: i)
                    guard n > 0 else { return false }
                    out?.append(UnsafeBufferPointer(rebasing: t[i..<(i + n)]))
                    i += n
                    continue
                }
                // Escape.
                i += 1
                guard i < t.count else { return false }
                let e = t[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out?.append(e)
                case UInt8(ascii: "b"): out?.append(0x08)
                case UInt8(ascii: "f"): out?.append(0x0C)
                case UInt8(ascii: "n"): out?.append(0x0A)
                case UInt8(ascii: "r"): out?.append(0x0D)
                case UInt8(ascii: "t"): out?.append(0x09)
                case UInt8(ascii: "u"):
                    guard var v = hex4() else { return false }
                    if v >= 0xDC00 && v <= 0xDFFF { return false }
                    if v >= 0xD800 && v <= 0xDBFF {
                        guard i + 2 <= t.count, t[i] == UInt8(ascii: "\\"), t[i + 1] == UInt8(ascii: "u") else { return false }
                        i += 2
                        guard let lo = hex4(), lo >= 0xDC00, lo <= 0xDFFF else { return false }
                        v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                    }
                    if let out { appendScalar(v, to: out) }
                default:
                    return false
                }
            }
        }

        @inline(__always)
        func appendScalar(_ v: UInt32, to out: ByteBuffer) {
            if v < 0x80 {
                out.append(UInt8(v))
            } else if v < 0x800 {
                out.append(UInt8(0xC0 | (v >> 6)))
                out.append(UInt8(0x80 | (v & 0x3F)))
            } else if v < 0x10000 {
                out.append(UInt8(0xE0 | (v >> 12)))
                out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
                out.append(UInt8(0x80 | (v & 0x3F)))
            } else {
                out.append(UInt8(0xF0 | (v >> 18)))
                out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
                out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
                out.append(UInt8(0x80 | (v & 0x3F)))
            }
        }

        /// Length of the well-formed UTF-8 sequence at `p` (lead byte >= 0x80),
        /// or 0 when it is not well-formed.
        func validUTF8Length(at p: Int) -> Int {
            let b0 = t[p]
            @inline(__always) func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
                p + k < t.count && t[p + k] >= lo && t[p + k] <= hi
            }
            switch b0 {
            case 0xC2...0xDF: return cont(1) ? 2 : 0
            case 0xE0: return cont(1, 0xA0) && cont(2) ? 3 : 0
            case 0xE1...0xEC, 0xEE...0xEF: return cont(1) && cont(2) ? 3 : 0
            case 0xED: return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0
            case 0xF0: return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0
            case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : 0
            case 0xF4: return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0
            default: return 0
            }
        }
    }
}
