import Foundation
import LMJSON
@testable import LMShard

/// One stored sequence as the writer takes it.
struct Seq: Equatable {
    var tokens: [UInt32]
    var positions: [UInt32]
    var mask: [Bool]
}

/// Deterministic pseudo-random packed sequences: documents of random length
/// whose positions restart at 0, as packing produces them.
func randomSequences(count: Int, length: Int, vocab: UInt32, seed: UInt64) -> [Seq] {
    var rng = LMShard.SplitMix64(seed: seed)
    return (0..<count).map { _ in
        var s = Seq(tokens: [], positions: [], mask: [])
        var pos: UInt32 = 0
        var docLeft = Int(rng.next() % 7) + 1
        for _ in 0..<length {
            s.tokens.append(UInt32(rng.next() % UInt64(vocab)))
            s.positions.append(pos)
            s.mask.append(rng.next() % 3 != 0)
            pos += 1
            docLeft -= 1
            if docLeft == 0 { pos = 0; docLeft = Int(rng.next() % 7) + 1 }
        }
        return s
    }
}

let testTokenizer = DatasetManifest.Tokenizer(name: "test-tokenizer", sha256: String(repeating: "ab", count: 32))

/// Writes `shards` (each a list of sequences) plus a manifest into `dir`.
@discardableResult
func writeDataset(_ dir: URL, shards: [[Seq]], vocab: Int, seqLen: Int, blockSize: Int = 64) throws -> DatasetManifest {
    var summaries: [ShardSummary] = []
    for (k, seqs) in shards.enumerated() {
        var w = try ShardWriter(directory: dir, name: "shard-\(k)", tokenDType: .forVocabulary(size: vocab),
                                positionDType: .forSequenceLength(seqLen), blockSize: blockSize)
        for s in seqs { try w.append(tokens: s.tokens, positions: s.positions, lossMask: s.mask) }
        summaries.append(try w.finish())
    }
    let config: JSONValue = .object(JSONObject([("seq_len", .int(Int64(seqLen))), ("strategy", .string("dense"))]))
    let m = DatasetManifest(tokenizer: testTokenizer, vocabSize: vocab, eosId: 0, padId: 1, seqLen: seqLen,
                            config: config, shards: summaries, blockSize: blockSize)
    try m.write(to: dir)
    return m
}

/// Reads a whole file.
func readBytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
/// Replaces a whole file.
func writeBytes(_ bytes: [UInt8], _ path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }
