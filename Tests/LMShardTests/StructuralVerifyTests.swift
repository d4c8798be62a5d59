import Foundation
import LMIO
import TestSupport
import Testing
@_spi(Testing) @testable import LMShard

/// `verify` runs the readers' own structural checks and the value checks,
/// so damage whose checksums were recomputed ("resealed") is still caught,
/// with the same error the readers throw.
@Suite struct StructuralVerifyTests {
    /// One shard of three 5-token uint16 sequences, vocabulary 500, 16-byte blocks.
    func dataset(vocab: Int = 500, seqLen: Int = 5) throws -> TempDir {
        let dir = try TempDir()
        try writeDataset(dir.url, shards: [randomSequences(count: 3, length: 5, vocab: 400, seed: 11)],
                         vocab: vocab, seqLen: seqLen, blockSize: 16)
        return dir
    }

    func edit(_ dir: TempDir, _ file: String, _ body: (inout [UInt8]) -> Void) throws {
        var bytes = try readBytes(dir.path(file))
        body(&bytes)
        try writeBytes(bytes, dir.path(file))
    }

    /// The case: the `.idx` version byte changed and every checksum
    /// recomputed used to verify "ok" while every reader refused the data.
    @Test func resealedVersionEditIsStructuralDamage() throws {
        let dir = try dataset()
        defer { dir.remove() }
        try edit(dir, "shard-0.idx") { $0[Format.Index.versionOffset] = 2 }
        try Reseal.dataset(directory: dir.url)
        let idx = dir.path("shard-0.idx")
        let expected = ShardError.unsupportedVersion(file: idx, offset: 9, version: 2)
        #expect(throws: expected) { try ShardedDataset(directory: dir.url) }
        let damage = [Damage(shard: "shard-0", file: .idx, block: nil, byteRange: nil, kind: .structure(expected))]
        #expect(try verify(directory: dir.url).damage == damage)
        // Sampling hashes fewer blocks but always checks the whole structure.
        let sampled = try verify(directory: dir.url, mode: .sampled(fraction: 0, seed: 1))
        #expect(sampled.blocksChecked == 0 && sampled.shardsChecked == 1 && sampled.damage == damage)
        #expect(damage[0].description == "shard-0.idx: unreadable by every reader: \(idx)@9: unsupported version 2")
    }

    /// Plane header edits behind recomputed checksums: the same errors the reader throws.
    @Test func resealedPlaneEditsNameTheFileAndOffset() throws {
        let dir = try dataset()
        defer { dir.remove() }
        try edit(dir, "shard-0.mask") { $0[Format.Plane.dtypeOffset] = 16 }
        try Reseal.dataset(directory: dir.url)
        let mask = dir.path("shard-0.mask")
        #expect(try verify(directory: dir.url).damage.map(\.kind) == [.structure(.badDType(file: mask, offset: 12, code: 16))])
        try edit(dir, "shard-0.mask") { $0[Format.Plane.dtypeOffset] = 8; $0[Format.Plane.sequenceCountOffset] = 9 }
        try Reseal.dataset(directory: dir.url)
        #expect(try verify(directory: dir.url).damage.map(\.kind) == [.structure(.badField(
            file: mask, offset: 24, field: "sequence count", value: 9, reason: "expected 3 from the index"))])
    }

    /// A sequence longer than the manifest's `seq_len` (FORMAT.md section 1)
    /// is refused by the readers and reported by verify.
    @Test func sequenceLongerThanSeqLen() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        // Written with seq_len 5 (dtype uint16 either way), then the manifest claims 4.
        try writeDataset(dir.url, shards: [randomSequences(count: 2, length: 5, vocab: 400, seed: 3)], vocab: 500, seqLen: 5)
        let text = String(decoding: try readBytes(dir.path("manifest.json")), as: UTF8.self)
        try writeBytes(Array(text.replacingOccurrences(of: "\"seq_len\": 5,\n  \"token_dtype\"",
                                                       with: "\"seq_len\": 4,\n  \"token_dtype\"").utf8), dir.path("manifest.json"))
        let expected = ShardError.badField(file: dir.path("shard-0.idx"), offset: 34, field: "sequence length", value: 5,
                                           reason: "longer than the manifest's seq_len 4")
        #expect(throws: expected) { try ShardedDataset(directory: dir.url) }
        #expect(try verify(directory: dir.url).damage.first?.kind == .structure(expected))
    }

    /// Token ids are checked against `vocab_size`, in every mode, on intact
    /// blocks; a negative int32 id is out of range and shown signed.
    @Test func negativeInt32TokenId() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let vocab = 100_000  // int32 tokens
        let seqs = randomSequences(count: 2, length: 4, vocab: 1000, seed: 5)
        try writeDataset(dir.url, shards: [seqs], vocab: vocab, seqLen: 4, blockSize: 16)
        // Token 5 (sequence 1, token 1) is bytes 20..<24 of .bin: make it -7.
        try edit(dir, "shard-0.bin") { b in withUnsafeBytes(of: Int32(-7).littleEndian) { for k in 0..<4 { b[20 + k] = $0[k] } } }
        try Reseal.dataset(directory: dir.url)
        let report = try verify(directory: dir.url)
        #expect(report.damage == [Damage(shard: "shard-0", file: .bin, block: nil, byteRange: 20..<24,
                                         kind: .tokenOutOfVocabulary(tokenId: -7, vocabSize: vocab, count: 1))])
        #expect(report.damage[0].description == "shard-0.bin bytes 20..<24: token id -7 outside the vocabulary 0..<100000")
        #expect(report.tokensChecked == 8)
        // Readers still open it (a token id is a value, not structure): verify is the
        // gate, and a reader spot-checking what it serves finds it in sequence 1 only.
        let ds = try ShardedDataset(directory: dir.url)
        #expect(ds.count == 2)
        #expect(try ds.verifySequence(at: 0).isEmpty)
        #expect(try ds.verifySequence(at: 1) == report.damage)
        // Sampled verify checks the ids of the blocks it samples: block 1 (bytes 16..<32) holds it.
        let all = try verify(directory: dir.url, mode: .sampled(fraction: 1, seed: 9))
        #expect(all.damage.map(\.kind) == [.tokenOutOfVocabulary(tokenId: -7, vocabSize: vocab, count: 1)])
    }

    /// uint16 ids at or above `vocab_size`, counted per shard.
    @Test func uint16IdsAboveVocabularyAreCounted() throws {
        let dir = try dataset(vocab: 500)
        defer { dir.remove() }
        // Tokens 2 and 7 (bytes 4..<6 and 14..<16) become 500 and 65535.
        try edit(dir, "shard-0.bin") { b in b[4] = 0xF4; b[5] = 0x01; b[14] = 0xFF; b[15] = 0xFF }
        try Reseal.dataset(directory: dir.url)
        #expect(try verify(directory: dir.url).damage == [
            Damage(shard: "shard-0", file: .bin, block: nil, byteRange: 4..<6,
                   kind: .tokenOutOfVocabulary(tokenId: 500, vocabSize: 500, count: 2))])
    }

    /// Position ids must be below `seq_len` (FORMAT.md section 4).
    @Test func positionAtOrAboveSeqLen() throws {
        let dir = try dataset(seqLen: 5)
        defer { dir.remove() }
        // Position of token 4 (bytes 32 + 8 ..< 32 + 10 of .pos) becomes 5.
        try edit(dir, "shard-0.pos") { b in b[40] = 5; b[41] = 0 }
        try Reseal.dataset(directory: dir.url)
        #expect(try ShardedDataset(directory: dir.url).verifySequence(at: 0).map(\.kind)
                == [.positionOutOfRange(position: 5, seqLen: 5, count: 1)])
        #expect(try verify(directory: dir.url).damage == [
            Damage(shard: "shard-0", file: .pos, block: nil, byteRange: 40..<42,
                   kind: .positionOutOfRange(position: 5, seqLen: 5, count: 1))])
    }

    /// Odd block sizes put values across block boundaries and off their
    /// alignment: each is still checked exactly once, in the block holding
    /// its first byte (the unaligned path of the scan).
    @Test func oddBlockSizesCheckEveryValueOnce() throws {
        for blockSize in [1, 3, 7, 9] {
            let dir = try TempDir()
            defer { dir.remove() }
            try writeDataset(dir.url, shards: [randomSequences(count: 4, length: 6, vocab: 400, seed: 8)],
                             vocab: 500, seqLen: 6, blockSize: blockSize)
            #expect(try verify(directory: dir.url).tokensChecked == 24)
            // Token 13 (bytes 26..<28) becomes 60000.
            try edit(dir, "shard-0.bin") { b in b[26] = 0x60; b[27] = 0xEA }
            try Reseal.dataset(directory: dir.url)
            let report = try verify(directory: dir.url)
            #expect(report.damage == [Damage(shard: "shard-0", file: .bin, block: nil, byteRange: 26..<28,
                                             kind: .tokenOutOfVocabulary(tokenId: 60000, vocabSize: 500, count: 1))],
                    "block size \(blockSize)")
            #expect(report.tokensChecked == 24)
        }
    }

    /// A damaged block is reported as a checksum error only; its values are
    /// not checked (the damage explains them).
    @Test func valuesOfDamagedBlocksAreNotReportedTwice() throws {
        let dir = try dataset(vocab: 500)
        defer { dir.remove() }
        try edit(dir, "shard-0.bin") { b in b[4] = 0xFF; b[5] = 0xFF }
        #expect(try verify(directory: dir.url).damage.map(\.block) == [0])
    }
}

/// Counts and sizes read from a manifest or header are multiplied and summed
/// with checked arithmetic: absurd values are errors naming the field.
@Suite struct CheckedArithmeticTests {
    func manifestWith(_ replace: [(String, String)]) throws -> (TempDir, String) {
        let dir = try TempDir()
        try writeDataset(dir.url, shards: [randomSequences(count: 3, length: 5, vocab: 400, seed: 11)],
                         vocab: 500, seqLen: 5, blockSize: 16)
        var text = String(decoding: try readBytes(dir.path("manifest.json")), as: UTF8.self)
        for (from, to) in replace {
            #expect(text.contains(from), "fixture lacks \(from)")
            text = text.replacingOccurrences(of: from, with: to)
        }
        try writeBytes(Array(text.utf8), dir.path("manifest.json"))
        return (dir, dir.path("manifest.json"))
    }

    @Test func hugeCountsAndSizesInTheManifest() throws {
        let cases: [([(String, String)], String, String)] = [
            // tokens * 2 overflows.
            ([("\"tokens\": 15,", "\"tokens\": 4611686018427387904,")], "shards[0].tokens",
             "4611686018427387904 is too large: the .bin size overflows"),
            // 20 * sequences overflows.
            ([("\"sequences\": 3,", "\"sequences\": 4611686018427387904,")], "shards[0].sequences",
             "4611686018427387904 is too large: the .idx size overflows"),
            // T = 2^62 - 1: the .bin size 2T fits, and the mismatch with the real size is named.
            ([("\"tokens\": 15,", "\"tokens\": 4611686018427387903,")], "shards[0].files.bin.size",
             "30, expected 9223372036854775806 from the counts"),
            // A file size near 2^63: the bytes total overflows.
            ([("\"size\": 280,", "\"size\": 9223372036854775807,")], "shards[0].files.sum.size",
             "total bytes overflow"),
            ([("\"block_size\": 16", "\"block_size\": 9223372036854775807")], "checksum.block_size", "must be in 1...2^40"),
            ([("\"size\": 30,", "\"size\": -30,")], "shards[0].files.bin.size", "negative size -30"),
        ]
        for (edits, field, reason) in cases {
            let (dir, path) = try manifestWith(edits)
            defer { dir.remove() }
            let expected = ShardError.badManifest(file: path, field: field, reason: reason)
            #expect(throws: expected) { try DatasetManifest.read(from: dir.url) }
            #expect(throws: expected) { try ShardedDataset(directory: dir.url) }
            #expect(throws: expected) { try verify(directory: dir.url) }
        }
    }

    @Test func sizeFormulasDoNotTrap() {
        #expect(Format.Index.fileSize(sequenceCount: 2) == 82)
        #expect(Format.Index.fileSize(sequenceCount: Int.max / 20) == nil)
        #expect(Format.Index.fileSize(sequenceCount: -1) == nil)
        #expect(Checksum.blockCount(size: Int.max, blockSize: 1 << 20) == Int.max / (1 << 20) + 1)
        #expect(Checksum.blockCount(size: 1 << 20, blockSize: 1 << 20) == 1)
    }

    /// `.sum` header fields at boundary values are typed errors naming the offset.
    @Test func sumTableBoundaryValues() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try writeDataset(dir.url, shards: [randomSequences(count: 3, length: 5, vocab: 400, seed: 11)],
                         vocab: 500, seqLen: 5, blockSize: 16)
        let path = dir.path("shard-0.sum")
        let original = try readBytes(path)
        for (offset, value) in [(16, UInt64.max), (16, 0), (24, UInt64(Int64.max)), (24, 1 << 56 + 1), (40, UInt64.max),
                                (48, UInt64.max), (48, 1 << 63)] {
            var b = original
            LittleEndian.write(value, into: &b, at: offset)
            #expect(throws: ShardError.self, "offset \(offset) = \(value)") {
                try b.withUnsafeBytes { _ = try ChecksumFile.parse($0, file: path) }
            }
            try writeBytes(b, path)
            try Reseal.dataset(directory: dir.url, sums: false)
            let damage = try verify(directory: dir.url).damage
            #expect(damage.count == 1 && damage[0].file == .sum, "offset \(offset) = \(value): \(damage)")
        }
    }
}

/// A FIFO where a shard file or the manifest should be would block `open`
/// forever: LMIO refuses it, and `verify` reports it as damage.
@Suite struct SpecialFileTests {
    func mkfifo(_ path: String) throws {
        try? FileManager.default.removeItem(atPath: path)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/mkfifo")
        p.arguments = [path]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }

    @Test func fifoInsteadOfFiles() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        // An empty shard: its .bin is 0 bytes, the size a FIFO reports.
        try writeDataset(dir.url, shards: [[]], vocab: 500, seqLen: 5, blockSize: 16)
        let bin = dir.path("shard-0.bin")
        try mkfifo(bin)
        let fifo = FileError(path: bin, operation: "open", reason: "not a regular file (a FIFO)")
        #expect(throws: fifo) { try ShardedDataset(directory: dir.url) }
        #expect(try verify(directory: dir.url).damage.map(\.kind) == [.unreadable("\(fifo)")])
        let manifest = dir.path("manifest.json")
        try mkfifo(manifest)
        let fifoManifest = FileError(path: manifest, operation: "open", reason: "not a regular file (a FIFO)")
        #expect(throws: fifoManifest) { try ShardedDataset(directory: dir.url) }
        #expect(throws: fifoManifest) { try verify(directory: dir.url) }
    }
}
