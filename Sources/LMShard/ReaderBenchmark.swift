/// Reader throughput measurement behind `lmshard bench-reader` (see
/// tools/bench/reader/README.md): collates `batches` batches as a training
/// loop would and reports rates. Lives in the library so the CLI command is
/// only flag parsing, and so the loop measured is exactly `fillBatch(indices:into:)`.
public enum ReaderBenchmark {
    /// Measured rates.
    public struct Result: Sendable, Equatable {
        /// Batches collated.
        public var batches: Int
        /// Input tokens collated (`batches * batchSize * length`).
        public var tokens: Int
        /// Wall time in seconds.
        public var seconds: Double
        /// Batches per second.
        public var batchesPerSecond: Double { Double(batches) / seconds }
        /// Input tokens per second.
        public var tokensPerSecond: Double { Double(tokens) / seconds }
        /// `{"batches_per_s": .., "tokens_per_s": ..}`, the line the Python bench parses.
        public var jsonLine: String {
            "{\"batches_per_s\": \(batchesPerSecond), \"tokens_per_s\": \(tokensPerSecond)}"
        }
    }

    /// Collates `batches` batches of `batchSize` (cycling epochs of a
    /// `BatchSampler` with `seed` 1234 when shuffling, the Python bench's
    /// order) and times them.
    public static func run(dataset: ShardedDataset, batchSize: Int, batches: Int, shuffle: Bool) throws -> Result {
        let sampler = BatchSampler(count: dataset.count, batchSize: batchSize, shuffle: shuffle, seed: 1234)
        guard sampler.batchesPerEpoch > 0, batches > 0 else { return Result(batches: 0, tokens: 0, seconds: 1) }
        var plan: [[Int]] = []
        var epoch = 0
        while plan.count < batches {
            plan += sampler.batches(epoch: epoch)
            epoch += 1
        }
        plan.removeLast(plan.count - batches)
        var tokens = 0
        let clock = ContinuousClock()
        let start = clock.now
        // One reused batch, as a training loop keeps its step buffers.
        var batch = LMBatch()
        for indices in plan {
            try dataset.fillBatch(indices: indices, into: &batch)
            tokens += batch.tokens.count
        }
        let d = clock.now - start
        let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        return Result(batches: batches, tokens: tokens, seconds: max(seconds, 1e-9))
    }
}
