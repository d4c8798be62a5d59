import Foundation
import TestSupport
import LMJSON
import Testing
@testable import LMShard

@Suite struct RoundTripTests {
    /// Writes random shards and reads every sequence back, for both token
    /// dtypes and both position dtypes, with an empty shard in the middle.
    @Test(arguments: [(vocab: 1000, seqLen: 16), (vocab: 100_000, seqLen: 16), (vocab: 300, seqLen: 70_000)])
    func writeThenRead(vocab: Int, seqLen: Int) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let a = randomSequences(count: 7, length: 16, vocab: UInt32(vocab), seed: 1)
        let b = randomSequences(count: 5, length: 16, vocab: UInt32(vocab), seed: 2)
        let m = try writeDataset(dir.url, shards: [a, [], b], vocab: vocab, seqLen: seqLen)
        #expect(m.totals.sequences == 12 && m.totals.tokens == 12 * 16 && m.totals.shards == 3)

        let ds = try ShardedDataset(directory: dir.url)
        #expect(ds.count == 12)
        #expect(ds.shards[0].tokenDType == TokenDType.forVocabulary(size: vocab))
        #expect(ds.shards[0].positionDType == PositionDType.forSequenceLength(seqLen))
        for (i, s) in (a + b).enumerated() {
            let got = try ds.sequence(at: i)
            #expect(got.tokens == s.tokens && got.positions == s.positions && got.lossMask == s.mask)
        }
        // Global index 7 is the first sequence of shard 2 (shard 1 is empty).
        #expect(try ds.locate(7) == (shard: 2, local: 0))
        #expect(throws: ShardError.indexOutOfRange(index: 12, count: 12)) { try ds.item(at: 12) }
        #expect(try verify(directory: dir.url).isClean)
    }

    @Test func fileSizesFollowTheFormula() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let seqs = randomSequences(count: 3, length: 5, vocab: 50, seed: 3)
        let m = try writeDataset(dir.url, shards: [seqs], vocab: 50, seqLen: 8)
        let f = m.shards[0].files
        #expect(f.bin.size == 15 * 2)           // 15 uint16 tokens
        #expect(f.idx.size == 34 + 3 * 20 + 8)  // header + (4 + 8) per sequence + 8 per document index (4 of them)
        #expect(f.pos.size == 32 + 15 * 2)      // plane header + uint16 positions
        #expect(f.mask.size == 32 + 15)         // plane header + one byte per token
        // .sum: 24 header + 4 * 32 table + one 8-byte hash per 64-byte block: 1 + 2 + 1 + 1 blocks.
        #expect(f.sum.size == 24 + 128 + 8 * 5)
        for part in ShardFile.allCases {
            #expect(FileManager.default.fileExists(atPath: dir.path(part.fileName(shard: "shard-0"))))
            #expect(!FileManager.default.fileExists(atPath: dir.path(part.temporaryName(shard: "shard-0"))))
        }
    }

    @Test func itemsMatchTheNotebook() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        // Stored row ids [10,11,12,13,14], positions [0,1,2,0,1], mask [F,T,T,F,T].
        let s = Seq(tokens: [10, 11, 12, 13, 14], positions: [0, 1, 2, 0, 1], mask: [false, true, true, false, true])
        try writeDataset(dir.url, shards: [[s, s]], vocab: 100, seqLen: 5)
        let ds = try ShardedDataset(directory: dir.url)
        let item = try ds.item(at: 0)
        #expect(item.tokens == [10, 11, 12, 13])            // ids[:-1]
        #expect(item.labels == [11, 12, 13, 14])            // ids[1:]
        #expect(item.lossMask == [true, true, false, true]) // mask[1:]
        #expect(item.positionIds == [0, 1, 2, 0])           // positions[:-1]
        #expect(item.cuSeqlens().cuSeqlens == [0, 3, 4])

        let batch = try ds.batch(indices: [1, 0], attentionMask: true)
        #expect(batch.batchSize == 2 && batch.length == 4)
        #expect(batch.tokens == item.tokens + item.tokens)
        #expect(batch.labels == item.labels + item.labels)
        #expect(batch.lossMask == item.lossMask + item.lossMask)
        #expect(batch.positionIds == item.positionIds + item.positionIds)
        #expect(batch.attentionMask == item.attentionMask() + item.attentionMask())
        // Flattened varlen: row 1 segments shifted by 4.
        #expect(batch.cuSeqlens().cuSeqlens == [0, 3, 4, 7, 8])
        #expect(batch.cuSeqlens().maxSeqlen == 3)
    }

    @Test func reusedBatchBuffersGiveFreshBatchesForAnyShape() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let seqs = randomSequences(count: 12, length: 33, vocab: 70000, seed: 7)
        try writeDataset(dir.url, shards: [Array(seqs[0..<5]), Array(seqs[5...])], vocab: 70000, seqLen: 33)
        let ds = try ShardedDataset(directory: dir.url)
        var reused = LMBatch()
        // Shapes change (4 rows, 2 rows, 4 rows with a mask, 4 without): each must equal a fresh batch.
        for (indices, mask) in [([3, 9, 0, 11], false), ([5, 4], false), ([1, 2, 10, 6], true), ([7, 8, 3, 3], false)] {
            try ds.fillBatch(indices: indices, into: &reused, attentionMask: mask)
            #expect(reused == (try ds.batch(indices: indices, attentionMask: mask)))
            #expect(reused.tokens.count == indices.count * 32)
            #expect(reused.tokens == indices.flatMap { try! ds.item(at: $0).tokens })
            #expect(reused.lossMask == indices.flatMap { try! ds.item(at: $0).lossMask })
        }
    }

    @Test func raggedBatchIsAnError() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let short = Seq(tokens: [1, 2], positions: [0, 1], mask: [true, true])
        let long = Seq(tokens: [1, 2, 3], positions: [0, 1, 2], mask: [true, true, true])
        try writeDataset(dir.url, shards: [[long, short]], vocab: 10, seqLen: 3)
        let ds = try ShardedDataset(directory: dir.url)
        #expect(throws: ShardError.raggedBatch(expected: 3, actual: 2, sequence: 1)) { try ds.batch(indices: [0, 1]) }
    }

    @Test func writerRejectsValuesThatDoNotFit() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var w = try ShardWriter(directory: dir.url, name: "s", tokenDType: .uint16, positionDType: .uint16)
        #expect(throws: ShardError.valueOutOfRange(field: "tokens", index: 1, value: 65536, max: 65535)) {
            try w.append(tokens: [1, 65536], positions: [0, 1], lossMask: [true, true])
        }
        #expect(throws: ShardError.valueOutOfRange(field: "positions", index: 0, value: 70000, max: 65535)) {
            try w.append(tokens: [1], positions: [70000], lossMask: [true])
        }
        #expect(throws: ShardError.lengthMismatch(tokens: 2, positions: 1, lossMask: 2)) {
            try w.append(tokens: [1, 2], positions: [0], lossMask: [true, true])
        }
        var w32 = try ShardWriter(directory: dir.url, name: "t", tokenDType: .int32, positionDType: .uint32)
        // int32 tokens hold up to 2^31 - 1; 2^31 would wrap negative in Megatron's reader.
        #expect(throws: ShardError.valueOutOfRange(field: "tokens", index: 0, value: 1 << 31, max: (1 << 31) - 1)) {
            try w32.append(tokens: [1 << 31], positions: [0], lossMask: [true])
        }
        // Failed appends wrote nothing.
        #expect(w.sequenceCount == 0 && w.totalTokens == 0)
        w.abort()
        w32.abort()
        // (`abort` consumes the writer: appending or finishing after it does not compile.)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).isEmpty)
    }

    @Test func manifestRoundTripsAndKeepsConfig() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var written = try writeDataset(dir.url, shards: [randomSequences(count: 2, length: 4, vocab: 9, seed: 5)], vocab: 9, seqLen: 4)
        #expect(try DatasetManifest.read(from: dir.url) == written)
        // Config keys keep their order (z before a), nested values survive.
        let config: JSONValue = .object(JSONObject([("z", .array([.int(1), .double(0.5), .null])), ("a", .bool(true))]))
        written.config = config
        try written.write(to: dir.url)
        var read = try DatasetManifest.read(from: dir.url)
        #expect(read.config == config)
        // Absent special ids are written as explicit nulls and read back as nil.
        written.eosId = nil
        written.padId = nil
        try written.write(to: dir.url)
        #expect(String(decoding: try readBytes(dir.path("manifest.json")), as: UTF8.self).contains("\"eos_id\": null,"))
        #expect(try DatasetManifest.read(from: dir.url).padId == nil)
        // Writing is deterministic: same manifest, same bytes.
        read = try DatasetManifest.read(from: dir.url)
        #expect(try read.encoded() == (try readBytes(dir.path("manifest.json"))))
        let text = String(decoding: try readBytes(dir.path("manifest.json")), as: UTF8.self)
        #expect(text.hasPrefix("{\n  \"format\": \"lmshard\",\n  \"format_version\": 1,"))
        #expect(text.contains("\"token_dtype\": \"uint16\""))
        #expect(!FileManager.default.fileExists(atPath: dir.path(".manifest.json.tmp")))
    }
}

@Suite struct EmptyDatasetTests {
    @Test func zeroShardsAndEmptyShardsAreValid() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let m = try writeDataset(dir.url, shards: [], vocab: 10, seqLen: 4)
        #expect(m.totals == DatasetManifest.Totals(shards: 0, sequences: 0, tokens: 0, bytes: 0))
        let ds = try ShardedDataset(directory: dir.url)
        #expect(ds.count == 0)
        #expect(throws: ShardError.indexOutOfRange(index: 0, count: 0)) { try ds.locate(0) }
        #expect(try verify(directory: dir.url).isClean)

        // One shard with no sequences: an empty .bin, a 42-byte .idx (34 + one document index).
        let dir2 = try TempDir()
        defer { dir2.remove() }
        let m2 = try writeDataset(dir2.url, shards: [[]], vocab: 10, seqLen: 4)
        #expect(m2.shards[0].files.bin.size == 0 && m2.shards[0].files.idx.size == 42)
        #expect(try ShardedDataset(directory: dir2.url).count == 0)
        #expect(try verify(directory: dir2.url).isClean)
        #expect(try ShardedDataset(directory: dir2.url).batch(indices: []).batchSize == 0)
    }
}
