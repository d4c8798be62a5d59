/// One training example, exactly the notebook's `LMDataset.__getitem__`
/// for a stored sequence `ids` of n tokens:
/// `tokens = ids[:-1]`, `labels = ids[1:]`, `loss_mask = mask[1:]`,
/// `position_ids = positions[:-1]` (each n - 1 long; empty when n <= 1).
/// The loss mask is shifted with the labels because it says whether each
/// *target* token is trained on.
public struct LMItem: Equatable, Sendable {
    /// Input token ids.
    public var tokens: [UInt32]
    /// Next-token targets.
    public var labels: [UInt32]
    /// Whether the loss is computed for each label.
    public var lossMask: [Bool]
    /// Position id of each input token.
    public var positionIds: [UInt32]

    /// Creates an item from its four arrays.
    public init(tokens: [UInt32], labels: [UInt32], lossMask: [Bool], positionIds: [UInt32]) {
        self.tokens = tokens
        self.labels = labels
        self.lossMask = lossMask
        self.positionIds = positionIds
    }

    /// `[n, n]` block-diagonal causal mask from `positionIds` (row-major).
    public func attentionMask() -> [Bool] { PackedSegments.attentionMask(positions: positionIds) }
    /// Segment id per input token.
    public func segmentIds() -> [Int32] { PackedSegments.segmentIds(positions: positionIds) }
    /// Flash-attention varlen boundaries and longest segment.
    public func cuSeqlens() -> (cuSeqlens: [Int32], maxSeqlen: Int) { PackedSegments.cuSeqlens(positions: positionIds) }
}

extension ShardedDataset {
    /// The training item for global sequence `index`. O(n) copy.
    public func item(at index: Int) throws -> LMItem {
        try withSequence(at: index) { t, p, m in
            let n = t.count
            guard n > 1 else { return LMItem(tokens: [], labels: [], lossMask: [], positionIds: []) }
            return LMItem(tokens: Array(t[0..<(n - 1)]), labels: Array(t[1..<n]),
                          lossMask: m[1..<n].map { $0 != 0 }, positionIds: Array(p[0..<(n - 1)]))
        }
    }
}
