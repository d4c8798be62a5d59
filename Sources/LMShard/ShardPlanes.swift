/// Where one open shard's planes are, as a trivial value: the validated
/// sequence starts, the mapped bytes of `.bin`, `.pos` and `.mask`, and the
/// dtypes. The batch hot path reads through these so that looking up a row
/// copies no class references (no retain/release per row); the objects
/// that own the memory live in the `ShardReader` that made it, which must
/// outlive it.
///
/// Spans come from the starts `ShardReader.init` computed while validating
/// the index, not from the live mapping of `.idx`: a file changed under the
/// map after validation cannot send a read out of bounds, and a lookup is
/// two adjacent aligned loads instead of two unaligned ones from distant
/// parts of the index (plus a division by the token size).
struct ShardPlanes {
    let sequenceCount: Int
    let tokenDType: TokenDType
    let positionDType: PositionDType
    /// `starts[i]` = first token (in elements) of sequence `i`; `starts[n]` = tokens.
    let starts: UnsafeBufferPointer<Int>
    let bin: UnsafeRawBufferPointer
    let pos: UnsafeRawBufferPointer
    let mask: UnsafeRawBufferPointer

    /// Token offset (in elements) and length of sequence `i`. O(1).
    @inline(__always)
    func span(_ i: Int) -> (start: Int, count: Int) {
        precondition(i >= 0 && i < sequenceCount, "sequence index out of range")
        let start = starts[i]
        return (start, starts[i + 1] - start)
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

/// The validated first-token offsets of a shard's sequences (`n + 1` of
/// them, the last being the token count), in memory owned here so that
/// `ShardPlanes` can hold a plain pointer to them. `@unchecked Sendable`:
/// written once by `ShardReader.init`, read-only afterwards.
final class SequenceStarts: @unchecked Sendable {
    let unsafeOffsets: UnsafeMutableBufferPointer<Int>

    init(sequences n: Int) {
        unsafeOffsets = .allocate(capacity: n + 1)
        unsafeOffsets.initialize(repeating: 0)
    }

    deinit { unsafeOffsets.deallocate() }
}
