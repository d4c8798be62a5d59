import Foundation
import LMJSON
import LMShard

/// Small valid datasets to mutate, written by the real `ShardWriter` so
/// they are exactly what `lmshard build` writes: every dtype combination,
/// an empty shard, empty sequences, several checksum block sizes. Datasets
/// that `lmshard build` made from `sample/` join them through `--corpus`.
public enum Seeds {
    /// One seed's recipe.
    struct Recipe {
        let label: String
        let vocab: Int
        let seqLen: Int
        let blockSize: Int
        /// Per shard, the lengths of its sequences.
        let shards: [[Int]]
    }

    static let recipes: [Recipe] = [
        Recipe(label: "uint16-tiny-blocks", vocab: 500, seqLen: 6, blockSize: 16, shards: [[6, 6, 6]]),
        Recipe(label: "int32-uint32-positions", vocab: 100_000, seqLen: 70_000, blockSize: 64, shards: [[5, 3], [7]]),
        Recipe(label: "empty-shard-and-empty-rows", vocab: 300, seqLen: 4, blockSize: 8, shards: [[], [4, 0, 2], [0]]),
        Recipe(label: "one-block", vocab: 65_536, seqLen: 9, blockSize: 1 << 20, shards: [[9, 9, 9, 9]]),
    ]

    /// Writes every recipe under `scratch` and loads the results.
    public static func handBuilt(scratch: URL) throws -> [DatasetImage] {
        try recipes.enumerated().map { k, r in
            let dir = scratch.appendingPathComponent("seed-\(k)")
            try? FileManager.default.removeItem(at: dir)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            var rng = FuzzRandom(seed: 0x5EED, index: k)
            var summaries: [ShardSummary] = []
            for (s, lengths) in r.shards.enumerated() {
                var w = try ShardWriter(directory: dir, name: "shard-\(s)", tokenDType: .forVocabulary(size: r.vocab),
                                        positionDType: .forSequenceLength(r.seqLen), blockSize: r.blockSize)
                for n in lengths {
                    var positions: [UInt32] = []
                    var p: UInt32 = 0
                    for _ in 0..<n {
                        positions.append(p)
                        p = rng.chance(1, in: 4) ? 0 : p + 1
                    }
                    try w.append(tokens: (0..<n).map { _ in UInt32(rng.below(r.vocab)) }, positions: positions,
                                 lossMask: (0..<n).map { _ in rng.chance(2, in: 3) })
                }
                summaries.append(try w.finish())
            }
            let config: JSONValue = .object(JSONObject([("seq_len", .int(Int64(r.seqLen))), ("recipe", .string(r.label))]))
            try DatasetManifest(tokenizer: .init(name: "fuzz-seed", sha256: String(repeating: "0", count: 64)),
                                vocabSize: r.vocab, eosId: 0, padId: 1, seqLen: r.seqLen, config: config,
                                shards: summaries, blockSize: r.blockSize).write(to: dir)
            return try DatasetImage.load(dir, label: r.label)
        }
    }

    /// Every dataset directory under `corpus` (the directory itself when it
    /// holds a `manifest.json`, else its subdirectories that do).
    public static func load(corpus: URL) throws -> [DatasetImage] {
        let fm = FileManager.default
        if fm.fileExists(atPath: corpus.appendingPathComponent(Format.manifestFileName).path) {
            return [try DatasetImage.load(corpus)]
        }
        return try fm.contentsOfDirectory(atPath: corpus.path).sorted().compactMap { name in
            let dir = corpus.appendingPathComponent(name)
            guard fm.fileExists(atPath: dir.appendingPathComponent(Format.manifestFileName).path) else { return nil }
            return try DatasetImage.load(dir, label: name)
        }
    }
}
