import Testing
@testable import LMShard

@Suite struct FormatTests {
    @Test func littleEndianRoundTripsAndRejectsShortReads() {
        var bytes: [UInt8] = []
        LittleEndian.append(UInt32(0x0102_0304), to: &bytes)
        LittleEndian.append(Int64(-2), to: &bytes)
        // Little-endian: least significant byte first; -2 is 0xFE then seven 0xFF.
        #expect(bytes == [0x04, 0x03, 0x02, 0x01, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(LittleEndian.read(UInt32.self, from: bytes, at: 0) == 0x0102_0304)
        #expect(LittleEndian.read(Int64.self, from: bytes, at: 4) == -2)
        // Unaligned read across the boundary: bytes 1...4 = 03 02 01 FE.
        #expect(LittleEndian.read(UInt32.self, from: bytes, at: 1) == 0xFE01_0203)
        #expect(LittleEndian.read(Int64.self, from: bytes, at: 5) == nil)
        #expect(LittleEndian.read(UInt8.self, from: bytes, at: -1) == nil)
    }

    @Test func megatronConstants() {
        // "MMIDIDX" + two NULs, as Megatron's _INDEX_HEADER.
        #expect(Format.Index.magic == [0x4D, 0x4D, 0x49, 0x44, 0x49, 0x44, 0x58, 0x00, 0x00])
        // 9 magic + 8 version + 1 dtype + 8 + 8 counts = 34, Megatron's fixed offset.
        #expect(Format.Index.headerSize == 34)
        #expect(TokenDType.uint16.rawValue == 8 && TokenDType.int32.rawValue == 4)
        // 2 sequences: 34 + 2*4 + 2*8 + 3*8 = 82.
        #expect(Format.Index.fileSize(sequenceCount: 2) == 82)
    }

    @Test func dtypeChoice() {
        // 65536 ids are 0...65535: all fit uint16; one more needs int32.
        #expect(TokenDType.forVocabulary(size: 65536) == .uint16)
        #expect(TokenDType.forVocabulary(size: 65537) == .int32)
        #expect(TokenDType.forVocabulary(size: 128_256) == .int32)
        // seq_len 65536 has positions 0...65535.
        #expect(PositionDType.forSequenceLength(65536) == .uint16)
        #expect(PositionDType.forSequenceLength(65537) == .uint32)
    }

    @Test func hexFormatting() {
        #expect(Checksum.hex(0xAB) == "00000000000000ab")
        #expect(Checksum.parseHex("00000000000000ab") == 0xAB)
        #expect(Checksum.parseHex("00000000000000AB") == nil)  // uppercase is not the canonical form
        #expect(Checksum.parseHex("ab") == nil)
    }

    @Test func xxh3KnownValue() {
        // XXH3-64 of the empty input with seed 0 is 0x2D06800538D394C2 (xxhash's test vectors).
        #expect(Checksum.xxh3([UInt8]()) == 0x2D06_8005_38D3_94C2)
        #expect(Checksum.blockCount(size: 0, blockSize: 64) == 0)
        #expect(Checksum.blockCount(size: 65, blockSize: 64) == 2)
    }
}
