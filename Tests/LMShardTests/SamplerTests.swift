import LMJSON
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

@Suite struct SamplerStateTests {
    /// 23 sequences, bs 2, world 3, drop_last: 3 batches per epoch on each rank.
    let sampler = BatchSampler(count: 23, batchSize: 2, seed: 9, dropLast: true, rank: 1, worldSize: 3)

    @Test func cursorCrossesEpochs() {
        var c = SamplerCursor(sampler: sampler)
        let nine = (0..<9).compactMap { _ in c.next() }
        #expect(Array(nine[0..<3]) == sampler.batches(epoch: 0))
        #expect(Array(nine[3..<6]) == sampler.batches(epoch: 1))
        #expect(Array(nine[6..<9]) == sampler.batches(epoch: 2))
        #expect(c.state.epoch == 2 && c.state.position == 3)
    }

    @Test func resumeAfterKBatchesYieldsExactlyTheRest() throws {
        var reference = SamplerCursor(sampler: sampler)
        let full = (0..<9).compactMap { _ in reference.next() }
        for k in 0...9 {
            var first = SamplerCursor(sampler: sampler)
            let head = (0..<k).compactMap { _ in first.next() }
            // A sampler built with another seed: the seed comes from the state.
            let other = BatchSampler(count: 23, batchSize: 2, seed: 0, dropLast: true, rank: 1, worldSize: 3)
            var resumed = try SamplerCursor(sampler: other, resuming: first.state)
            let rest = (k..<9).compactMap { _ in resumed.next() }
            #expect(head + rest == full, "k = \(k)")
        }
    }

    @Test func jsonRoundTripAndPythonShape() throws {
        var c = SamplerCursor(sampler: sampler)
        _ = c.next()
        _ = c.next()
        // Exactly the Python sampler's state_dict() for the same sampler after 2 batches
        // (tools/python/tests/test_sampler.py, test_state_dict_shape).
        let text = #"{"format":"lmshard.sampler","version":1,"count":23,"batch_size":2,"world_size":3,"shuffle":true,"drop_last":true,"seed":9,"epoch":0,"position":2}"#
        #expect(try c.state.json().serialized() == text)
        #expect(try SamplerState(json: try JSONParser.parse(text)) == c.state)
    }

    @Test func badStatesNameTheField() throws {
        let good = sampler.state(epoch: 0, position: 1)
        func parse(_ edit: (inout JSONObject) -> Void) throws -> SamplerState {
            guard case var .object(o) = try good.json() else { fatalError() }
            edit(&o)
            return try SamplerState(json: .object(o))
        }
        #expect(throws: SamplerStateError.missingField("position")) { try parse { $0["position"] = nil } }
        #expect(throws: SamplerStateError.badField("shuffle", value: "1", expected: "true or false")) {
            try parse { $0["shuffle"] = .int(1) }
        }
        #expect(throws: SamplerStateError.badField("epoch", value: "-1", expected: "an integer >= 0")) {
            try parse { $0["epoch"] = .int(-1) }
        }
        let other = BatchSampler(count: 24, batchSize: 2, seed: 9, dropLast: true, rank: 1, worldSize: 3)
        #expect(throws: SamplerStateError.mismatch(field: "count", saved: "23", sampler: "24")) {
            _ = try SamplerCursor(sampler: other, resuming: good)
        }
        var huge = good
        huge.seed = 1 << 63
        #expect(throws: SamplerStateError.badField("seed", value: "9223372036854775808", expected: "below 2^63")) {
            _ = try huge.json()
        }
        var beyond = good
        beyond.position = 4
        #expect(throws: SamplerStateError.self) { _ = try SamplerCursor(sampler: sampler, resuming: beyond) }
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
        // Resuming after one batch gives the other two, read from the dataset.
        var first = BatchIterator(dataset: ds, sampler: sampler, epoch: 1)
        _ = try first.next()
        var resumed = try BatchIterator(dataset: ds, sampler: sampler, resuming: first.state)
        var rest: [[Int]] = []
        while let (indices, _) = try resumed.next() { rest.append(indices) }
        #expect(rest == Array(seen[1...]))
    }
}
