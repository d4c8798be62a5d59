import TestSupport
import Foundation
import LMJSON
import MapReduce
import Testing

@testable import LMPrep

/// One id per Unicode scalar (its value + 100), with Mellum's special tokens
/// at Mellum's ids: any text encodes, so random rows can be generated.
struct ScalarEncoder: TextEncoder {
    func encodeText(_ text: String) throws -> [UInt32] {
        if let id = FakeEncoder.mellumSpecial[text] { return [id] }
        return text.unicodeScalars.map { $0.value + 100 }
    }
    func specialTokenId(_ token: String) throws -> UInt32? { FakeEncoder.mellumSpecial[token] }
    var eosTokenId: UInt32? { 0 }
}

@Suite struct RunnerParityTests {
    static func randomText(_ rng: inout SplitMix64) -> String {
        let alphabet = Array("abcdef ghij\nklmé€😀")
        return String((0..<Int.random(in: 0...40, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
    }

    static func rows(_ strategy: PrepareForTrainingConfig.Strategy, count: Int, seed: UInt64) -> [JSONValue] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            switch strategy {
            case .pretrain:
                return row(["content": randomText(&rng)])
            case .fim:
                return row(["prefix": randomText(&rng), "middle": randomText(&rng), "suffix": randomText(&rng)])
            case .sft:
                let turns = (0..<Int.random(in: 1...4, using: &rng)).map { i in
                    (["system", "user", "assistant"][i == 0 ? Int.random(in: 0...1, using: &rng) : 1 + i % 2], randomText(&rng))
                }
                return conversation(turns)
            }
        }
    }

    /// The spilling, multi-threaded LocalRunner gives exactly InMemoryRunner's
    /// output (the notebook's order) for every strategy and packing: this
    /// also round-trips every TokenizedRow through the shuffle encoding.
    @Test(arguments: PrepareForTrainingConfig.Strategy.allCases, PackingStrategy.allCases)
    func localRunnerMatchesInMemory(strategy: PrepareForTrainingConfig.Strategy, packing: PackingStrategy) throws {
        let config = try PrepareForTrainingConfig(
            processingStrategy: strategy, packingStrategy: packing, tokenizerName: "scalar", seqLen: 37,
            fimOptions: FIMOptions(format: .psm, onlyMiddleNotMasked: true), numReduceChunks: 5)
        let transform = try PrepareForTrainingTransform(config: config, encoder: ScalarEncoder())
        let input = Self.rows(strategy, count: 120, seed: 7)
        let expected = try InMemoryRunner().run(transform, rows: input)
        #expect(expected.count > 5)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("lmprep-runner-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        // A 1-byte memory budget spills after every batch; small batches make many runs.
        let runner = LocalRunner(workers: 2, memoryBudget: 1, workDirectory: work.path, partitions: 3, batchRows: 40)
        var got: [TokenizedRow] = []
        try runner.run(transform, rows: input) { got.append($0) }
        #expect(got == expected)
    }
}
