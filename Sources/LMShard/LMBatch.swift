/// `bs` items stacked into contiguous row-major buffers, the notebook's
/// `collate_lm`: every array is `[batchSize, length]` flattened, the
/// optional attention mask `[batchSize, length, length]`.
public struct LMBatch: Equatable, Sendable {
    /// Rows.
    public var batchSize: Int
    /// Tokens per row (stored sequence length - 1).
    public var length: Int
    /// Input ids `[bs, length]`.
    public var tokens: [UInt32]
    /// Targets `[bs, length]`.
    public var labels: [UInt32]
    /// Loss mask `[bs, length]`.
    public var lossMask: [Bool]
    /// Position ids `[bs, length]`.
    public var positionIds: [UInt32]
    /// `[bs, length, length]` block-diagonal causal masks, only when requested.
    public var attentionMask: [Bool]?

    /// Varlen form over the whole batch flattened to one stream of
    /// `bs * length` tokens (rows never share a segment): boundaries and
    /// longest segment, as `flash_attn_varlen_func` takes them.
    public func cuSeqlens() -> (cuSeqlens: [Int32], maxSeqlen: Int) {
        var cu: [Int32] = [0]
        var longest = 0
        for r in 0..<batchSize {
            let row = positionIds[(r * length)..<((r + 1) * length)]
            let (c, m) = PackedSegments.cuSeqlens(positions: Array(row))
            let base = Int32(r * length)
            cu.append(contentsOf: c.dropFirst().map { $0 + base })
            longest = max(longest, m)
        }
        return (cu, longest)
    }
}

extension ShardedDataset {
    /// Collates the items of global sequences `indices` without building
    /// per-item arrays: each row is widened straight from the memory maps
    /// into the batch buffers. All sequences must have the same length.
    public func batch(indices: [Int], attentionMask: Bool = false) throws -> LMBatch {
        let bs = indices.count
        guard let first = indices.first else {
            return LMBatch(batchSize: 0, length: 0, tokens: [], labels: [], lossMask: [], positionIds: [], attentionMask: attentionMask ? [] : nil)
        }
        let n = try length(of: first)
        let len = max(0, n - 1)
        var tokens = [UInt32](repeating: 0, count: bs * len)
        var labels = tokens, positions = tokens
        var loss = [Bool](repeating: false, count: bs * len)
        for (r, index) in indices.enumerated() {
            try withSequence(at: index) { t, p, m in
                guard t.count == n else { throw ShardError.raggedBatch(expected: n, actual: t.count, sequence: index) }
                guard len > 0 else { return }
                let row = r * len
                tokens.withUnsafeMutableBufferPointer { t.copy(from: 0, count: len, into: $0.baseAddress! + row) }
                labels.withUnsafeMutableBufferPointer { t.copy(from: 1, count: len, into: $0.baseAddress! + row) }
                positions.withUnsafeMutableBufferPointer { p.copy(from: 0, count: len, into: $0.baseAddress! + row) }
                loss.withUnsafeMutableBufferPointer { out in
                    for k in 0..<len { out[row + k] = m[k + 1] != 0 }
                }
            }
        }
        var mask: [Bool]? = nil
        if attentionMask {
            var full = [Bool](repeating: false, count: bs * len * len)
            for r in 0..<bs {
                PackedSegments.attentionMask(positions: positions[(r * len)..<((r + 1) * len)], into: &full, offset: r * len * len)
            }
            mask = full
        }
        return LMBatch(batchSize: bs, length: len, tokens: tokens, labels: labels, lossMask: loss,
                       positionIds: positions, attentionMask: mask)
    }
}
