/// Walks one rank's batches epoch after epoch, remembering where it is, so a
/// checkpoint can save `state` and a restarted run continue with exactly the
/// batches the uninterrupted run would have produced (the Python sampler's
/// iteration: after the last batch of epoch `e` comes the first of `e + 1`).
public struct SamplerCursor: IteratorProtocol, Sendable {
    /// The sampler walked.
    public let sampler: BatchSampler
    /// Current epoch.
    public private(set) var epoch: Int
    /// Batches of `epoch` already returned.
    public private(set) var position: Int
    private var plan: [[Int]]

    /// Starts at batch `position` of `epoch`.
    public init(sampler: BatchSampler, epoch: Int = 0, position: Int = 0) {
        precondition(epoch >= 0 && position >= 0 && position <= sampler.batchesPerEpoch, "cursor outside the epoch")
        self.sampler = sampler
        self.epoch = epoch
        self.position = position
        plan = sampler.batches(epoch: epoch)
    }

    /// Continues from a saved state; `sampler` must be configured as the one that saved it.
    public init(sampler: BatchSampler, resuming state: SamplerState) throws(SamplerStateError) {
        try sampler.checkCompatible(state)
        let resumed = try BatchSampler(resuming: state, rank: sampler.rank)
        self.init(sampler: resumed, epoch: state.epoch, position: state.position)
    }

    /// What to save to resume after the batches returned so far.
    public var state: SamplerState { sampler.state(epoch: epoch, position: position) }

    /// The next batch of global indices, moving into the next epoch after the
    /// last one; `nil` only when an epoch has no batches at all.
    public mutating func next() -> [Int]? {
        if position == plan.count {
            guard sampler.batchesPerEpoch > 0 else { return nil }
            epoch += 1
            position = 0
            plan = sampler.batches(epoch: epoch)
        }
        position += 1
        return plan[position - 1]
    }
}
