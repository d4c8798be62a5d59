import TestSupport
import Testing
@testable import LMShard

@Suite struct SamplerTests {
    @Test func splitMixReferenceValues() {
        // Reference outputs of SplitMix64 from seed 0 (as in Vigna's splitmix64.c).
        var r = LMShard.SplitMix64(seed: 0)
        #expect(r.next() == 0xE220_A839_7B1D_CDAF)
        #expect(r.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(r.next() == 0x06C4_5D18_8009_454F)
    }

    @Test func shuffleIsAPermutationAndSeeded() {
        let s = BatchSampler(count: 100, batchSize: 4, seed: 42)
        let a = s.order(epoch: 0)
        #expect(a.sorted() == Array(0..<100))
        #expect(a != Array(0..<100))
        #expect(s.order(epoch: 0) == a)  // same seed, same epoch, same order
        #expect(s.order(epoch: 1) != a)  // epochs differ
        #expect(BatchSampler(count: 100, batchSize: 4, seed: 43).order(epoch: 0) != a)
        #expect(BatchSampler(count: 5, batchSize: 2, shuffle: false).order(epoch: 3) == [0, 1, 2, 3, 4])
    }

    @Test func shuffleOrderPinned() {
        // Pinned so the Python reader's test can assert the same list:
        // count 10, seed 1234, epoch 0.
        let order = BatchSampler(count: 10, batchSize: 1, seed: 1234).order(epoch: 0)
        #expect(order == pinnedOrder)
    }

    @Test func ranksAreDisjointAndDropLastCounts() {
        // 23 sequences, bs 2, world 3: global batch 6, drop_last keeps 3 batches (18 sequences).
        let ranks = (0..<3).map { BatchSampler(count: 23, batchSize: 2, seed: 9, dropLast: true, rank: $0, worldSize: 3) }
        #expect(ranks[0].batchesPerEpoch == 3)
        let all = ranks.flatMap { $0.batches(epoch: 0).flatMap { $0 } }
        #expect(all.count == 18)
        #expect(Set(all).count == 18)  // disjoint
        // Without drop_last: ceil(23 / 6) = 4 batches each, 24 slots, one padded from the start.
        let padded = (0..<3).map { BatchSampler(count: 23, batchSize: 2, seed: 9, dropLast: false, rank: $0, worldSize: 3) }
        let flat = padded.flatMap { $0.batches(epoch: 0).flatMap { $0 } }
        #expect(flat.count == 24)
        #expect(Set(flat) == Set(0..<23))
    }
}

/// Recorded from the Swift implementation once and shared with
/// `tools/python/tests/test_sampler.py`.
let pinnedOrder: [Int] = [0, 1, 8, 6, 4, 3, 7, 2, 9, 5]

@Suite struct BatchIteratorTests {
    @Test func iteratesTheSamplersBatches() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let seqs = randomSequences(count: 7, length: 4, vocab: 50, seed: 6)
        try writeDataset(dir.url, shards: [Array(seqs[0..<3]), Array(seqs[3...])], vocab: 50, seqLen: 4)
        let ds = try ShardedDataset(directory: dir.url)
        let sampler = BatchSampler(count: 7, batchSize: 2, seed: 5)
        var it = BatchIterator(dataset: ds, sampler: sampler, epoch: 1)
        var seen: [[Int]] = []
        while let (indices, batch) = try it.next() {
            seen.append(indices)
            // Row r of the batch is item indices[r]: tokens = ids[:-1] of that stored sequence.
            for (r, i) in indices.enumerated() {
                #expect(Array(batch.tokens[(r * 3)..<(r * 3 + 3)]) == Array(seqs[i].tokens.prefix(3)))
            }
        }
        #expect(seen == sampler.batches(epoch: 1))
        #expect(seen.count == 3)  // 7 / 2 with drop_last
    }
}
