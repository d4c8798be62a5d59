/// Where one open shard's planes are, as a trivial value: the mapped bytes
/// of `.idx`, `.bin`, `.pos` and `.mask` plus the dtypes. The batch hot path
/// reads through these so that looking up a row copies no class references
/// (no retain/release per row); the `MappedFile`s that own the bytes live
/// in the `ShardReader` that made it, which must outlive it.
///
/// Everything here was validated by `ShardReader.init`, so reads stay in
/// bounds; the preconditions only guard against misuse inside the module.
struct ShardPlanes {
    let sequenceCount: Int
    let tokenDType: TokenDType
    let positionDType: PositionDType
    let idx: UnsafeRawBufferPointer
    let bin: UnsafeRawBufferPointer
    let pos: UnsafeRawBufferPointer
    let mask: UnsafeRawBufferPointer

    /// Token offset (in elements) and length of sequence `i`: two unaligned
    /// loads from the mapped index. O(1).
    @inline(__always)
    func span(_ i: Int) -> (start: Int, count: Int) {
        precondition(i >= 0 && i < sequenceCount, "sequence index out of range")
        let lengthsAt = Format.Index.headerSize, pointersAt = lengthsAt + 4 * sequenceCount
        let len = Int32(littleEndian: idx.loadUnaligned(fromByteOffset: lengthsAt + 4 * i, as: Int32.self))
        let ptr = Int64(littleEndian: idx.loadUnaligned(fromByteOffset: pointersAt + 8 * i, as: Int64.self))
        return (Int(ptr) / tokenDType.size, Int(len))
    }

    /// Zero-copy views of sequence `i`: tokens, positions, loss mask bytes.
    @inline(__always)
    func withSequence<R>(at i: Int, _ body: (UnsafeIntegerView, UnsafeIntegerView, UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let (start, count) = span(i)
        let tokens: UnsafeIntegerView
        switch tokenDType {
        case .uint16: tokens = .uint16(Self.view(bin, at: start * 2, count: count))
        case .int32: tokens = .int32(Self.view(bin, at: start * 4, count: count))
        }
        let positions: UnsafeIntegerView
        switch positionDType {
        case .uint16: positions = .uint16(Self.view(pos, at: Format.Plane.headerSize + start * 2, count: count))
        case .uint32: positions = .uint32(Self.view(pos, at: Format.Plane.headerSize + start * 4, count: count))
        }
        let m: UnsafeBufferPointer<UInt8> = Self.view(mask, at: Format.Plane.headerSize + start, count: count)
        return try body(tokens, positions, m)
    }

    /// A typed view of `count` elements at byte `offset`; the offset is a
    /// multiple of the element size from an aligned base (mmap is page
    /// aligned, plane headers are 32 bytes), so the binding is aligned.
    private static func view<T>(_ bytes: UnsafeRawBufferPointer, at offset: Int, count: Int) -> UnsafeBufferPointer<T> {
        guard count > 0, let base = bytes.baseAddress else { return UnsafeBufferPointer(start: nil, count: 0) }
        precondition(offset + count * MemoryLayout<T>.stride <= bytes.count, "validated view out of bounds")
        return UnsafeBufferPointer(start: (base + offset).assumingMemoryBound(to: T.self), count: count)
    }
}
