/// SplitMix64 (Steele, Lea & Flood 2014): the PRNG behind shuffling.
///
/// Chosen because it is a few lines of 64-bit wrapping arithmetic that any
/// language reproduces bit for bit (the Python reader does, with masks),
/// unlike `SystemRandomNumberGenerator` or numpy's generators.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// Current state.
    public var state: UInt64

    /// Starts at `seed`.
    public init(seed: UInt64) { state = seed }

    /// `state += 0x9E3779B97F4A7C15`, then the three xor-shift-multiply steps.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Splits a dataset of `count` sequences into batches of global sequence
/// indices for one rank of `worldSize` trainers (FORMAT.md, "Sampling").
///
/// Epoch order: the identity, or, when shuffling, a Fisher-Yates shuffle
/// driven by `SplitMix64(seed: seed &+ epoch &* 0xD1B54A32D192ED03)`: for
/// `i` from `count - 1` down to 1, `j = next() % (i + 1)`, swap `i` and `j`.
/// (The modulo bias is below 2^-40 for any real dataset and keeps the rule
/// portable.) The order is cut into global batches of `batchSize *
/// worldSize` sequences; with `dropLast` the incomplete tail is dropped,
/// otherwise the order is padded by repeating it from its start (as
/// PyTorch's `DistributedSampler` does) so every rank gets the same number
/// of full batches. Rank `r` takes slice `[r * batchSize, (r + 1) * batchSize)`
/// of each global batch, so ranks are disjoint within an epoch (up to the padding).
public struct BatchSampler: Sendable {
    /// Sequences in the dataset.
    public let count: Int
    /// Sequences per batch on one rank.
    public let batchSize: Int
    /// Whether to shuffle each epoch.
    public let shuffle: Bool
    /// Shuffle seed.
    public let seed: UInt64
    /// Drop the incomplete last global batch instead of padding it.
    public let dropLast: Bool
    /// This trainer's rank, `0..<worldSize`.
    public let rank: Int
    /// Number of trainers.
    public let worldSize: Int

    /// - Precondition: `batchSize > 0`, `0 <= rank < worldSize`, `count >= 0`.
    public init(count: Int, batchSize: Int, shuffle: Bool = true, seed: UInt64 = 0, dropLast: Bool = true,
                rank: Int = 0, worldSize: Int = 1) {
        precondition(count >= 0 && batchSize > 0 && worldSize > 0 && rank >= 0 && rank < worldSize,
                     "invalid sampler configuration")
        self.count = count
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
        self.dropLast = dropLast
        self.rank = rank
        self.worldSize = worldSize
    }

    /// The full permutation of `0..<count` for `epoch`. O(count).
    public func order(epoch: Int) -> [Int] {
        var perm = Array(0..<count)
        guard shuffle, count > 1 else { return perm }
        var rng = SplitMix64(seed: seed &+ UInt64(truncatingIfNeeded: epoch) &* 0xD1B5_4A32_D192_ED03)
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = Int(rng.next() % UInt64(i + 1))
            perm.swapAt(i, j)
        }
        return perm
    }

    /// Batches per epoch on each rank.
    public var batchesPerEpoch: Int {
        let global = batchSize * worldSize
        return dropLast ? count / global : (count + global - 1) / global
    }

    /// This rank's batches for `epoch`, each `batchSize` global indices.
    public func batches(epoch: Int) -> [[Int]] {
        let perm = order(epoch: epoch)
        guard !perm.isEmpty else { return [] }
        let global = batchSize * worldSize
        return (0..<batchesPerEpoch).map { b in
            let start = b * global + rank * batchSize
            return (start..<(start + batchSize)).map { perm[$0 % perm.count] }
        }
    }
}

/// Iterates one rank's batches of an epoch, collated: what a Swift training
/// loop (or `lmshard export`) runs. `next()` throws instead of trapping, so
/// it is a plain iterator type rather than a `Sequence`. `state` is what a
/// checkpoint saves; `init(dataset:sampler:resuming:)` continues from it.
public struct BatchIterator {
    /// The dataset batches are read from.
    public let dataset: ShardedDataset
    /// Whether each batch carries `[bs, n, n]` attention masks.
    public let attentionMask: Bool
    /// The sampler whose batches are read.
    public let sampler: BatchSampler
    /// The epoch iterated.
    public let epoch: Int
    private let plan: [[Int]]
    /// Batches of `epoch` already returned.
    public private(set) var position: Int

    /// Batches of `sampler` for `epoch` over `dataset`, from batch `position` on.
    public init(dataset: ShardedDataset, sampler: BatchSampler, epoch: Int, position: Int = 0, attentionMask: Bool = false) {
        precondition(sampler.count == dataset.count, "sampler was built for a different dataset size")
        precondition(position >= 0 && position <= sampler.batchesPerEpoch, "position outside the epoch")
        self.dataset = dataset
        self.attentionMask = attentionMask
        self.sampler = sampler
        self.epoch = epoch
        self.position = position
        plan = sampler.batches(epoch: epoch)
    }

    /// The rest of the epoch saved in `state` (a state at the end of an epoch yields nothing).
    public init(dataset: ShardedDataset, sampler: BatchSampler, resuming state: SamplerState,
                attentionMask: Bool = false) throws(SamplerStateError) {
        try sampler.checkCompatible(state)
        let resumed = try BatchSampler(resuming: state, rank: sampler.rank)
        self.init(dataset: dataset, sampler: resumed, epoch: state.epoch, position: state.position,
                  attentionMask: attentionMask)
    }

    /// Batches in this epoch.
    public var count: Int { plan.count }

    /// What to save to resume after the batches returned so far.
    public var state: SamplerState { sampler.state(epoch: epoch, position: position) }

    /// The next batch with the global indices it holds, or `nil` at the end of the epoch.
    public mutating func next() throws -> (indices: [Int], batch: LMBatch)? {
        guard position < plan.count else { return nil }
        let indices = plan[position]
        position += 1
        return (indices, try dataset.batch(indices: indices, attentionMask: attentionMask))
    }
}
