import Foundation
import TestSupport
import Testing
@testable import LMShard

/// Shards too large to write in a test, built by hand: an `.idx` whose byte
/// pointers exceed 2^32 over sparse data files (ftruncate allocates nothing).
@Suite struct HandBuiltIndexTests {
    func idx(lengths: [Int32], dtype: TokenDType) -> [UInt8] {
        var b = Format.Index.magic
        LittleEndian.append(UInt64(1), to: &b)
        b.append(dtype.rawValue)
        LittleEndian.append(UInt64(lengths.count), to: &b)
        LittleEndian.append(UInt64(lengths.count + 1), to: &b)
        for l in lengths { LittleEndian.append(l, to: &b) }
        var p: Int64 = 0
        for l in lengths { LittleEndian.append(p, to: &b); p += Int64(l) * Int64(dtype.size) }
        for d in 0...lengths.count { LittleEndian.append(Int64(d), to: &b) }
        return b
    }

    func plane(_ magic: [UInt8], code: UInt8, tokens: Int, sequences: Int) -> [UInt8] {
        var h = magic
        LittleEndian.append(UInt32(1), to: &h)
        h += [code, 0, 0, 0]
        LittleEndian.append(UInt64(tokens), to: &h)
        LittleEndian.append(UInt64(sequences), to: &h)
        return h
    }

    func sparse(_ path: String, header: [UInt8], size: Int) throws {
        try writeBytes(header, path)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try h.truncate(atOffset: UInt64(size))
        try h.close()
    }

    @Test func int64PointersBeyond4GiB() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        // Two int32 sequences of 2^30 tokens each (4 GiB of tokens apiece), then one of 3:
        // the third pointer is 2 * 2^30 * 4 = 2^33, which needs int64.
        let lengths: [Int32] = [1 << 30, 1 << 30, 3]
        let total = (1 << 31) + 3
        try writeBytes(idx(lengths: lengths, dtype: .int32), dir.path("big.idx"))
        try sparse(dir.path("big.bin"), header: [], size: total * 4)
        try sparse(dir.path("big.pos"), header: plane(Format.Plane.positionMagic, code: 32, tokens: total, sequences: 3),
                   size: 32 + total * 4)
        try sparse(dir.path("big.mask"), header: plane(Format.Plane.maskMagic, code: 8, tokens: total, sequences: 3),
                   size: 32 + total)
        // Write the last sequence's real bytes at their far offsets.
        for (file, offset, bytes) in [("big.bin", (1 << 33), [7, 0, 0, 0, 8, 0, 0, 0, 9, 0, 0, 0] as [UInt8]),
                                      ("big.pos", 32 + (1 << 33), [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]),
                                      ("big.mask", 32 + (1 << 31), [1, 0, 1])] {
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.path(file)))
            try h.seek(toOffset: UInt64(offset))
            try h.write(contentsOf: Data(bytes))
            try h.close()
        }
        let r = try ShardReader(directory: dir.url.path, name: "big")
        #expect(r.sequenceCount == 3 && r.tokenCount == total)
        #expect(r.span(2) == (start: 1 << 31, count: 3))  // element offset = pointer 2^33 / 4 bytes
        r.withSequence(at: 2) { t, p, m in
            #expect(Array(t) == [7, 8, 9])
            #expect(Array(p) == [0, 1, 0])
            #expect(Array(m) == [1, 0, 1])
        }
    }

    /// One int32 row of 2^31 - 1 tokens (sparse files, 8 GiB of address
    /// space, nothing allocated): a 3-row batch's dense attention mask would
    /// need 3 * (2^31 - 2)^2 cells, more than `Int` holds. A typed error
    /// before any buffer is allocated, not an overflow trap.
    @Test func attentionMaskOfAHugeRowIsATypedError() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let n = Int(Int32.max)
        try writeBytes(idx(lengths: [Int32.max], dtype: .int32), dir.path("s.idx"))
        try sparse(dir.path("s.bin"), header: [], size: n * 4)
        try sparse(dir.path("s.pos"), header: plane(Format.Plane.positionMagic, code: 32, tokens: n, sequences: 1), size: 32 + n * 4)
        try sparse(dir.path("s.mask"), header: plane(Format.Plane.maskMagic, code: 8, tokens: n, sequences: 1), size: 32 + n)
        try writeBytes([UInt8](repeating: 0, count: 8), dir.path("s.sum"))  // never read by ShardedDataset
        var files: [FileSummary] = []
        for part in ShardFile.allCases {
            let size = try FileManager.default.attributesOfItem(atPath: dir.path(part.fileName(shard: "s")))[.size] as! Int
            files.append(FileSummary(size: size, xxh3: "0000000000000000"))
        }
        let shard = ShardSummary(name: "s", sequences: 1, tokens: n,
                                 files: ShardFiles(bin: files[0], idx: files[1], pos: files[2], mask: files[3], sum: files[4]))
        try DatasetManifest(tokenizer: testTokenizer, vocabSize: 100_000, eosId: nil, padId: nil, seqLen: n,
                            config: .null, shards: [shard]).write(to: dir.url)
        let ds = try ShardedDataset(directory: dir.url)
        #expect(try ds.length(of: 0) == n)
        #expect(throws: ShardError.batchTooLarge(batchSize: 3, length: n - 1)) {
            try ds.batch(indices: [0, 0, 0], attentionMask: true)
        }
    }

    @Test func hostileCountsAreRejectedBeforeAllocation() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var b = idx(lengths: [2], dtype: .uint16)
        // Claim 2^62 sequences in a 62-byte file (34 + 20 + 8: one sequence): rejected from the size alone.
        LittleEndian.write(UInt64(1) << 62, into: &b, at: Format.Index.sequenceCountOffset)
        try writeBytes(b, dir.path("x.idx"))
        try writeBytes([1, 0, 2, 0], dir.path("x.bin"))
        try writeBytes(plane(Format.Plane.positionMagic, code: 16, tokens: 2, sequences: 1) + [0, 0, 1, 0], dir.path("x.pos"))
        try writeBytes(plane(Format.Plane.maskMagic, code: 8, tokens: 2, sequences: 1) + [1, 1], dir.path("x.mask"))
        #expect(throws: ShardError.badField(file: dir.path("x.idx"), offset: 18, field: "sequence count",
                                            value: 1 << 62, reason: "arrays do not fit in 62 bytes")) {
            try ShardReader(directory: dir.url.path, name: "x")
        }
        // A negative length.
        var neg = idx(lengths: [2], dtype: .uint16)
        LittleEndian.write(Int32(-1), into: &neg, at: 34)
        try writeBytes(neg, dir.path("x.idx"))
        #expect(throws: ShardError.badField(file: dir.path("x.idx"), offset: 34, field: "sequence length", value: -1, reason: "negative")) {
            try ShardReader(directory: dir.url.path, name: "x")
        }
        // A pointer past the end of .bin.
        var far = idx(lengths: [2], dtype: .uint16)
        LittleEndian.write(Int64(1 << 40), into: &far, at: 38)
        try writeBytes(far, dir.path("x.idx"))
        #expect(throws: ShardError.self) { try ShardReader(directory: dir.url.path, name: "x") }
        // An unknown dtype code (3 = int16 is valid Megatron but not lmshard).
        var dt = idx(lengths: [2], dtype: .uint16)
        dt[17] = 3
        try writeBytes(dt, dir.path("x.idx"))
        #expect(throws: ShardError.badDType(file: dir.path("x.idx"), offset: 17, code: 3)) {
            try ShardReader(directory: dir.url.path, name: "x")
        }
        // The well-formed version opens.
        try writeBytes(idx(lengths: [2], dtype: .uint16), dir.path("x.idx"))
        #expect(try ShardReader(directory: dir.url.path, name: "x").withSequence(at: 0) { t, _, _ in Array(t) } == [1, 2])
    }
}
