/// Compressed input that does not decode: corrupt data or a stream cut off
/// inside a frame, with the file and the compressed byte offset reached.
public struct DecompressionError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The compressed file (or `<stdin>`).
    public let file: String
    /// Compressed bytes consumed when the problem showed.
    public let offset: Int64
    /// What is wrong: `truncated zstd stream`, `corrupt gzip data (...)`.
    public let reason: String

    public init(file: String, offset: Int64, reason: String) {
        self.file = file
        self.offset = offset
        self.reason = reason
    }

    /// `rows.jsonl.zst: at compressed byte 8: truncated zstd stream`.
    public var description: String { "\(file): at compressed byte \(offset): \(reason)" }
}

/// The compressed side of a decoder: a buffer refilled from the wrapped
/// source, with the count of compressed bytes consumed for error messages.
/// Both decoders drive the same loop over it: refill when empty, let the
/// library consume some input, report how far it got.
struct CompressedInput<Inner: ByteSource & ~Copyable>: ~Copyable {
    private var inner: Inner
    private(set) var buffer: [UInt8]
    /// Unconsumed input is `buffer[start..<end]`.
    private(set) var start = 0
    private(set) var end = 0
    /// Compressed bytes consumed so far (the offset errors report).
    private(set) var consumed: Int64 = 0
    /// The wrapped source returned 0: no more input will come.
    private(set) var innerDone = false

    init(_ inner: consuming Inner, capacity: Int) {
        self.inner = inner
        buffer = [UInt8](repeating: 0, count: capacity)
    }

    var name: String { inner.name }

    /// Refills the buffer when it is empty and more input may come.
    /// Returns false when the input is exhausted.
    ///
    /// - Throws: `DecompressionError` ("truncated `format` stream") when
    ///   the input is exhausted while `truncatedIfDone` (a frame is open).
    mutating func refillIfEmpty(truncatedIfDone: Bool, format: String) throws -> Bool {
        if start == end && !innerDone {
            let n = try buffer.withUnsafeMutableBytes { try inner.read(into: $0) }
            start = 0
            end = n
            if n == 0 { innerDone = true }
        }
        if start == end && truncatedIfDone {
            throw DecompressionError(file: inner.name, offset: consumed, reason: "truncated \(format) stream")
        }
        return start < end
    }

    /// Records that the decoder advanced the input to `newStart`.
    mutating func advance(to newStart: Int) {
        consumed += Int64(newStart - start)
        start = newStart
    }
}
