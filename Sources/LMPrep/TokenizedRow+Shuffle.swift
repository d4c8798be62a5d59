import MapReduce

/// The shuffle encoding of a `TokenizedRow`: what a row costs in spill files
/// between the map (tokenize) and reduce (pack) sides.
///
/// Layout, all integers LEB128 varints unless said otherwise:
///
/// | field      | encoding                                                      |
/// |------------|---------------------------------------------------------------|
/// | `n`        | varint: number of tokens                                      |
/// | `flags`    | one byte; bit 0: positions are `0..<n` and omitted;           |
/// |            | bit 1: mask all `true`, omitted; bit 2: mask all `false`,     |
/// |            | omitted; other bits must be 0                                 |
/// | ids        | `n` varints                                                   |
/// | positions  | `n` varints, only when bit 0 is clear                         |
/// | mask       | `ceil(n/8)` bytes, bit `i % 8` of byte `i / 8` (LSB first),   |
/// |            | only when bits 1 and 2 are clear; unused high bits are 0      |
///
/// Why: every row leaving the map side has `0..<n` positions, and pretraining
/// rows an all-`true` mask, so those rows cost only their ids; and varint ids
/// average 1.8 bytes instead of 4 (measured: 0.45x of a fixed `UInt32`
/// layout over 100 standard-library Python files with the 32k mellum-layout
/// tokenizer), so a pretraining row costs ~0.2x of ids + positions + mask
/// stored as 4 + 4 + 1 bytes.
extension TokenizedRow: ShuffleCodable {
    /// Bits of the `flags` byte.
    @usableFromInline
    enum ShuffleFlags {
        static let positionsAreArange: UInt8 = 1 << 0
        static let maskAllTrue: UInt8 = 1 << 1
        static let maskAllFalse: UInt8 = 1 << 2
        static let known: UInt8 = positionsAreArange | maskAllTrue | maskAllFalse
    }

    /// Appends the row's encoding. O(n).
    public func encode(to writer: inout ByteWriter) {
        let n = inputIds.count
        writer.writeVarint(UInt64(n))
        var flags: UInt8 = 0
        if positionsAreArange { flags |= ShuffleFlags.positionsAreArange }
        let trueCount = lossMask.reduce(0) { $0 + ($1 ? 1 : 0) }
        if trueCount == n { flags |= ShuffleFlags.maskAllTrue } else if trueCount == 0 { flags |= ShuffleFlags.maskAllFalse }
        writer.write(flags)
        for id in inputIds { writer.writeVarint(UInt64(id)) }
        if flags & ShuffleFlags.positionsAreArange == 0 {
            for p in positionIds { writer.writeVarint(UInt64(p)) }
        }
        if flags & (ShuffleFlags.maskAllTrue | ShuffleFlags.maskAllFalse) == 0 {
            var byte: UInt8 = 0
            for (i, bit) in lossMask.enumerated() {
                if bit { byte |= 1 << UInt8(i & 7) }
                if i & 7 == 7 {
                    writer.write(byte)
                    byte = 0
                }
            }
            if n & 7 != 0 { writer.write(byte) }
        }
    }

    /// Reads one row written by `encode(to:)`.
    ///
    /// - Throws: `ByteCodingError.truncated` when the bytes end early and
    ///   `.malformed` (with the byte offset) for unknown flags, ids or positions
    ///   above `UInt32.max`, or mask padding bits that are set.
    public static func decode(from reader: inout ByteReader) throws -> TokenizedRow {
        let start = reader.offset
        let rawCount = try reader.readVarint()
        // Every token takes at least one byte, so a count larger than what is
        // left is corruption: refuse it before allocating.
        let remaining = reader.bytes.count - reader.offset
        guard rawCount <= UInt64(remaining) else {
            throw ByteCodingError.truncated(offset: reader.offset, needed: Int(clamping: rawCount) - remaining)
        }
        let n = Int(rawCount)
        let flagsOffset = reader.offset
        let flags = try reader.read(UInt8.self)
        guard flags & ~ShuffleFlags.known == 0,
            flags & ShuffleFlags.maskAllTrue == 0 || flags & ShuffleFlags.maskAllFalse == 0
        else {
            throw ByteCodingError.malformed(offset: flagsOffset, what: "TokenizedRow flags byte \(flags) is not valid")
        }
        let ids = try readUInt32s(n, from: &reader, what: "token id")
        let positions: [UInt32]
        if flags & ShuffleFlags.positionsAreArange != 0 {
            positions = arange(n)
        } else {
            positions = try readUInt32s(n, from: &reader, what: "position id")
        }
        let mask: [Bool]
        if flags & ShuffleFlags.maskAllTrue != 0 {
            mask = [Bool](repeating: true, count: n)
        } else if flags & ShuffleFlags.maskAllFalse != 0 {
            mask = [Bool](repeating: false, count: n)
        } else {
            var bits = [Bool]()
            bits.reserveCapacity(n)
            var i = 0
            while i < n {
                let byteOffset = reader.offset
                let byte = try reader.read(UInt8.self)
                let inThisByte = min(8, n - i)
                guard inThisByte == 8 || byte >> UInt8(inThisByte) == 0 else {
                    throw ByteCodingError.malformed(
                        offset: byteOffset, what: "loss mask padding bits set in TokenizedRow starting at byte \(start)")
                }
                for b in 0..<inThisByte { bits.append(byte & (1 << UInt8(b)) != 0) }
                i += inThisByte
            }
            mask = bits
        }
        return TokenizedRow(inputIds: ids, positionIds: positions, lossMask: mask)
    }

    /// `true` when `positionIds == [0, 1, ..., n-1]`. O(n).
    var positionsAreArange: Bool {
        var expected: UInt32 = 0
        for p in positionIds {
            if p != expected { return false }
            expected &+= 1
        }
        return true
    }

    private static func readUInt32s(_ n: Int, from reader: inout ByteReader, what: String) throws -> [UInt32] {
        var out = [UInt32]()
        out.reserveCapacity(n)
        for _ in 0..<n {
            let offset = reader.offset
            let v = try reader.readVarint()
            guard let value = UInt32(exactly: v) else {
                throw ByteCodingError.malformed(offset: offset, what: "\(what) \(v) does not fit UInt32")
            }
            out.append(value)
        }
        return out
    }
}
