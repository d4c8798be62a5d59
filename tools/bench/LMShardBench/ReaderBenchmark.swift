import LMShard

/// Reader throughput measurement behind `lmshard-bench reader` (see
/// tools/bench/reader/README.md): collates `batches` batches as a training
/// loop would and reports rates. The loop measured is exactly the library's
/// `ShardedDataset.fillBatch(indices:into:)`.
enum ReaderBenchmark {
    /// Measured rates.
    struct Result: Sendable, Equatable {
        /// Batches collated.
        var batches: Int
        /// Input tokens collated (`batches * batchSize * length`).
        var tokens: Int
        /// Wall time in seconds.
        var seconds: Double
        /// Batches per second.
        var batchesPerSecond: Double { Double(batches) / seconds }
        /// Input tokens per second.
        var tokensPerSecond: Double { Double(tokens) / seconds }
        /// `{"batches_per_s": .., "tokens_per_s": ..}`, the line the Python bench parses.
        var jsonLine: String {
            "{\"batches_per_s\": \(batchesPerSecond), \"tokens_per_s\": \(tokensPerSecond)}"
        }
    }

    /// What is timed per batch.
    enum Work: Sendable {
        /// `fillBatch(indices:into:)`: the reader as a training loop uses it.
        case collate
        /// A plain `memcpy` of each row's stored bytes (tokens, positions,
        /// loss mask) into one scratch buffer, with no widening and no cache
        /// hints: what the memory system gives for the same rows, the
        /// reference for "serves batches at memory bandwidth".
        case rawCopy
    }

    /// Collates `batches` batches of `batchSize` (cycling epochs of a
    /// `BatchSampler` with `seed` 1234 when shuffling, the Python bench's
    /// order) and times them.
    static func run(
        dataset: ShardedDataset, batchSize: Int, batches: Int, shuffle: Bool, work: Work = .collate
    ) throws -> Result {
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
        var scratch: [UInt8] = []
        for indices in plan {
            switch work {
            case .collate:
                try dataset.fillBatch(indices: indices, into: &batch)
                tokens += batch.tokens.count
            case .rawCopy:
                tokens += try copyRows(dataset, indices, into: &scratch)
            }
        }
        let d = clock.now - start
        let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        return Result(batches: batches, tokens: tokens, seconds: max(seconds, 1e-9))
    }

    /// Copies the stored bytes of rows `indices` back to back into
    /// `scratch`; returns the tokens a batch of them holds (as `fillBatch`
    /// counts them: one less per row).
    private static func copyRows(_ dataset: ShardedDataset, _ indices: [Int], into scratch: inout [UInt8]) throws -> Int {
        var at = 0, tokens = 0
        for index in indices {
            try dataset.withSequence(at: index) { t, p, m in
                let need = at + t.rawBytes.count + p.rawBytes.count + m.count
                if scratch.count < need { scratch += [UInt8](repeating: 0, count: need - scratch.count) }
                scratch.withUnsafeMutableBytes { out in
                    func append(_ part: UnsafeRawBufferPointer) {
                        guard let base = part.baseAddress else { return }
                        (out.baseAddress! + at).copyMemory(from: base, byteCount: part.count)
                        at += part.count
                    }
                    append(t.rawBytes)
                    append(p.rawBytes)
                    append(UnsafeRawBufferPointer(m))
                }
                tokens += max(0, t.count - 1)
            }
        }
        return tokens
    }
}
