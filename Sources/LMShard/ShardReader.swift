import LMIO

/// One shard opened for reading: the four data files memory-mapped and every
/// header, count and offset validated before any of it is trusted.
///
/// After `init` succeeds, `withSequence(at:)` cannot read out of bounds:
/// lengths were checked non-negative, pointers contiguous from 0, and the
/// sum of lengths against the sizes of `.bin`, `.pos` and `.mask`.
/// (A file truncated by another process *after* opening can still raise
/// SIGBUS, as with any memory map; `verify` re-checks sizes first.)
///
/// `@unchecked Sendable`: immutable after `init` (the maps are read-only
/// and never unmapped while a reader holds them), so any number of threads
/// may read through it at once.
public struct ShardReader: @unchecked Sendable {
    /// Shard name (file stem).
    public let name: String
    /// Token dtype from the `.idx` header.
    public let tokenDType: TokenDType
    /// Position dtype from the `.pos` header.
    public let positionDType: PositionDType
    /// Number of sequences.
    public let sequenceCount: Int
    /// Number of tokens.
    public let tokenCount: Int
    let bin: MappedFile
    let idx: MappedFile
    let pos: MappedFile
    let mask: MappedFile
    /// Where each sequence starts, as validated here: reads never go back
    /// to the mapped index, which another process could change under the map.
    let starts: SequenceStarts

    /// Opens `directory/NAME.{bin,idx,pos,mask}`. When `expected` dtypes are
    /// given (from the manifest) the headers must match them.
    public init(directory: String, name: String, expectedTokenDType: TokenDType? = nil,
                expectedPositionDType: PositionDType? = nil) throws {
        self.name = name
        func path(_ p: ShardFile) -> String { directory + "/" + p.fileName(shard: name) }
        idx = try Self.map(path(.idx))
        bin = try Self.map(path(.bin))
        pos = try Self.map(path(.pos))
        mask = try Self.map(path(.mask))

        // .idx header.
        typealias I = Format.Index
        let r = ByteReader(bytes: idx.unsafeBytes, file: idx.path)
        try r.expectMagic(I.magic)
        let version = try r.read(UInt64.self, at: I.versionOffset)
        guard version == I.version else { throw ShardError.unsupportedVersion(file: idx.path, offset: I.versionOffset, version: version) }
        let code = try r.read(UInt8.self, at: I.dtypeOffset)
        guard let tdt = TokenDType(rawValue: code), expectedTokenDType == nil || expectedTokenDType == tdt else {
            throw ShardError.badDType(file: idx.path, offset: I.dtypeOffset, code: code)
        }
        tokenDType = tdt
        let n64 = try r.read(UInt64.self, at: I.sequenceCountOffset)
        // 20 bytes per sequence at least: rejects counts whose arrays cannot fit before multiplying.
        guard n64 <= UInt64(max(0, idx.count - I.headerSize - 8) / 20) else {
            throw ShardError.badField(file: idx.path, offset: I.sequenceCountOffset, field: "sequence count",
                                      value: Int64(truncatingIfNeeded: n64), reason: "arrays do not fit in \(idx.count) bytes")
        }
        let n = Int(n64)
        let docs = try r.read(UInt64.self, at: I.documentCountOffset)
        guard docs == n64 + 1 else {
            throw ShardError.badField(file: idx.path, offset: I.documentCountOffset, field: "document count",
                                      value: Int64(truncatingIfNeeded: docs), reason: "expected sequence count + 1 = \(n + 1)")
        }
        guard idx.count == I.fileSize(sequenceCount: n) else {
            throw ShardError.sizeMismatch(file: idx.path, expected: I.fileSize(sequenceCount: n), actual: idx.count)
        }
        sequenceCount = n
        let lengthsAt = I.headerSize, pointersAt = lengthsAt + 4 * n, docsAt = pointersAt + 8 * n
        var total = 0
        let width = tdt.size
        let starts = SequenceStarts(sequences: n)
        for i in 0..<n {
            starts.unsafeOffsets[i] = total
            let len = try r.read(Int32.self, at: lengthsAt + 4 * i)
            guard len >= 0 else {
                throw ShardError.badField(file: idx.path, offset: lengthsAt + 4 * i, field: "sequence length",
                                          value: Int64(len), reason: "negative")
            }
            let ptr = try r.read(Int64.self, at: pointersAt + 8 * i)
            guard ptr == Int64(total) * Int64(width) else {
                throw ShardError.badField(file: idx.path, offset: pointersAt + 8 * i, field: "sequence pointer",
                                          value: ptr, reason: "expected \(total * width) (sequences are contiguous)")
            }
            total += Int(len)
        }
        for d in 0...n {
            let v = try r.read(Int64.self, at: docsAt + 8 * d)
            guard v == Int64(d) else {
                throw ShardError.badField(file: idx.path, offset: docsAt + 8 * d, field: "document index",
                                          value: v, reason: "expected \(d) (one document per sequence)")
            }
        }
        guard bin.count == total * width else {
            throw ShardError.sizeMismatch(file: bin.path, expected: total * width, actual: bin.count)
        }
        starts.unsafeOffsets[n] = total
        self.starts = starts
        tokenCount = total

        // Planes.
        let pcode = try Self.checkPlane(pos, magic: Format.Plane.positionMagic, tokens: total, sequences: n)
        guard let pdt = PositionDType(rawValue: pcode), expectedPositionDType == nil || expectedPositionDType == pdt else {
            throw ShardError.badDType(file: pos.path, offset: Format.Plane.dtypeOffset, code: pcode)
        }
        positionDType = pdt
        let mcode = try Self.checkPlane(mask, magic: Format.Plane.maskMagic, tokens: total, sequences: n)
        guard mcode == MaskDType.uint8Code else { throw ShardError.badDType(file: mask.path, offset: Format.Plane.dtypeOffset, code: mcode) }
        let posSize = Format.Plane.headerSize + total * pdt.size
        guard pos.count == posSize else { throw ShardError.sizeMismatch(file: pos.path, expected: posSize, actual: pos.count) }
        let maskSize = Format.Plane.headerSize + total
        guard mask.count == maskSize else { throw ShardError.sizeMismatch(file: mask.path, expected: maskSize, actual: mask.count) }
    }

    /// Maps a shard file; a missing one is `ShardError.missingFile`.
    static func map(_ path: String) throws -> MappedFile {
        do {
            return try MappedFile(path: path)
        } catch let error as FileError where error.isNotFound {
            throw ShardError.missingFile(file: path)
        }
    }

    /// Validates a plane header; returns its dtype code.
    private static func checkPlane(_ f: MappedFile, magic: [UInt8], tokens: Int, sequences: Int) throws -> UInt8 {
        typealias P = Format.Plane
        let r = ByteReader(bytes: f.unsafeBytes, file: f.path)
        try r.expectMagic(magic)
        let v = try r.read(UInt32.self, at: P.versionOffset)
        guard v == P.version else { throw ShardError.unsupportedVersion(file: f.path, offset: P.versionOffset, version: UInt64(v)) }
        let code = try r.read(UInt8.self, at: P.dtypeOffset)
        for o in P.reservedRange {
            let b = try r.read(UInt8.self, at: o)
            guard b == 0 else { throw ShardError.badField(file: f.path, offset: o, field: "reserved", value: Int64(b), reason: "must be 0") }
        }
        let count = try r.read(UInt64.self, at: P.elementCountOffset)
        guard count == UInt64(tokens) else {
            throw ShardError.badField(file: f.path, offset: P.elementCountOffset, field: "element count",
                                      value: Int64(truncatingIfNeeded: count), reason: "expected \(tokens) from the index")
        }
        let seqs = try r.read(UInt64.self, at: P.sequenceCountOffset)
        guard seqs == UInt64(sequences) else {
            throw ShardError.badField(file: f.path, offset: P.sequenceCountOffset, field: "sequence count",
                                      value: Int64(truncatingIfNeeded: seqs), reason: "expected \(sequences) from the index")
        }
        return code
    }

    /// The planes' addresses as a trivial value (see `ShardPlanes`).
    var planes: ShardPlanes {
        ShardPlanes(sequenceCount: sequenceCount, tokenDType: tokenDType, positionDType: positionDType,
                    starts: UnsafeBufferPointer(starts.unsafeOffsets), bin: bin.unsafeBytes, pos: pos.unsafeBytes,
                    mask: mask.unsafeBytes)
    }

    /// Token offset (in elements) and length of sequence `i`. O(1).
    func span(_ i: Int) -> (start: Int, count: Int) { planes.span(i) }

    /// Length in tokens of local sequence `i`. O(1).
    public func length(of i: Int) -> Int { span(i).count }

    /// Calls `body` with zero-copy views of local sequence `i`: tokens,
    /// positions and loss mask (one byte per token, nonzero = compute loss).
    /// The views point into the memory maps and must not escape `body`.
    public func withSequence<R>(at i: Int, _ body: (UnsafeIntegerView, UnsafeIntegerView, UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try planes.withSequence(at: i, body)
    }
}
