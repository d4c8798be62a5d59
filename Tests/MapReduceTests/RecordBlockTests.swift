import Foundation
import LMIO
import TestSupport
import Testing
@testable import MapReduce

/// The checked-block layout of spill and output files, byte by byte, and
/// what the reader makes of damage: every flipped bit of a file either
/// reads back the same records or is reported, never a changed record.
@Suite struct RecordBlockTests {
    /// The decompressed bytes of a record file.
    func decompressed(_ path: String) throws -> [UInt8] {
        var source = try ZstdSource(FileDescriptor.openForReading(path))
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { return out }
            out += chunk[0..<n]
        }
    }

    func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    func records(_ path: String) throws -> [[UInt8]] {
        var reader = try RecordFileReader(path: path)
        var out: [[UInt8]] = []
        while let r = try reader.next() { out.append(r) }
        return out
    }

    @Test func blocksAreLaidOutAsDocumented() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = dir.path("r.zst")
        var writer = try RecordFileWriter(path: path)
        try writer.append([0xAA])
        try writer.append([0xBB, 0xCC])
        try writer.finish()
        let bytes = try decompressed(path)
        // Payload: (len 1, AA), (len 2, BB CC) = 4 + 1 + 4 + 2 = 11 bytes.
        let payload: [UInt8] = [1, 0, 0, 0, 0xAA, 2, 0, 0, 0, 0xBB, 0xCC]
        let fields = le(UInt32(11)) + le(UInt32(2)) + le(UInt64(0))
        let block = fields + le(RecordBlock.hash(fields)) + payload + le(RecordBlock.hash(payload))
        // The end block: no records, sequence 1 (one data block before it);
        // the XXH3-64 of no bytes is 0x2D06800538D394C2.
        let endFields = le(UInt32(0)) + le(UInt32(0)) + le(UInt64(1))
        let end = endFields + le(RecordBlock.hash(endFields)) + le(UInt64(0x2D06_8005_38D3_94C2))
        #expect(bytes == block + end)
        #expect(try records(path) == [[0xAA], [0xBB, 0xCC]])
    }

    @Test func largeFilesSplitIntoSequencedBlocks() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = dir.path("r.zst")
        var writer = try RecordFileWriter(path: path)
        let written = (0..<5000).map { i in [UInt8]((0..<(i % 97)).map { UInt8(truncatingIfNeeded: $0 &* i) }) }
        for r in written { try writer.append(r) }
        try writer.finish()
        #expect(writer.blocks == 4)  // ~260 KB of records in 64 KiB blocks
        #expect(try records(path) == written)
    }

    @Test func aCommittedPrefixReadsBackAndAnUnfinishedFileDoesNot() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = dir.path("r.zst")
        var writer = try RecordFileWriter(path: path)
        try writer.append([1])
        let first = try writer.commit()
        try writer.append([2])
        let second = try writer.commit()
        #expect(first.blocks == 1 && second.blocks == 2)
        try writer.append([3])  // never committed
        try writer.finish()
        try RecordFileReader.verify(path: path, committed: second)
        var prefix = try RecordFileReader(path: path, committed: first)
        #expect(try prefix.next() == [1] && prefix.next() == nil)
        // Cut at a commit: whole frames, but no end block.
        let data = try #require(FileManager.default.contents(atPath: path))
        try data.prefix(Int(second.length)).write(to: URL(fileURLWithPath: path))
        #expect { try records(path) } throws: { "\($0)".contains("ends without its end block") }
        // A commit that claims more blocks than the prefix holds.
        #expect(throws: MapReduceError.self) {
            try RecordFileReader.verify(path: path, committed: .init(length: second.length, blocks: 3))
        }
    }

    /// Bits of a small file flipped one at a time (400 records, 36,416 bits
    /// once compressed; a seeded sample of 600 by default, every bit with
    /// `LMSHARD_FLIP_ALL=1`): each read either throws a
    /// `corruptFile` naming the file or returns exactly what was written.
    @Test func flippedBitsAreCaughtOrHarmless() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = dir.path("r.zst")
        var rng = SplitMix64(seed: 13)
        var writer = try RecordFileWriter(path: path)
        let written = (0..<400).map { _ in (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...7, using: &rng) } }
        for (i, r) in written.enumerated() {
            try writer.append(r)
            if i % 150 == 149 { _ = try writer.commit() }  // several frames and blocks
        }
        try writer.finish()
        let original = try #require(FileManager.default.contents(atPath: path))
        var caught = 0, harmless = 0
        let all = ProcessInfo.processInfo.environment["LMSHARD_FLIP_ALL"] == "1"
        let bits = all ? Array(0..<(original.count * 8)) : (0..<600).map { _ in Int.random(in: 0..<(original.count * 8), using: &rng) }
        for bit in bits {
            var damaged = original
            damaged[bit / 8] ^= UInt8(1 << (bit % 8))
            try damaged.write(to: URL(fileURLWithPath: path))
            do {
                #expect(try records(path) == written, "bit \(bit) changed the records silently")
                harmless += 1
            } catch let error as MapReduceError {
                guard case .corruptFile(let p, _, _) = error else { throw error }
                #expect(p == path)
                caught += 1
            }
        }
        #expect(caught > bits.count * 9 / 10, "caught \(caught), harmless \(harmless)")
        if all { print("record file flip sweep: \(bits.count) bits, \(caught) caught, \(harmless) harmless, 0 silent") }
    }
}
