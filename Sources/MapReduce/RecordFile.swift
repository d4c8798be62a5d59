import LMIO

/// Length-prefixed records inside a zstd stream: the layout of every spill
/// and reduce-output file.
///
/// | field  | encoding                                  |
/// |--------|-------------------------------------------|
/// | length | UInt32, little-endian: bytes in `body`    |
/// | body   | `length` bytes, meaning set by the caller |
///
/// Map spill bodies: key (`ShuffleCodable`), varint input row, varint emit
/// index within the row, value (`ShuffleCodable`). Reduce output bodies:
/// key, output row. A fixed-width length lets the reader know how much to
/// buffer before decoding anything.
///
/// The zstd stream may be several concatenated frames: `commit` ends one,
/// so a file cut at a committed length still reads back as whole records.
struct RecordFileWriter {
    private let file: ZstdFileWriter
    private var frame = ByteWriter(reservingCapacity: 1 << 16)

    /// Creates (truncating) `path`.
    init(path: String) throws { file = try ZstdFileWriter(path: path) }

    /// Reopens a file to append after its first `committedLength` bytes (a
    /// length `commit` returned), dropping anything written after them.
    init(path: String, appendingAfter committedLength: UInt64) throws {
        file = try ZstdFileWriter(path: path, keepingFirst: committedLength)
    }

    var path: String { file.path }

    /// Appends one record.
    mutating func append<C: Collection>(_ body: C) throws where C.Element == UInt8 {
        frame.write(UInt32(body.count))
        frame.bytes.append(contentsOf: body)
        if frame.bytes.count >= 1 << 16 { try flush() }
    }

    private mutating func flush() throws {
        try file.write(frame.bytes)
        frame.bytes.removeAll(keepingCapacity: true)
    }

    /// Writes out every record appended so far as complete zstd frames and
    /// returns the file's length: cut there, the file holds exactly those
    /// records. Costs a frame end and a write per call, so only resumable
    /// jobs commit.
    mutating func commit() throws -> UInt64 {
        try flush()
        try file.endFrame()
        return file.length
    }

    /// Writes everything and closes the file.
    mutating func finish() throws {
        try flush()
        try file.finish()
    }
}

/// Reads records written by `RecordFileWriter`, one body at a time.
struct RecordFileReader {
    /// The zstd-decoded file (a class box, so cursors over runs stay copyable).
    private let file: AnyByteSource
    private var buffer: [UInt8] = []
    private var start = 0
    /// Decompression target, reused; copied out with one `memcpy`-backed
    /// append (appending zeros and trimming cost 5% of a debug test run).
    private var chunk = [UInt8](repeating: 0, count: 1 << 17)
    /// Decompressed offset of the next record, for error messages.
    private(set) var offset = 0

    init(path: String) throws { file = AnyByteSource(try ZstdSource(FileDescriptor.openForReading(path))) }

    var path: String { file.name }

    /// The next record's body, or nil at the end of the file.
    ///
    /// - Throws: `MapReduceError.corruptFile` when the file ends inside a record.
    mutating func next() throws -> [UInt8]? {
        guard try fill(4) else { return nil }
        var length = 0
        for i in 0..<4 { length |= Int(buffer[start + i]) << (8 * i) }
        guard try fill(4 + length) else {
            throw MapReduceError.corruptFile(path: path, offset: offset, message: "record of \(length) bytes is truncated")
        }
        let body = Array(buffer[(start + 4)..<(start + 4 + length)])
        start += 4 + length
        offset += 4 + length
        return body
    }

    /// Replaces `body` with the next record's body (reusing its storage, so
    /// a loop over a file allocates nothing per record); false at the end.
    ///
    /// - Throws: `MapReduceError.corruptFile` when the file ends inside a record.
    mutating func next(into body: inout [UInt8]) throws -> Bool {
        guard try fill(4) else { return false }
        var length = 0
        for i in 0..<4 { length |= Int(buffer[start + i]) << (8 * i) }
        guard try fill(4 + length) else {
            throw MapReduceError.corruptFile(path: path, offset: offset, message: "record of \(length) bytes is truncated")
        }
        body.removeAll(keepingCapacity: true)
        body.append(contentsOf: buffer[(start + 4)..<(start + 4 + length)])
        start += 4 + length
        offset += 4 + length
        return true
    }

    /// Makes `n` bytes available from `start`; false if the file ends first
    /// (with zero bytes left when `n == 4` that is the clean end).
    private mutating func fill(_ n: Int) throws -> Bool {
        while buffer.count - start < n {
            if start > 0 && start >= buffer.count / 2 {
                buffer.removeFirst(start)
                start = 0
            }
            guard try readChunk() else {
                if buffer.count - start == 0 && n == 4 { return false }
                if n == 4 {
                    throw MapReduceError.corruptFile(path: path, offset: offset, message: "record length is truncated")
                }
                return false
            }
        }
        return true
    }

    /// Appends the next decompressed bytes to `buffer`; false at the end.
    ///
    /// - Throws: `MapReduceError.corruptFile` for corrupt data or a file
    ///   that ends inside a frame.
    private mutating func readChunk() throws -> Bool {
        let n: Int
        do {
            n = try chunk.withUnsafeMutableBytes { try file.read(into: $0) }
        } catch let error as DecompressionError {
            throw MapReduceError.corruptFile(path: path, offset: Int(error.offset), message: error.reason)
        }
        buffer.append(contentsOf: chunk[0..<n])
        return n > 0
    }
}
