import LMIO

/// Length-prefixed records in checked blocks (`RecordBlock`) inside a zstd
/// stream: every spill run, merged run and reduce-output file.
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
/// The zstd stream may be several concatenated frames: `commit` seals the
/// open block and ends a frame, so a file cut at a committed length still
/// reads back as whole, checked blocks (`RecordFileReader(path:committed:)`).
struct RecordFileWriter {
    /// Where a committed file can be cut and appended to again: its
    /// compressed length and the data blocks it holds (the next block's
    /// sequence number).
    struct Commit: Equatable, Sendable {
        var length: UInt64
        var blocks: UInt64
    }

    private let file: ZstdFileWriter
    /// Records of the block being filled, with their length prefixes.
    private var payload: [UInt8] = []
    private var recordCount: UInt32 = 0
    /// Data blocks sealed so far.
    private(set) var blocks: UInt64 = 0

    /// Creates (truncating) `path`.
    init(path: String) throws {
        file = try ZstdFileWriter(path: path)
        payload.reserveCapacity(RecordBlock.targetPayload + 256)
    }

    /// Reopens a file to append after `commit` (what `commit()` returned),
    /// dropping anything written after it.
    init(path: String, resumingAfter commit: Commit) throws {
        file = try ZstdFileWriter(path: path, keepingFirst: commit.length)
        blocks = commit.blocks
        payload.reserveCapacity(RecordBlock.targetPayload + 256)
    }

    var path: String { file.path }

    /// Appends one record.
    ///
    /// - Throws: `FileError` for a record of 4 GiB or more (its length
    ///   would not fit the format), or what writing throws.
    mutating func append<C: Collection>(_ body: C) throws where C.Element == UInt8 {
        guard body.count <= Int(UInt32.max) - 4 - payload.count else {
            if recordCount > 0 {
                try sealBlock()
                return try append(body)
            }
            throw FileError(path: path, operation: "write", reason: "a record of \(body.count) bytes is over the 4 GiB limit")
        }
        var length = UInt32(body.count).littleEndian
        withUnsafeBytes(of: &length) { payload.append(contentsOf: $0) }
        payload.append(contentsOf: body)
        recordCount += 1
        if payload.count >= RecordBlock.targetPayload { try sealBlock() }
    }

    /// Writes the open block (if it holds records) with its header and hash.
    private mutating func sealBlock() throws {
        guard recordCount > 0 else { return }
        try writeBlock(recordCount: recordCount, sequence: blocks)
        blocks += 1
        payload.removeAll(keepingCapacity: true)
        recordCount = 0
    }

    private func writeBlock(recordCount: UInt32, sequence: UInt64) throws {
        var header = ByteWriter(reservingCapacity: RecordBlock.headerSize)
        header.write(UInt32(payload.count))
        header.write(recordCount)
        header.write(sequence)
        header.write(RecordBlock.hash(header.bytes))
        try file.write(header.bytes)
        try file.write(payload)
        var trailer = ByteWriter(reservingCapacity: RecordBlock.trailerSize)
        trailer.write(payload.withUnsafeBytes { RecordBlock.hash($0) })
        try file.write(trailer.bytes)
    }

    /// Writes out every record appended so far as sealed blocks in complete
    /// zstd frames and returns where the file can be cut: cut there, it
    /// holds exactly those records. Costs a frame end and a write per call,
    /// so only resumable jobs commit.
    mutating func commit() throws -> Commit {
        try sealBlock()
        try file.endFrame()
        return Commit(length: file.length, blocks: blocks)
    }

    /// Writes everything, the end block, and closes the file.
    mutating func finish() throws {
        try sealBlock()
        try writeBlock(recordCount: 0, sequence: blocks)
        try file.finish()
    }
}

/// Reads records written by `RecordFileWriter`, one body at a time. No
/// record is returned before its whole block has passed its checks.
struct RecordFileReader {
    /// The zstd-decoded file (a class box, so cursors over runs stay copyable).
    private let file: AnyByteSource
    /// Decompressed bytes; `buffer[0]` is at stream offset `base`.
    private var buffer: [UInt8] = []
    private var base = 0
    /// Next unread byte of `buffer`: inside a block's records while
    /// `recordsLeft > 0`, else at the next block's header.
    private var position = 0
    /// End of the current block's records in `buffer`.
    private var blockEnd = 0
    private var recordsLeft: UInt32 = 0
    private var nextSequence: UInt64 = 0
    private var ended = false
    /// For a committed prefix: the data blocks it holds, with no end block.
    private let expectedBlocks: UInt64?
    /// Decompression target, reused; copied out with one `memcpy`-backed
    /// append (appending zeros and trimming cost 5% of a debug test run).
    private var chunk = [UInt8](repeating: 0, count: 1 << 17)

    /// Reads a finished file, which must end with its end block.
    init(path: String) throws {
        file = AnyByteSource(try ZstdSource(FileDescriptor.openForReading(path)))
        expectedBlocks = nil
    }

    /// Reads the first `committed.length` compressed bytes of a file still
    /// being written, which must hold exactly `committed.blocks` blocks.
    init(path: String, committed: RecordFileWriter.Commit) throws {
        let prefix = PrefixSource(try FileDescriptor.openForReading(path), limit: committed.length)
        file = AnyByteSource(try ZstdSource(prefix))
        expectedBlocks = committed.blocks
    }

    var path: String { file.name }

    /// Decompressed offset of the next record, for error messages.
    var offset: Int { base + position + (recordsLeft == 0 ? RecordBlock.headerSize : 0) }

    /// The next record's body, or nil at the end of the file.
    ///
    /// - Throws: `MapReduceError.corruptFile` naming the damaged block.
    mutating func next() throws -> [UInt8]? {
        var body: [UInt8] = []
        return try next(into: &body) ? body : nil
    }

    /// Replaces `body` with the next record's body (reusing its storage, so
    /// a loop over a file allocates nothing per record); false at the end.
    ///
    /// - Throws: `MapReduceError.corruptFile` naming the damaged block.
    mutating func next(into body: inout [UInt8]) throws -> Bool {
        while recordsLeft == 0 {
            guard try loadBlock() else { return false }
        }
        let blockStart = base + position
        guard blockEnd - position >= 4 else { throw damaged(.records("a length field is cut"), at: blockStart) }
        var length = 0
        for i in 0..<4 { length |= Int(buffer[position + i]) << (8 * i) }
        guard length <= blockEnd - position - 4 else {
            throw damaged(.records("a record of \(length) bytes runs past the block"), at: blockStart)
        }
        body.removeAll(keepingCapacity: true)
        body.append(contentsOf: buffer[(position + 4)..<(position + 4 + length)])
        position += 4 + length
        recordsLeft -= 1
        if recordsLeft == 0 {
            guard position == blockEnd else { throw damaged(.records("bytes left after the last record"), at: blockStart) }
            position = blockEnd + RecordBlock.trailerSize
        }
        return true
    }

    /// Reads and checks the next block; false after the end block (or at
    /// the end of a committed prefix).
    private mutating func loadBlock() throws -> Bool {
        if ended { return false }
        let at = base + position
        guard try fill(RecordBlock.headerSize) else {
            if let expectedBlocks, expectedBlocks == nextSequence, buffer.count == position {
                ended = true
                return false
            }
            throw damaged(.missingEnd, at: at)
        }
        let header: RecordBlock.Header
        do {
            header = try RecordBlock.header(buffer[position..<(position + RecordBlock.headerSize)])
        } catch let damage as RecordBlock.Damage {
            throw damaged(damage, at: at)
        }
        guard header.sequence == nextSequence else {
            throw damaged(.sequence(expected: nextSequence, found: header.sequence), at: at)
        }
        if header.isEnd && expectedBlocks != nil { throw damaged(.records("an end block in a committed prefix"), at: at) }
        if !header.isEnd && expectedBlocks.map({ nextSequence >= $0 }) == true {
            throw damaged(.records("more blocks than were committed"), at: at)
        }
        if header.isEnd && header.payloadLength != 0 { throw damaged(.records("an end block with records"), at: at) }
        let total = RecordBlock.headerSize + Int(header.payloadLength) + RecordBlock.trailerSize
        guard try fill(total) else { throw damaged(.missingEnd, at: at) }
        let payloadStart = position + RecordBlock.headerSize
        let payloadEnd = payloadStart + Int(header.payloadLength)
        var stored: UInt64 = 0
        for i in 0..<8 { stored |= UInt64(buffer[payloadEnd + i]) << (8 * UInt64(i)) }
        let actual = buffer.withUnsafeBytes { RecordBlock.hash(UnsafeRawBufferPointer(rebasing: $0[payloadStart..<payloadEnd])) }
        guard stored == actual else { throw damaged(.payload, at: at) }
        if header.isEnd {
            position += total
            ended = true
            if try fill(1) { throw damaged(.afterEnd, at: base + position) }
            return false
        }
        nextSequence += 1
        position = payloadStart
        blockEnd = payloadEnd
        recordsLeft = header.recordCount
        return true
    }

    /// Makes `n` bytes available from `position`; false if the stream ends first.
    private mutating func fill(_ n: Int) throws -> Bool {
        while buffer.count - position < n {
            if position > 0 && position >= buffer.count / 2 {
                buffer.removeFirst(position)
                base += position
                blockEnd -= position
                position = 0
            }
            guard try readChunk() else { return false }
        }
        return true
    }

    /// Appends the next decompressed bytes to `buffer`; false at the end.
    ///
    /// - Throws: `MapReduceError.corruptFile` for corrupt zstd data or a
    ///   stream that ends inside a frame.
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

    private func damaged(_ damage: RecordBlock.Damage, at offset: Int) -> MapReduceError {
        MapReduceError.corruptFile(path: path, offset: offset, message: "\(damage)")
    }

    /// Reads every record of the file, checking every block: whether a file
    /// can be trusted before a resumed job reuses it.
    ///
    /// - Throws: `MapReduceError.corruptFile` for the first damage found,
    ///   `FileError` when it cannot be read.
    static func verify(path: String, committed: RecordFileWriter.Commit? = nil) throws {
        var reader = try committed.map { try RecordFileReader(path: path, committed: $0) } ?? RecordFileReader(path: path)
        var body: [UInt8] = []
        while try reader.next(into: &body) {}
    }
}

/// The first `limit` bytes of a file: a committed prefix of a reduce output
/// that may have uncommitted bytes after it.
struct PrefixSource: ByteSource, ~Copyable {
    private var file: FileDescriptor
    private var remaining: UInt64

    init(_ file: consuming FileDescriptor, limit: UInt64) {
        self.file = file
        remaining = limit
    }

    var name: String { file.path }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = Int(min(UInt64(buffer.count), remaining))
        guard n > 0 else { return 0 }
        let got = try file.readSome(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<n]))
        remaining -= UInt64(got)
        return got
    }
}
