/// Whole lines of one read block: line `i`'s bytes, without its `\n` (and
/// without a `\r` right before it).
///
/// A line's bytes live in the block, which the batch keeps alive: they are
/// valid as long as the batch is, and reached only inside
/// `withUnsafeLine(_:_:)` (parse or copy them there). Batches are
/// `Sendable`: the local runner's workers read one batch's lines at once.
public struct LineBatch: Sendable {
    let block: ByteBlock
    let lines: [Range<Int>]
    /// 1-based number of the batch's first line in its source.
    public let firstLineNumber: Int
    /// Offset in the source's bytes of the block's first byte.
    let blockOffset: Int

    /// Lines in the batch.
    public var count: Int { lines.count }
    /// Whether the batch has no lines (never true for a batch handed out).
    public var isEmpty: Bool { lines.isEmpty }

    /// Calls `body` with the bytes of line `i` (0-based within the batch),
    /// which must not escape it.
    @inline(__always)
    public func withUnsafeLine<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: block.bytes[lines[i]]))
    }

    /// Offset in the source's bytes (0-based, from the start of what was
    /// read, decompressed if the source decompresses) of line `i`'s first byte.
    public func lineOffset(_ i: Int) -> Int { blockOffset + lines[i].lowerBound }

    /// Bytes in line `i` (without its line ending).
    public func lineLength(_ i: Int) -> Int { lines[i].count }

    /// A copy of line `i`'s bytes.
    public func line(_ i: Int) -> [UInt8] { withUnsafeLine(i) { [UInt8]($0) } }
}

/// A heap block of bytes whose address never moves, freed with the last
/// batch that refers to it. `@unchecked Sendable`: its bytes are written
/// only by the splitter before a batch over them is handed out, and only
/// read afterwards.
final class ByteBlock: @unchecked Sendable {
    let bytes: UnsafeMutableRawBufferPointer

    init(capacity: Int) {
        bytes = .allocate(byteCount: capacity, alignment: 64)
    }

    deinit { bytes.deallocate() }
}

/// A line longer than a splitter's `maximumLineLength`.
public struct LineTooLongError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The source (a path, `<stdin>`).
    public let source: String
    /// 1-based number of the offending line.
    public let line: Int
    /// The limit that was exceeded, in bytes.
    public let limit: Int

    public init(source: String, line: Int, limit: Int) {
        self.source = source
        self.line = line
        self.limit = limit
    }

    /// `rows.jsonl:7: line is longer than 1073741824 bytes`.
    public var description: String { "\(source):\(line): line is longer than \(limit) bytes" }
}
