import CBatchCopy

#if _endian(big)
#error("LMShard maps little-endian files directly into typed views; big-endian hosts are not supported")
#endif

/// A zero-copy view of a run of mapped token ids or position ids, in the
/// width the file stores them. Valid only inside the `withSequence` closure
/// that handed it out.
///
/// An enum rather than a generic so callers need not be generic over the
/// dtype: hot loops `switch` once and then run over the concrete buffer.
public enum UnsafeIntegerView: RandomAccessCollection {
    /// 16-bit values (uint16 tokens or positions).
    case uint16(UnsafeBufferPointer<UInt16>)
    /// 32-bit signed values (int32 tokens).
    case int32(UnsafeBufferPointer<Int32>)
    /// 32-bit unsigned values (uint32 positions).
    case uint32(UnsafeBufferPointer<UInt32>)

    /// 0.
    public var startIndex: Int { 0 }
    /// Number of values.
    public var endIndex: Int {
        switch self {
        case .uint16(let b): return b.count
        case .int32(let b): return b.count
        case .uint32(let b): return b.count
        }
    }

    /// The values' bytes as stored (for cache hints; never written).
    public var rawBytes: UnsafeRawBufferPointer {
        switch self {
        case .uint16(let b): return UnsafeRawBufferPointer(b)
        case .int32(let b): return UnsafeRawBufferPointer(b)
        case .uint32(let b): return UnsafeRawBufferPointer(b)
        }
    }

    /// The value at `i`, widened to `UInt32` (int32 token ids are never
    /// negative in a valid file; a negative one reads as its bit pattern).
    public subscript(i: Int) -> UInt32 {
        switch self {
        case .uint16(let b): return UInt32(b[i])
        case .int32(let b): return UInt32(bitPattern: b[i])
        case .uint32(let b): return b[i]
        }
    }

    /// Widens `count` values starting at `start` into `out`: one `switch`,
    /// then a memcpy (32-bit) or the SIMD widening kernel of `CBatchCopy`
    /// (AVX-512 or AVX2 when the CPU has it: the batch hot path is bound by
    /// its stores, and wider stores were 1.25-1.6x faster than the SSE2 loop
    /// Swift compiles for baseline x86-64).
    public func copy(from start: Int, count: Int, into out: UnsafeMutablePointer<UInt32>) {
        precondition(start >= 0 && count >= 0 && start + count <= endIndex, "copy range out of bounds")
        guard count > 0 else { return }
        switch self {
        case .uint16(let b):
            lmshard_widen_u16_u32(b.baseAddress! + start, out, count)
        case .int32(let b):
            UnsafeMutableRawPointer(out).copyMemory(from: b.baseAddress! + start, byteCount: count * 4)
        case .uint32(let b):
            out.update(from: b.baseAddress! + start, count: count)
        }
    }

    /// Copies the values into an array.
    public func toArray() -> [UInt32] { Array(self) }
}
