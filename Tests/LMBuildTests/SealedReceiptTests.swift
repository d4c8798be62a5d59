import Foundation
import LMIO
import LMJSON
import LMPrep
import LMShard
import TestSupport
import Testing
@testable import LMBuild

/// Staged receipts carry their own checksum: any flipped bit makes a
/// receipt count as missing (its work redone), never believed.
@Suite struct SealedReceiptTests {
    @Test func aSealIsTheHashOfWhatPrecedesIt() throws {
        let body = Array("{\"receipt\":\"shard\",\"group\":3}\n".utf8)
        let sealed = SealedFile.seal(body)
        let text = String(decoding: sealed, as: UTF8.self)
        #expect(text == "{\"receipt\":\"shard\",\"group\":3}\nxxh3 \(Checksum.hex(Checksum.xxh3(body)))\n")
        #expect(try SealedFile.open(sealed, path: "r") == body)
        // An unsealed receipt (what stdout carries) is not accepted as staged.
        #expect(throws: BuildError.self) { try SealedFile.open(body, path: "r") }
    }

    @Test func everyFlippedBitIsCaught() throws {
        let body = Array("{\"receipt\":\"shard\",\"group\":3,\"packing\":{\"documents_in\":12}}\n".utf8)
        let sealed = SealedFile.seal(body)
        for bit in 0..<(sealed.count * 8) {
            var damaged = sealed
            damaged[bit / 8] ^= UInt8(1 << (bit % 8))
            #expect(throws: BuildError.self, "bit \(bit)") { try SealedFile.open(damaged, path: "r") }
        }
        for cut in 0..<sealed.count {
            #expect(throws: BuildError.self, "cut at \(cut)") { try SealedFile.open(Array(sealed[0..<cut]), path: "r") }
        }
    }

    @Test func aDamagedStagedShardReceiptIsDroppedSoTheGroupIsRedone() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let staging = try DatasetFixture.staging(in: dir)
        let receipt = ShardReceipt(group: 0, shard: nil, packing: PackingStats())
        try staging.record(receipt)
        #expect(staging.keptShard(group: 0) == receipt)
        let path = staging.shardReceiptPath(group: 0)
        var bytes = try FileSystem.readFile(path, limit: 1 << 20)
        bytes[bytes.count / 3] ^= 0x04
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(staging.keptShard(group: 0) == nil)
        #expect(!FileSystem.exists(path))
    }
}

/// A staging directory of a one-file plan, for tests that need one.
enum DatasetFixture {
    static func staging(in dir: TempDir) throws -> BuildStaging {
        let plan = BuildPlan(
            planVersion: 1, planID: "00112233aabbccdd", kind: BuildPlan.buildKind, createdAt: 1.5, config: .object(JSONObject()),
            tokenizer: nil, files: [PlanFile(index: 0, path: dir.path("a.jsonl"), name: "a.jsonl", format: "jsonl", size: 10, mtimeNs: 7)],
            splits: [PlanSplit(id: "000000", file: 0, start: 0, end: nil)], splitBytes: 8, numReduceChunks: 2,
            skipBadRows: false, overwrite: false, output: dir.path("out"), staging: dir.path(".out.build-00112233aabbccdd"))
        return try BuildStaging.openOrResume(plan: plan)
    }
}
