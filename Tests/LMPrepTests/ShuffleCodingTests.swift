import TestSupport
import MapReduce
import Testing

@testable import LMPrep

@Suite struct ShuffleCodingTests {
    func encoded(_ row: TokenizedRow) -> [UInt8] {
        var w = ByteWriter()
        row.encode(to: &w)
        return w.bytes
    }

    @Test func freshPretrainRowIsCountFlagsIds() {
        // n=2, flags 0b011 (positions 0..<n, mask all true), ids as LEB128:
        // 1 -> 01; 300 = 0b10_0101100 -> 0xAC 0x02.
        #expect(encoded(TokenizedRow(inputIds: [1, 300])) == [2, 0b011, 0x01, 0xAC, 0x02])
    }

    @Test func generalRowHandWorked() {
        // n=3, flags 0, ids 7 8 9, positions 5 5 0, mask true,false,true -> bits 0 and 2 -> 0b101.
        let r = TokenizedRow(inputIds: [7, 8, 9], positionIds: [5, 5, 0], lossMask: [true, false, true])
        #expect(encoded(r) == [3, 0, 7, 8, 9, 5, 5, 0, 0b101])
        // All-false mask with arange positions: flags 0b101, no mask bytes.
        #expect(encoded(TokenizedRow(inputIds: [7], lossMask: [false])) == [1, 0b101, 7])
        // Empty row.
        #expect(encoded(TokenizedRow(inputIds: [])) == [0, 0b011])
    }

    @Test func roundTripRandomRows() throws {
        var rng = SplitMix64(seed: 42)
        var rows: [TokenizedRow] = []
        for i in 0..<200 {
            let r = TokenizedRowFactory.random(length: Int.random(in: 0...40, using: &rng), arbitraryPositions: i % 3 == 0, using: &rng)
            var mask = r.mask
            if i % 5 == 1 { mask = mask.map { _ in true } }
            if i % 5 == 2 { mask = mask.map { _ in false } }
            var ids = r.ids
            if i % 7 == 0, !ids.isEmpty { ids[0] = .max }
            rows.append(TokenizedRow(inputIds: ids, positionIds: r.positions, lossMask: mask))
        }
        var w = ByteWriter()
        for r in rows { r.encode(to: &w) }
        var reader = ByteReader(w.bytes)
        for r in rows { #expect(try TokenizedRow.decode(from: &reader) == r) }
        #expect(reader.isAtEnd)
    }

    @Test func corruptInputThrows() {
        let good = encoded(TokenizedRow(inputIds: [7, 8, 9], positionIds: [5, 5, 0], lossMask: [true, false, true]))
        // Every strict prefix is truncated.
        for cut in 0..<good.count {
            var reader = ByteReader(Array(good[..<cut]))
            #expect(throws: ByteCodingError.self) { try TokenizedRow.decode(from: &reader) }
        }
        // Unknown flag bit.
        var badFlags = good
        badFlags[1] = 0x80
        var r1 = ByteReader(badFlags)
        #expect(throws: ByteCodingError.malformed(offset: 1, what: "TokenizedRow flags byte 128 is not valid")) {
            try TokenizedRow.decode(from: &r1)
        }
        // Mask padding bit set (bit 3 of a 3-token mask).
        var badMask = good
        badMask[8] = 0b1101
        var r2 = ByteReader(badMask)
        #expect(throws: ByteCodingError.self) { try TokenizedRow.decode(from: &r2) }
        // An id above UInt32.max: 2^32 as LEB128 is 80 80 80 80 10.
        var r3 = ByteReader([1, 0b011, 0x80, 0x80, 0x80, 0x80, 0x10])
        #expect(throws: ByteCodingError.malformed(offset: 2, what: "token id 4294967296 does not fit UInt32")) {
            try TokenizedRow.decode(from: &r3)
        }
        // A huge count with few bytes left is refused before allocating.
        var r4 = ByteReader([0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0b011])
        #expect(throws: ByteCodingError.self) { try TokenizedRow.decode(from: &r4) }
    }
}
