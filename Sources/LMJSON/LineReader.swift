#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A line longer than `LineReader.maximumLineLength`.
public struct LineTooLongError: Error, CustomStringConvertible, Equatable, Sendable {
    /// 1-based number of the offending line.
    public let line: Int
    /// The limit that was exceeded, in bytes.
    public let limit: Int

    /// `line 7 is longer than 1073741824 bytes`.
    public var description: String { "line \(line) is longer than \(limit) bytes" }
}

/// Splits a `ByteSource` into newline-delimited records (JSONL rows).
///
/// Each line is handed to a closure as a borrowed `UnsafeRawBufferPointer`
/// into the reader's buffer, without the `\n` and without a `\r` right
/// before it (CRLF files read like LF files), together with its 1-based line
/// number. Empty lines are yielded too (callers skip them), and a last line
/// without `\n` is yielded as a line. The closure form is used instead of an
/// iterator of `ArraySlice`s because it costs no copy and no allocation per
/// line; `nextLine()` is the copying convenience.
///
/// Memory: one buffer of `bufferSize` bytes (default 1 MiB), doubled only
/// when a single line does not fit, so memory is bounded by the longest line
/// (and by `maximumLineLength`).
public struct LineReader<Source: ByteSource> {
    /// The underlying byte source.
    public private(set) var source: Source
    /// Lines longer than this throw `LineTooLongError` instead of growing
    /// the buffer without bound.
    public let maximumLineLength: Int
    /// Number of the last line yielded (0 before the first).
    public private(set) var lineNumber = 0

    var buffer: [UInt8]
    var start = 0  // first unconsumed byte
    var end = 0  // one past the last valid byte
    var scanned = 0  // bytes from `start` known to hold no '\n'
    var atEnd = false

    /// Creates a reader over `source`.
    ///
    /// - Parameters:
    ///   - bufferSize: initial buffer size; 64 KiB to 1 MiB reads at full
    ///     speed (1 MiB is the default).
    ///   - maximumLineLength: longest accepted line in bytes (default 1 GiB).
    public init(_ source: Source, bufferSize: Int = 1 << 20, maximumLineLength: Int = 1 << 30) {
        precondition(bufferSize > 0 && maximumLineLength > 0, "sizes must be positive")
        self.source = source
        self.maximumLineLength = maximumLineLength
        self.buffer = [UInt8](repeating: 0, count: bufferSize)
    }

    /// Calls `body` with the next line's bytes and its 1-based line number
    /// and returns what `body` returns, or `nil` at the end of the input.
    ///
    /// The bytes are valid only inside `body`.
    ///
    /// - Throws: the source's errors, `LineTooLongError`, or what `body` throws.
    public mutating func next<R>(_ body: (UnsafeRawBufferPointer, Int) throws -> R) throws -> R? {
        while true {
            if let nl = findNewline() {
                var stop = nl
                if stop > start && buffer[stop - 1] == 0x0D { stop -= 1 }
                return try yield(from: start, to: stop, consumedTo: nl + 1, body)
            }
            if atEnd {
                guard start < end else { return nil }
                var stop = end
                if buffer[stop - 1] == 0x0D { stop -= 1 }
                return try yield(from: start, to: stop, consumedTo: end, body)
            }
            try refill()
        }
    }

    /// The next line as a fresh array, or `nil` at the end; copies, so
    /// prefer `next(_:)` on hot paths.
    public mutating func nextLine() throws -> (line: Int, bytes: [UInt8])? {
        try next { ([UInt8]($0), $1) }.map { (line: $0.1, bytes: $0.0) }
    }

    mutating func yield<R>(
        from s: Int, to e: Int, consumedTo next: Int, _ body: (UnsafeRawBufferPointer, Int) throws -> R
    ) throws -> R {
        lineNumber += 1
        start = next
        scanned = 0
        let line = lineNumber
        return try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[s..<e]), line) }
    }

    /// Index of the next `\n` at or after `start`, searching only bytes not
    /// already scanned (memchr: several GB/s, vs ~1 GB/s for a byte loop).
    mutating func findNewline() -> Int? {
        let from = start + scanned
        guard from < end else { return nil }
        let found: Int? = buffer.withUnsafeBytes { raw in
            guard let base = raw.baseAddress, let hit = memchr(base + from, 0x0A, end - from) else { return nil }
            return base.distance(to: UnsafeRawPointer(hit))
        }
        if found == nil { scanned = end - start }
        return found
    }

    /// Moves the partial line to the front, grows the buffer if the line
    /// fills it, and reads more bytes.
    mutating func refill() throws {
        if start > 0 {
            let n = end - start
            buffer.withUnsafeMutableBytes { raw in
                if let base = raw.baseAddress, n > 0 { memmove(base, base + start, n) }
            }
            start = 0
            end = n
        }
        if end == buffer.count {
            guard buffer.count <= maximumLineLength else {
                throw LineTooLongError(line: lineNumber + 1, limit: maximumLineLength)
            }
            let grow = min(buffer.count, maximumLineLength - buffer.count + 1)
            buffer.append(contentsOf: repeatElement(0, count: grow))
        }
        let from = end
        let n = try buffer.withUnsafeMutableBytes { raw in
            try source.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[from...]))
        }
        if n == 0 { atEnd = true } else { end += n }
    }
}
