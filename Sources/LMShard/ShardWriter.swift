import Foundation
import LMIO

/// Size and XXH3-64 of one file of a finished shard.
public struct FileSummary: Codable, Equatable, Sendable {
    /// Size in bytes.
    public var size: Int
    /// XXH3-64 (seed 0) of the whole file, 16 lowercase hex digits.
    public var xxh3: String

    /// Creates a summary.
    public init(size: Int, xxh3: String) {
        self.size = size
        self.xxh3 = xxh3
    }
}

/// Size and checksum of each of a shard's five files.
public struct ShardFiles: Codable, Equatable, Sendable {
    /// Token ids.
    public var bin: FileSummary
    /// Megatron index.
    public var idx: FileSummary
    /// Position plane.
    public var pos: FileSummary
    /// Loss-mask plane.
    public var mask: FileSummary
    /// Checksum file.
    public var sum: FileSummary

    /// Creates the table.
    public init(bin: FileSummary, idx: FileSummary, pos: FileSummary, mask: FileSummary, sum: FileSummary) {
        self.bin = bin
        self.idx = idx
        self.pos = pos
        self.mask = mask
        self.sum = sum
    }

    /// The summary of `part`.
    public subscript(part: ShardFile) -> FileSummary {
        switch part {
        case .bin: return bin
        case .idx: return idx
        case .pos: return pos
        case .mask: return mask
        case .sum: return sum
        }
    }
}

/// What `ShardWriter.finish()` reports; the manifest's per-shard entry.
public struct ShardSummary: Codable, Equatable, Sendable {
    /// Shard name (file stem).
    public var name: String
    /// Number of sequences (each one Megatron sequence and one document).
    public var sequences: Int
    /// Total tokens over all sequences.
    public var tokens: Int
    /// Size and checksum of each file.
    public var files: ShardFiles

    /// Creates a summary.
    public init(name: String, sequences: Int, tokens: Int, files: ShardFiles) {
        self.name = name
        self.sequences = sequences
        self.tokens = tokens
        self.files = files
    }
}


/// Streams packed sequences into one shard's files.
///
/// Tokens, positions and loss masks go through 1 MiB buffers straight to
/// temporary files (`.NAME.bin.tmp`, ...; LMIO's `AtomicFileWriter`); the
/// only state that grows is the per-sequence length array (4 bytes per
/// sequence; pointers are derived at `finish`). `finish()` writes the
/// `.idx`, patches the plane headers, checksums every file, writes `.sum`,
/// fsyncs and renames all five into place.
///
/// Measured (release, one core of a shared 2-core machine, 20k rows of 1025
/// uint16 tokens): append 145-215 M tokens/s (was 75-100 with a per-element
/// throwing range check; a vectorized max first doubled it); `finish`
/// re-reads and hashes the 100 MB it wrote and fsyncs in 0.11-0.15 s, simpler
/// than hashing while streaming and keeping block hashes in step with the
/// header patches.
///
/// `~Copyable`: the writer owns its open temporary files. `finish()` and
/// `abort()` consume it, so nothing can append afterwards; a writer dropped
/// without `finish()` (an error, an abandoned build) removes its temporary
/// files, like `abort()`.
public struct ShardWriter: ~Copyable {
    /// Shard name (file stem).
    public let name: String
    /// Token dtype of `.bin`.
    public let tokenDType: TokenDType
    /// Element type of `.pos`.
    public let positionDType: PositionDType
    /// Checksum block size in bytes.
    public let blockSize: Int
    private let directory: String
    /// The distributed reduce attempt whose temporary names this writer uses.
    private let attempt: String?
    private var lengths: [Int32] = []
    private var tokenCount = 0
    private let bin: AtomicFileWriter
    private let pos: AtomicFileWriter
    private let mask: AtomicFileWriter

    /// Creates the temporary files in `directory` (which must exist).
    ///
    /// - Parameter attempt: names the temporary files per attempt
    ///   (`ShardFile.temporaryName(shard:attempt:)`), for writers of the same
    ///   shard that may run at once; a plain file-name component.
    /// - Precondition: `blockSize > 0`, `name` (and `attempt`) non-empty without `/`.
    public init(directory: URL, name: String, tokenDType: TokenDType, positionDType: PositionDType,
                blockSize: Int = Format.defaultBlockSize, attempt: String? = nil) throws {
        precondition(blockSize > 0, "blockSize must be positive")
        precondition(!name.isEmpty && !name.contains("/"), "shard name must be a plain file stem")
        precondition(attempt.map { !$0.isEmpty && !$0.contains("/") } ?? true, "attempt must be a plain name")
        self.name = name
        self.attempt = attempt
        self.tokenDType = tokenDType
        self.positionDType = positionDType
        self.blockSize = blockSize
        let dir = directory.path
        self.directory = dir
        func create(_ part: ShardFile) throws -> AtomicFileWriter {
            try AtomicFileWriter(path: dir + "/" + part.fileName(shard: name),
                                 temporaryPath: dir + "/" + part.temporaryName(shard: name, attempt: attempt))
        }
        let bin = try create(.bin)
        let pos = try create(.pos)
        let mask = try create(.mask)
        // Plane headers with zero counts; patched by `finish`.
        try pos.output.write(Self.planeHeader(.pos, positionDType, elements: 0, sequences: 0))
        try mask.output.write(Self.planeHeader(.mask, positionDType, elements: 0, sequences: 0))
        self.bin = bin
        self.pos = pos
        self.mask = mask
    }

    /// Sequences appended so far.
    public var sequenceCount: Int { lengths.count }
    /// Tokens appended so far.
    public var totalTokens: Int { tokenCount }

    /// Appends one packed sequence. All three buffers have the same length;
    /// every token must fit `tokenDType` and every position `positionDType`
    /// (checked before anything is written, so a failed append leaves the
    /// shard unchanged).
    public mutating func append(tokens: UnsafeBufferPointer<UInt32>, positions: UnsafeBufferPointer<UInt32>,
                                lossMask: UnsafeBufferPointer<Bool>) throws {
        guard tokens.count == positions.count, tokens.count == lossMask.count else {
            throw ShardError.lengthMismatch(tokens: tokens.count, positions: positions.count, lossMask: lossMask.count)
        }
        guard tokens.count <= Int(Int32.max) else {
            throw ShardError.valueOutOfRange(field: "sequence length", index: lengths.count,
                                             value: UInt64(tokens.count), max: UInt64(Int32.max))
        }
        try Self.checkRange(tokens, max: tokenDType.maxValue, field: "tokens")
        try Self.checkRange(positions, max: positionDType.maxValue, field: "positions")
        switch tokenDType {
        case .uint16: try PlaneEncoding.append(tokens, as: UInt16.self, to: bin.output)
        case .int32: try PlaneEncoding.append(tokens, as: Int32.self, to: bin.output)
        }
        switch positionDType {
        case .uint16: try PlaneEncoding.append(positions, as: UInt16.self, to: pos.output)
        case .uint32: try PlaneEncoding.append(positions, as: UInt32.self, to: pos.output)
        }
        try PlaneEncoding.append(lossMask, to: mask.output)
        lengths.append(Int32(tokens.count))
        tokenCount += tokens.count
    }

    /// Throws for the first value above `limit`. A branch-free max first (it
    /// vectorizes), the indexed search only on failure.
    private static func checkRange(_ values: UnsafeBufferPointer<UInt32>, max limit: UInt32, field: String) throws {
        var top: UInt32 = 0
        for v in values { top = Swift.max(top, v) }
        guard top > limit else { return }
        if let i = values.firstIndex(where: { $0 > limit }) {
            throw ShardError.valueOutOfRange(field: field, index: i, value: UInt64(values[i]), max: UInt64(limit))
        }
    }

    /// Array convenience for `append(tokens:positions:lossMask:)`.
    public mutating func append(tokens: [UInt32], positions: [UInt32], lossMask: [Bool]) throws {
        try tokens.withUnsafeBufferPointer { t in
            try positions.withUnsafeBufferPointer { p in
                try lossMask.withUnsafeBufferPointer { m in try append(tokens: t, positions: p, lossMask: m) }
            }
        }
    }

    /// Completes the shard: writes `.idx` and `.sum`, fsyncs, renames every
    /// file to its final name (one directory fsync after the last) and
    /// returns sizes and checksums for the manifest. On failure every
    /// temporary file is removed.
    public consuming func finish() throws -> ShardSummary {
        let n = lengths.count
        try pos.output.overwrite(Self.planeHeader(.pos, positionDType, elements: tokenCount, sequences: n), at: 0)
        try mask.output.overwrite(Self.planeHeader(.mask, positionDType, elements: tokenCount, sequences: n), at: 0)
        try bin.sync()
        try pos.sync()
        try mask.sync()
        let idx = try AtomicFileWriter(path: finalPath(.idx), temporaryPath: tempPath(.idx))
        try writeIndex(to: idx.output)
        try idx.sync()

        var summaries: [ShardFile: FileSummary] = [:]
        var table: [(size: Int, hash: UInt64, blocks: [UInt64])] = []
        for part in ShardFile.checksummed {
            let m = try MappedFile(path: tempPath(part))
            let hash = Checksum.xxh3(m.unsafeBytes)
            let blocks = (0..<Checksum.blockCount(size: m.count, blockSize: blockSize)).map {
                Checksum.blockHash(m.unsafeBytes, block: $0, blockSize: blockSize)
            }
            table.append((m.count, hash, blocks))
            summaries[part] = FileSummary(size: m.count, xxh3: Checksum.hex(hash))
        }
        let sumBytes = ChecksumFile.encode(blockSize: blockSize, files: table)
        let sum = try AtomicFileWriter(path: finalPath(.sum), temporaryPath: tempPath(.sum))
        try sum.output.write(sumBytes)
        let sumSummary = FileSummary(size: sumBytes.count, xxh3: Checksum.hex(Checksum.xxh3(sumBytes)))

        // ShardFile.allCases order: bin, idx, pos, mask, sum.
        try bin.commit(syncingDirectory: false)
        try idx.commit(syncingDirectory: false)
        try pos.commit(syncingDirectory: false)
        try mask.commit(syncingDirectory: false)
        try sum.commit(syncingDirectory: false)
        try FileSystem.syncDirectory(directory)
        guard let b = summaries[.bin], let i = summaries[.idx], let p = summaries[.pos], let m = summaries[.mask]
        else { preconditionFailure("every checksummed file was summarized above") }
        let files = ShardFiles(bin: b, idx: i, pos: p, mask: m, sum: sumSummary)
        return ShardSummary(name: name, sequences: n, tokens: tokenCount, files: files)
    }

    /// Abandons the shard and removes its temporary files.
    public consuming func abort() {}

    private func tempPath(_ part: ShardFile) -> String {
        directory + "/" + part.temporaryName(shard: name, attempt: attempt)
    }

    private func finalPath(_ part: ShardFile) -> String {
        directory + "/" + part.fileName(shard: name)
    }

    /// The 32-byte header of a `.pos` or `.mask` plane (FORMAT.md, "Planes").
    private static func planeHeader(_ part: ShardFile, _ positionDType: PositionDType, elements: Int, sequences: Int)
        -> [UInt8]
    {
        var h = part == .pos ? Format.Plane.positionMagic : Format.Plane.maskMagic
        LittleEndian.append(Format.Plane.version, to: &h)
        h.append(part == .pos ? positionDType.rawValue : MaskDType.uint8Code)
        h.append(contentsOf: [0, 0, 0])
        LittleEndian.append(UInt64(elements), to: &h)
        LittleEndian.append(UInt64(sequences), to: &h)
        return h
    }

    /// Writes the Megatron index: header, lengths, byte pointers, document indices.
    private func writeIndex(to idx: BufferedWriter) throws {
        var h = Format.Index.magic
        LittleEndian.append(Format.Index.version, to: &h)
        h.append(tokenDType.rawValue)
        LittleEndian.append(UInt64(lengths.count), to: &h)
        LittleEndian.append(UInt64(lengths.count + 1), to: &h)
        try idx.write(h)
        var chunk: [UInt8] = []
        chunk.reserveCapacity(1 << 16)
        func drain(_ force: Bool) throws {
            if force || chunk.count >= 1 << 16 {
                try idx.write(chunk)
                chunk.removeAll(keepingCapacity: true)
            }
        }
        for l in lengths { LittleEndian.append(l, to: &chunk); try drain(false) }
        var pointer: Int64 = 0
        for l in lengths {
            LittleEndian.append(pointer, to: &chunk)
            pointer += Int64(l) * Int64(tokenDType.size)
            try drain(false)
        }
        for d in 0...lengths.count { LittleEndian.append(Int64(d), to: &chunk); try drain(false) }
        try drain(true)
    }
}
