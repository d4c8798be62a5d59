import LMIO

/// The structural rules of one shard, FORMAT.md sections 2-4, checked once
/// here for every reader and for `verify`: after these pass, no read through
/// `ShardPlanes` can leave the mapped files.
///
/// Every count comes from the file, so sizes are compared before anything
/// is multiplied, and products and sums use checked arithmetic: a damaged
/// count is a `ShardError` naming the file, offset and value, never a trap.
extension ShardReader {
    /// What the `.idx` says, once its invariants hold.
    struct IndexFacts {
        let tokenDType: TokenDType
        let sequenceCount: Int
        let tokenCount: Int
        /// Each sequence's first token, plus the token count (`N + 1` offsets).
        let starts: SequenceStarts
    }

    /// FORMAT.md section 3: magic, version, dtype code, `N`, document count
    /// `N + 1`, exact size `34 + 20N + 8`, every length `>= 0` (and `<=
    /// maxSequenceLength` when given), pointers contiguous from 0, document
    /// indices `0...N`; `N` and the sum of lengths equal `expectedCounts`
    /// (the manifest's) when given. O(N).
    static func checkIndex(_ idx: MappedFile, expectedTokenDType: TokenDType?, maxSequenceLength: Int?,
                           expectedCounts: (sequences: Int, tokens: Int)?) throws -> IndexFacts {
        typealias I = Format.Index
        let file = idx.path
        let r = ByteReader(bytes: idx.unsafeBytes, file: file)
        try r.expectMagic(I.magic)
        let version = try r.read(UInt64.self, at: I.versionOffset)
        guard version == I.version else { throw ShardError.unsupportedVersion(file: file, offset: I.versionOffset, version: version) }
        let code = try r.read(UInt8.self, at: I.dtypeOffset)
        guard let dtype = TokenDType(rawValue: code), expectedTokenDType == nil || expectedTokenDType == dtype else {
            throw ShardError.badDType(file: file, offset: I.dtypeOffset, code: code)
        }
        let n64 = try r.read(UInt64.self, at: I.sequenceCountOffset)
        // 20 bytes per sequence at least: rejects counts whose arrays cannot fit before multiplying.
        guard n64 <= UInt64(max(0, idx.count - I.headerSize - 8) / 20) else {
            throw ShardError.badField(file: file, offset: I.sequenceCountOffset, field: "sequence count",
                                      value: Int64(truncatingIfNeeded: n64), reason: "arrays do not fit in \(idx.count) bytes")
        }
        let n = Int(n64)
        let docs = try r.read(UInt64.self, at: I.documentCountOffset)
        guard docs == n64 + 1 else {
            throw ShardError.badField(file: file, offset: I.documentCountOffset, field: "document count",
                                      value: Int64(truncatingIfNeeded: docs), reason: "expected sequence count + 1 = \(n + 1)")
        }
        // n <= idx.count / 20, so the size formula cannot overflow here.
        let size = I.fileSize(sequenceCount: n) ?? -1
        guard idx.count == size else { throw ShardError.sizeMismatch(file: file, expected: size, actual: idx.count) }
        if let want = expectedCounts, n != want.sequences {
            throw ShardError.badField(file: file, offset: I.sequenceCountOffset, field: "sequence count",
                                      value: Int64(n), reason: "manifest says \(want.sequences)")
        }

        let lengthsAt = I.headerSize, pointersAt = lengthsAt + 4 * n, docsAt = pointersAt + 8 * n
        let width = dtype.size
        var total = 0
        let starts = SequenceStarts(sequences: n)
        for i in 0..<n {
            starts.unsafeOffsets[i] = total
            let at = lengthsAt + 4 * i
            let len = try r.read(Int32.self, at: at)
            guard len >= 0 else {
                throw ShardError.badField(file: file, offset: at, field: "sequence length", value: Int64(len), reason: "negative")
            }
            if let limit = maxSequenceLength, Int(len) > limit {
                throw ShardError.badField(file: file, offset: at, field: "sequence length", value: Int64(len),
                                          reason: "longer than the manifest's seq_len \(limit)")
            }
            let ptr = try r.read(Int64.self, at: pointersAt + 8 * i)
            let (want, overflow) = total.multipliedReportingOverflow(by: width)
            guard !overflow, ptr == Int64(want) else {
                throw ShardError.badField(file: file, offset: pointersAt + 8 * i, field: "sequence pointer", value: ptr,
                                          reason: overflow ? "the lengths before it overflow" : "expected \(want) (sequences are contiguous)")
            }
            let (sum, o) = total.addingReportingOverflow(Int(len))
            guard !o else {
                throw ShardError.badField(file: file, offset: at, field: "sequence length", value: Int64(len),
                                          reason: "the sum of lengths overflows")
            }
            total = sum
        }
        // Checked here, not as a .bin size mismatch later: a changed last
        // length is damage in the .idx, and the error must name it.
        if let want = expectedCounts, total != want.tokens {
            throw ShardError.badField(file: file, offset: lengthsAt, field: "token count", value: Int64(total),
                                      reason: "the lengths sum to \(total), the manifest says \(want.tokens)")
        }
        for d in 0...n {
            let v = try r.read(Int64.self, at: docsAt + 8 * d)
            guard v == Int64(d) else {
                throw ShardError.badField(file: file, offset: docsAt + 8 * d, field: "document index",
                                          value: v, reason: "expected \(d) (one document per sequence)")
            }
        }
        starts.unsafeOffsets[n] = total
        return IndexFacts(tokenDType: dtype, sequenceCount: n, tokenCount: total, starts: starts)
    }

    /// FORMAT.md section 2: `.bin` holds exactly `T * itemsize` bytes.
    static func checkBin(_ bin: MappedFile, index: IndexFacts) throws {
        let size = elementsSize(index.tokenCount, width: index.tokenDType.size, header: 0)
        guard bin.count == size else { throw ShardError.sizeMismatch(file: bin.path, expected: size ?? -1, actual: bin.count) }
    }

    /// FORMAT.md section 4 for `.pos`: header, code 16 or 32 (the manifest's
    /// when `expected` is given), size `32 + T * itemsize`.
    static func checkPositions(_ pos: MappedFile, index: IndexFacts, expected: PositionDType?) throws -> PositionDType {
        let code = try checkPlaneHeader(pos, magic: Format.Plane.positionMagic, index: index)
        guard let dtype = PositionDType(rawValue: code), expected == nil || expected == dtype else {
            throw ShardError.badDType(file: pos.path, offset: Format.Plane.dtypeOffset, code: code)
        }
        let size = elementsSize(index.tokenCount, width: dtype.size, header: Format.Plane.headerSize)
        guard pos.count == size else { throw ShardError.sizeMismatch(file: pos.path, expected: size ?? -1, actual: pos.count) }
        return dtype
    }

    /// FORMAT.md section 4 for `.mask`: header, code 8, size `32 + T`.
    static func checkMask(_ mask: MappedFile, index: IndexFacts) throws {
        let code = try checkPlaneHeader(mask, magic: Format.Plane.maskMagic, index: index)
        guard code == MaskDType.uint8Code else {
            throw ShardError.badDType(file: mask.path, offset: Format.Plane.dtypeOffset, code: code)
        }
        let size = elementsSize(index.tokenCount, width: 1, header: Format.Plane.headerSize)
        guard mask.count == size else { throw ShardError.sizeMismatch(file: mask.path, expected: size ?? -1, actual: mask.count) }
    }

    /// The 32-byte plane header: magic, version 1, reserved bytes zero,
    /// element count `T` and sequence count `N` from the index. Returns the
    /// element code for the caller to check.
    private static func checkPlaneHeader(_ f: MappedFile, magic: [UInt8], index: IndexFacts) throws -> UInt8 {
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
        guard count == UInt64(index.tokenCount) else {
            throw ShardError.badField(file: f.path, offset: P.elementCountOffset, field: "element count",
                                      value: Int64(truncatingIfNeeded: count), reason: "expected \(index.tokenCount) from the index")
        }
        let seqs = try r.read(UInt64.self, at: P.sequenceCountOffset)
        guard seqs == UInt64(index.sequenceCount) else {
            throw ShardError.badField(file: f.path, offset: P.sequenceCountOffset, field: "sequence count",
                                      value: Int64(truncatingIfNeeded: seqs), reason: "expected \(index.sequenceCount) from the index")
        }
        return code
    }

    /// `header + count * width`, or nil when it overflows (then no file can match).
    private static func elementsSize(_ count: Int, width: Int, header: Int) -> Int? {
        let (bytes, o1) = count.multipliedReportingOverflow(by: width)
        let (size, o2) = bytes.addingReportingOverflow(header)
        return o1 || o2 ? nil : size
    }
}
