/// Attention structure of a packed sequence, derived from its position ids.
///
/// Packing rebases every document to start at position 0, so a new segment
/// starts at index 0 and at every index whose position id is 0 (padding
/// tokens have position 0 too, so each pad is a segment of one that attends
/// only to itself). Everything here is computed on request: the dense mask
/// is seq^2 bytes (1 MiB at 1024 tokens) and most trainers only need
/// `cu_seqlens`.
public enum PackedSegments {
    /// Segment id of every token: 0 for the first segment, +1 at each new one.
    public static func segmentIds<C: RandomAccessCollection>(positions: C) -> [Int32] where C.Element == UInt32, C.Index == Int {
        var out = [Int32](repeating: 0, count: positions.count)
        var seg: Int32 = 0
        for i in 0..<positions.count {
            if i > 0 && positions[positions.startIndex + i] == 0 { seg += 1 }
            out[i] = seg
        }
        return out
    }

    /// Flash-attention varlen form: `cuSeqlens` = cumulative segment
    /// boundaries `[0, s1, ..., n]` (Int32, as flash-attn expects) and the
    /// longest segment. An empty input gives `[0]` and 0.
    public static func cuSeqlens<C: RandomAccessCollection>(positions: C) -> (cuSeqlens: [Int32], maxSeqlen: Int) where C.Element == UInt32, C.Index == Int {
        var cu: [Int32] = [0]
        var longest = 0, start = 0
        for i in 1..<max(1, positions.count) where positions[positions.startIndex + i] == 0 {
            cu.append(Int32(i))
            longest = max(longest, i - start)
            start = i
        }
        if positions.count > 0 {
            cu.append(Int32(positions.count))
            longest = max(longest, positions.count - start)
        }
        return (cu, longest)
    }

    /// Block-diagonal causal mask, row-major `n x n`: `mask[i*n + j]` is
    /// true when `j <= i` and tokens i and j are in the same segment.
    public static func attentionMask<C: RandomAccessCollection>(positions: C) -> [Bool] where C.Element == UInt32, C.Index == Int {
        let n = positions.count
        var mask = [Bool](repeating: false, count: n * n)
        attentionMask(positions: positions, into: &mask, offset: 0)
        return mask
    }

    /// Writes the mask for `positions` into `out[offset ..< offset + n*n]`
    /// (used by batch collation to fill `[bs, n, n]` in place).
    static func attentionMask<C: RandomAccessCollection>(positions: C, into out: inout [Bool], offset: Int) where C.Element == UInt32, C.Index == Int {
        let n = positions.count
        var segStart = 0
        out.withUnsafeMutableBufferPointer { m in
            for i in 0..<n {
                if i > 0 && positions[positions.startIndex + i] == 0 { segStart = i }
                let row = offset + i * n
                for j in 0..<n { m[row + j] = j >= segStart && j <= i }
            }
        }
    }
}
