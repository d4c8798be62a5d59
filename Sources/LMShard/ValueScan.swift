/// `verify`'s value check for one plane: how many elements are not below
/// `limit` (token ids against `vocab_size`, positions against `seq_len`),
/// and where the first one is. Elements are read as unsigned little-endian
/// integers, so a negative int32 token id reads as 2^32 - |id|, above any
/// `vocab_size` (which is below 2^31): one comparison rejects both.
///
/// Fed block by block as `verify` hashes them, so sampled verification
/// checks the values of the blocks it samples. The common case (every value
/// in range) is one branch-free max per block, which vectorizes and costs
/// little next to hashing the same bytes; only a block holding a bad value
/// is scanned again to count them.
struct ValueScan {
    /// Values must be below this.
    let limit: UInt64
    /// Bytes per element: 2 or 4.
    let width: Int
    /// Bytes before element 0 (0 for `.bin`, 32 for the planes).
    let headerSize: Int
    /// Elements not below `limit` so far.
    private(set) var count = 0
    /// Byte offset and value of the first of them.
    private(set) var first: (offset: Int, value: UInt64)?

    init(limit: UInt64, width: Int, headerSize: Int) {
        precondition(width == 2 || width == 4, "planes hold 2- or 4-byte values")
        self.limit = limit
        self.width = width
        self.headerSize = headerSize
    }

    /// Checks the elements whose first byte lies in `range` of `bytes`
    /// (an element straddling the block's end belongs to this block).
    /// Returns how many elements it checked.
    @discardableResult
    mutating func scan(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int {
        let lo = Swift.max(range.lowerBound, headerSize)
        let skip = (lo - headerSize + width - 1) / width
        let start = headerSize + skip * width
        guard start < range.upperBound, start + width <= bytes.count else { return 0 }
        let n = Swift.min((range.upperBound - start + width - 1) / width, (bytes.count - start) / width)
        let top: UInt64 = width == 2 ? Self.largest(bytes, start, n, as: UInt16.self) : Self.largest(bytes, start, n, as: UInt32.self)
        if top >= limit {
            for k in 0..<n {
                let offset = start + k * width
                let v = width == 2
                    ? UInt64(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
                    : UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                if v >= limit {
                    if first == nil { first = (offset, v) }
                    count += 1
                }
            }
        }
        return n
    }

    /// The `.bin` damage record for what was found, if anything (int32 ids
    /// shown signed).
    func tokenDamage(shard: String, dtype: TokenDType, vocabSize: Int) -> Damage? {
        guard let first else { return nil }
        let id = dtype == .int32 ? Int64(Int32(truncatingIfNeeded: first.value)) : Int64(first.value)
        return Damage(shard: shard, file: .bin, block: nil, byteRange: first.offset..<(first.offset + width),
                      kind: .tokenOutOfVocabulary(tokenId: id, vocabSize: vocabSize, count: count))
    }

    /// The `.pos` damage record for what was found, if anything.
    func positionDamage(shard: String, seqLen: Int) -> Damage? {
        guard let first else { return nil }
        return Damage(shard: shard, file: .pos, block: nil, byteRange: first.offset..<(first.offset + width),
                      kind: .positionOutOfRange(position: UInt32(truncatingIfNeeded: first.value), seqLen: seqLen, count: count))
    }

    /// Largest of `n` little-endian `T`s starting at byte `start`. Blocks
    /// start at multiples of the block size in page-aligned maps, so the
    /// values are almost always aligned: then a typed loop the compiler
    /// vectorizes. With unaligned loads only, `verify` of a 446 MB dataset
    /// took a median 3.6x the time of reading its files and the scan was 59%
    /// of its profile; with the typed loop 1.5x and 15% (tools/bench/verify,
    /// a loaded 2-core machine). Unaligned loads remain the fallback.
    private static func largest<T: FixedWidthInteger & UnsignedInteger>(
        _ bytes: UnsafeRawBufferPointer, _ start: Int, _ n: Int, as _: T.Type
    ) -> UInt64 {
        guard n > 0, let base = bytes.baseAddress else { return 0 }
        var top: T = 0
        let first = base + start
        if Int(bitPattern: first) % MemoryLayout<T>.alignment == 0 {
            // The host is little-endian (IntegerView.swift refuses others), so
            // a typed view reads the stored values as they are.
            for v in UnsafeBufferPointer(start: first.assumingMemoryBound(to: T.self), count: n) { top = Swift.max(top, v) }
        } else {
            for k in 0..<n {
                top = Swift.max(top, T(littleEndian: bytes.loadUnaligned(fromByteOffset: start + k * MemoryLayout<T>.size, as: T.self)))
            }
        }
        return UInt64(top)
    }
}
