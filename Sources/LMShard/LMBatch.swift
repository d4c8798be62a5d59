import CBatchCopy

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

extension LMBatch {
    /// A batch with no rows, to pass to `ShardedDataset.fillBatch` first.
    public init() {
        self.init(batchSize: 0, length: 0, tokens: [], labels: [], lossMask: [], positionIds: [], attentionMask: nil)
    }
}

extension ShardedDataset {
    /// Collates the items of global sequences `indices` into a new batch.
    /// See `fillBatch(indices:into:attentionMask:)`, which reuses buffers.
    public func batch(indices: [Int], attentionMask: Bool = false) throws -> LMBatch {
        var batch = LMBatch()
        try fillBatch(indices: indices, into: &batch, attentionMask: attentionMask)
        return batch
    }

    /// Collates the items of global sequences `indices` into `batch`,
    /// reusing its buffers: a training loop that keeps one `LMBatch` pays no
    /// allocation and no zero-fill per step, only the widening copies from
    /// the memory maps (the cost the reader benchmark measures). All
    /// sequences must have the same length.
    ///
    /// - Throws: `ShardError.indexOutOfRange`, `.raggedBatch` or
    ///   `.batchTooLarge` (attention mask only); `batch`
    ///   is then left in an unspecified but valid state.
    public func fillBatch(indices: [Int], into batch: inout LMBatch, attentionMask: Bool = false) throws {
        let bs = indices.count
        let n = try indices.first.map { try length(of: $0) } ?? 1
        let len = max(0, n - 1)
        // len comes from the file (up to seq_len < 2^31): bs * len and the
        // attention mask's bs * len * len can overflow. Checked before any
        // buffer is allocated.
        let (size, o0) = bs.multipliedReportingOverflow(by: len)
        let (square, o1) = len.multipliedReportingOverflow(by: len)
        let (cells, o2) = square.multipliedReportingOverflow(by: bs)
        guard !o0, !attentionMask || (!o1 && !o2) else { throw ShardError.batchTooLarge(batchSize: bs, length: len) }
        batch.batchSize = bs
        batch.length = len
        // Resize only when the shape changes; contents are overwritten below.
        if batch.tokens.count != size {
            batch.tokens = [UInt32](repeating: 0, count: size)
            batch.labels = batch.tokens
            batch.positionIds = batch.tokens
            batch.lossMask = [Bool](repeating: false, count: size)
        }
        try batch.tokens.withUnsafeMutableBufferPointer { tokens in
            try batch.labels.withUnsafeMutableBufferPointer { labels in
                try batch.positionIds.withUnsafeMutableBufferPointer { positions in
                    try batch.lossMask.withUnsafeMutableBufferPointer { loss in
                        if let first = indices.first { try prefetchSequence(at: first) }
                        for (r, index) in indices.enumerated() {
                            // Rows of a shuffled batch are far apart: start
                            // loading the next row while this one is copied,
                            // so its first lines are not waited for.
                            if r + 1 < bs { try prefetchSequence(at: indices[r + 1]) }
                            try withSequence(at: index) { t, p, m in
                                guard t.count == n else {
                                    throw ShardError.raggedBatch(expected: n, actual: t.count, sequence: index)
                                }
                                guard len > 0 else { return }
                                let row = r * len
                                t.copy(from: 0, count: len, into: tokens.baseAddress! + row)
                                t.copy(from: 1, count: len, into: labels.baseAddress! + row)
                                p.copy(from: 0, count: len, into: positions.baseAddress! + row)
                                // Bool is one byte, 0 or 1: what the kernel writes.
                                UnsafeMutableRawPointer(loss.baseAddress! + row).withMemoryRebound(
                                    to: UInt8.self, capacity: len
                                ) { lmshard_nonzero_u8(m.baseAddress! + 1, $0, len) }
                            }
                        }
                    }
                }
            }
        }
        guard attentionMask else {
            batch.attentionMask = nil
            return
        }
        var full = batch.attentionMask ?? []
        if full.count != cells { full = [Bool](repeating: false, count: cells) }
        for r in 0..<bs {
            PackedSegments.attentionMask(
                positions: batch.positionIds[(r * len)..<((r + 1) * len)], into: &full, offset: r * len * len)
        }
        batch.attentionMask = full
    }
}

extension ShardedDataset {
    /// Hints the CPU to load sequence `index`'s tokens, positions and loss
    /// mask into the caches; returns at once.
    func prefetchSequence(at index: Int) throws {
        try withSequence(at: index) { t, p, m in
            Self.prefetch(t.rawBytes)
            Self.prefetch(p.rawBytes)
            Self.prefetch(UnsafeRawBufferPointer(m))
        }
    }

    @inline(__always)
    private static func prefetch(_ bytes: UnsafeRawBufferPointer) {
        if let base = bytes.baseAddress { lmshard_prefetch_range(base, bytes.count) }
    }
}
