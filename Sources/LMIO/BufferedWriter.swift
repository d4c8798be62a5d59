import CSysCalls

/// Buffered writes to a file descriptor with every failure reported: the
/// one writer behind standard output (`tokenize`, `export`, `verify`,
/// `inspect`, `run`, the streaming stages) and behind every durable file
/// (`AtomicFileWriter`). Writing to a full disk, `/dev/full` or a closed
/// pipe throws a `FileError` naming the output instead of losing bytes.
///
/// A 1 MiB buffer turns small appends into few large `write` calls:
/// writing 4-byte values one syscall at a time is >100x slower. Not safe
/// for use from two threads at once.
public final class BufferedWriter {
    /// The output's name in errors (`<stdout>` or the path).
    public var path: String { descriptor.path }
    /// Bytes handed to this writer so far, written or still buffered: the
    /// file's size once flushed.
    public private(set) var size = 0

    private var descriptor: FileDescriptor
    private let buffer: UnsafeMutableRawPointer
    private let capacity: Int
    private var used = 0
    private let startsWriteback: Bool
    /// Not synced since the last write (or ever: a new file needs one fsync
    /// even when empty), so a second sync of an unchanged file costs none.
    private var unsynced = true
    /// Bytes before this offset have been handed to writeback.
    private var writebackStart = 0
    /// Written bytes after which writeback starts (see `flush`).
    public static let writebackStride = 8 << 20

    /// Writes to `descriptor`, which this writer now owns.
    ///
    /// - Parameter startsWriteback: start the disk writing every
    ///   `writebackStride` bytes (for files that will be fsynced).
    public init(_ descriptor: consuming FileDescriptor, capacity: Int = 1 << 20, startsWriteback: Bool = false) {
        precondition(capacity > 0, "capacity must be positive")
        self.descriptor = descriptor
        self.capacity = capacity
        self.startsWriteback = startsWriteback
        buffer = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// Standard output (never closed).
    public static func standardOutput() -> BufferedWriter { BufferedWriter(.standardOutput()) }

    /// Appends `bytes`; large ones bypass the buffer.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        unsynced = true
        if bytes.count >= capacity {
            try flush()
            try descriptor.writeAll(bytes)
            size += bytes.count
            try startWritebackIfDue()
            return
        }
        if capacity - used < bytes.count { try flush() }
        (buffer + used).copyMemory(from: base, byteCount: bytes.count)
        used += bytes.count
        size += bytes.count
    }

    /// Writes out what is buffered, then `bytes` straight from where they
    /// are (no copy into the buffer): for callers that already hold whole
    /// blocks of output, such as the tokenize engine's finished chunks.
    public func writeUnbuffered(_ bytes: UnsafeRawBufferPointer) throws {
        guard !bytes.isEmpty else { return }
        unsynced = true
        try flush()
        try descriptor.writeAll(bytes)
        size += bytes.count
        try startWritebackIfDue()
    }

    /// Appends `bytes`.
    public func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

    /// Appends `bytes`.
    public func write(_ bytes: ArraySlice<UInt8>) throws { try bytes.withUnsafeBytes { try write($0) } }

    /// Appends the UTF-8 of `text`.
    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Lends `body` the free part of the buffer, at least `minimum` bytes
    /// (flushing first if needed); `body` writes into its start and returns
    /// how many bytes it wrote, which this returns too. For encoders that
    /// write values in place without an intermediate array (the shard planes).
    @discardableResult
    public func withUnsafeAppendRoom(
        atLeast minimum: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> Int
    ) throws -> Int {
        precondition(minimum <= capacity, "asked for more room than the buffer has")
        if capacity - used < minimum { try flush() }
        let written = try body(UnsafeMutableRawBufferPointer(start: buffer + used, count: capacity - used))
        precondition(written >= 0 && written <= capacity - used, "wrote outside the room lent")
        unsynced = unsynced || written > 0
        used += written
        size += written
        return written
    }

    /// Writes out the buffer. For durable files, every `writebackStride`
    /// bytes it also starts the disk writing them without waiting
    /// (`lmshard_start_writeback`), so a final fsync finds little left: a
    /// build's reducers waited ~0.7 s in fsync per 512 MB of input with both
    /// cores otherwise busy; the writeback now runs while they pack the next
    /// sequences.
    public func flush() throws {
        guard used > 0 else { return }
        let pending = used
        used = 0  // a failed write is not retried: its bytes are reported lost
        try descriptor.writeAll(UnsafeRawBufferPointer(start: buffer, count: pending))
        try startWritebackIfDue()
    }

    private func startWritebackIfDue() throws {
        guard startsWriteback else { return }
        let written = size - used
        if written - writebackStart >= Self.writebackStride {
            // A hint only: errors surface in the final fsync.
            _ = lmshard_start_writeback(descriptor.rawValue, Int64(writebackStart), Int64(written - writebackStart))
            writebackStart = written
        }
    }

    /// Overwrites `bytes` at `offset`, which must already have been handed
    /// to this writer (header patching); flushes first.
    public func overwrite(_ bytes: [UInt8], at offset: Int) throws {
        precondition(offset >= 0 && offset + bytes.count <= size, "overwrite beyond what was written")
        try flush()
        unsynced = true
        try bytes.withUnsafeBytes { try descriptor.writeAll($0, at: offset) }
    }

    /// Flushes and fsyncs: everything written survives a crash. Nothing to
    /// do when nothing was written since the last sync.
    public func sync() throws {
        try flush()
        guard unsynced else { return }
        try descriptor.sync()
        unsynced = false
    }

    /// Flushes and closes the descriptor (standard streams are only
    /// flushed); later writes fail.
    public func close() throws {
        defer { try? descriptor.close() }
        try flush()
        try descriptor.close()
    }
}
