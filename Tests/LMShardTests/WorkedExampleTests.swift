import Foundation
import TestSupport
import LMJSON
import Testing
@testable import LMShard

/// FORMAT.md's worked example, byte for byte. The same hashes are asserted
/// by `tools/python/tests/test_format.py` against the Python writer, so the
/// two implementations are pinned to identical files (manifest included).
@Suite struct WorkedExampleTests {
    @Test func exampleFilesHaveTheDocumentedBytes() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var w = try ShardWriter(directory: dir.url, name: "shard-00000", tokenDType: .uint16, positionDType: .uint16, blockSize: 64)
        try w.append(tokens: [5, 6, 7, 8], positions: [0, 1, 0, 1], lossMask: [false, true, true, true])
        try w.append(tokens: [9, 10, 11, 0], positions: [0, 1, 2, 0], lossMask: [true, true, true, false])
        let shard = try w.finish()
        let config: JSONValue = .object(JSONObject([("seq_len", .int(4)), ("strategy", .string("no_incomplete"))]))
        let m = DatasetManifest(tokenizer: .init(name: "example", sha256: String(repeating: "0", count: 64)),
                                vocabSize: 100, eosId: 0, padId: 0, seqLen: 4, config: config, shards: [shard], blockSize: 64)
        try m.write(to: dir.url)

        // The .bin: eight little-endian uint16 ids.
        #expect(try readBytes(dir.path("shard-00000.bin")) == [5, 0, 6, 0, 7, 0, 8, 0, 9, 0, 10, 0, 11, 0, 0, 0])
        // The .mask data after the 32-byte header: one byte per token.
        #expect(try readBytes(dir.path("shard-00000.mask")).suffix(8) == [0, 1, 1, 1, 1, 1, 1, 0])
        let expected = ["bin": "a9fa14a07e7d8680", "idx": "dbce01693ae2f008", "pos": "107de1b7a65ce211",
                        "mask": "1da942cb6ad22a85", "sum": "8b15e6be5c2e0066"]
        for part in ShardFile.allCases {
            #expect(shard.files[part].xxh3 == expected[part.rawValue], "\(part)")
            #expect(Checksum.hex(Checksum.xxh3(try readBytes(dir.path("shard-00000.\(part.rawValue)")))) == expected[part.rawValue])
        }
        // manifest.json as Python's json.dumps(indent=2) + "\n" writes it.
        #expect(Checksum.hex(Checksum.xxh3(try readBytes(dir.path("manifest.json")))) == "5669ca2783c737c3")
        let item = try ShardedDataset(directory: dir.url).item(at: 1)
        #expect(item == LMItem(tokens: [9, 10, 11], labels: [10, 11, 0], lossMask: [true, true, false], positionIds: [0, 1, 2]))
    }
}
