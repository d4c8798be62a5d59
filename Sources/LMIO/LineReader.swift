/// The line-at-a-time face of `LineBatches`: for consumers that take one
/// line after another (the streaming stages, build inputs), the same lines
/// with the same numbers.
///
/// Each line is lent to a closure as a borrowed `UnsafeRawBufferPointer`
/// with its 1-based line number, which costs no copy and no allocation per
/// line; `nextLine()` is the copying convenience. Memory: one block of
/// `blockSize` bytes (1 MiB by default), larger only for a longer line, up
/// to `maximumLineLength`.
public struct LineReader<Source: ByteSource & ~Copyable>: ~Copyable {
    private var batches: LineBatches<Source>
    private var batch: LineBatch?
    private var index = 0
    /// Number of the last line lent out (0 before the first).
    public private(set) var lineNumber = 0
    /// Offset in the source's bytes of the last line lent out (see
    /// `LineBatch.lineOffset`).
    public private(set) var lineOffset = 0

    /// Reads lines of `source`.
    public init(_ source: consuming Source, blockSize: Int = 1 << 20, maximumLineLength: Int = 1 << 30) {
        batches = LineBatches(source, blockSize: blockSize, maximumLineLength: maximumLineLength)
    }

    /// The source's name, for errors.
    public var name: String { batches.name }

    /// Calls `body` with the next line's bytes (valid only inside `body`)
    /// and its 1-based number, and returns what `body` returns; nil at the
    /// end of the input.
    ///
    /// - Throws: the source's errors, `LineTooLongError`, or what `body` throws.
    public mutating func next<R>(_ body: (UnsafeRawBufferPointer, Int) throws -> R) throws -> R? {
        if batch == nil || index == batch!.count {
            batch = nil  // so the splitter can reuse its block
            guard let next = try batches.nextBatch(maxRows: 4096) else { return nil }
            batch = next
            index = 0
        }
        let current = batch!
        let i = index
        index += 1
        let number = current.firstLineNumber + i
        lineNumber = number
        lineOffset = current.lineOffset(i)
        return try current.withUnsafeLine(i) { try body($0, number) }
    }

    /// The next line as a fresh array with its number, or nil at the end;
    /// copies, so prefer `next(_:)` on hot paths.
    public mutating func nextLine() throws -> (line: Int, bytes: [UInt8])? {
        try next { ($1, [UInt8]($0)) }
    }
}
