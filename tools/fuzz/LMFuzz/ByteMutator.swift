/// Byte-level mutations of one file, aimed at its fields when it has any.
/// Each call applies one mutation and returns what it did, for the report
/// of a failing case.
enum ByteMutator {
    /// Integer values that sit on the edges of the types a parser converts
    /// through: 0, 1, the signed and unsigned limits of 8, 16, 32 and 64
    /// bits, and the first values past them.
    static let boundaries: [UInt64] = [
        0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x1_0000, 0x7FFF_FFFF, 0x8000_0000,
        0xFFFF_FFFF, 0x1_0000_0000, 1 << 40, 1 << 56, 1 << 62, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000,
        UInt64.max - 1, UInt64.max,
    ]

    /// Applies one random mutation to `bytes`; `fields` (may be empty) are
    /// the file's fields, preferred targets for integer edits.
    static func mutate(_ bytes: inout [UInt8], fields: [Field], rng: inout FuzzRandom) -> String {
        let choice = rng.below(fields.isEmpty ? 7 : 10)
        switch choice {
        case 0 where !bytes.isEmpty:
            let i = rng.below(bytes.count), bit = rng.below(8)
            bytes[i] ^= 1 << bit
            return "flip bit \(bit) of byte \(i)"
        case 1 where !bytes.isEmpty:
            let i = rng.below(bytes.count)
            let v: UInt8 = rng.chance(1, in: 2) ? UInt8(truncatingIfNeeded: rng.pick(boundaries)) : UInt8(truncatingIfNeeded: rng.next())
            bytes[i] = v
            return "byte \(i) = \(v)"
        case 2:
            let cut = rng.chance(1, in: 2) || fields.isEmpty ? rng.below(bytes.count + 1) : rng.pick(fields).offset
            bytes.removeSubrange(min(cut, bytes.count)...)
            return "truncate to \(bytes.count)"
        case 3:
            let n = 1 + rng.below(rng.chance(1, in: 8) ? 4096 : 64)
            let zero = rng.chance(1, in: 2)
            bytes += (0..<n).map { _ in zero ? 0 : UInt8(truncatingIfNeeded: rng.next()) }
            return "append \(n) \(zero ? "zero" : "random") bytes"
        case 4:
            let at = rng.below(bytes.count + 1), n = 1 + rng.below(16)
            bytes.insert(contentsOf: (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
            return "insert \(n) bytes at \(at)"
        case 5 where !bytes.isEmpty:
            let at = rng.below(bytes.count), n = 1 + rng.below(min(16, bytes.count - at))
            bytes.removeSubrange(at..<(at + n))
            return "delete \(n) bytes at \(at)"
        case 6 where bytes.count >= 2:
            let from = rng.below(bytes.count), n = 1 + rng.below(min(64, bytes.count - from))
            let chunk = Array(bytes[from..<(from + n)])
            let to = rng.below(bytes.count - n + 1)
            bytes.replaceSubrange(to..<(to + n), with: chunk)
            return "copy \(n) bytes from \(from) to \(to)"
        case 7, 8:
            let f = rng.pick(fields)
            let v = rng.pick(boundaries)
            write(v, width: f.width, into: &bytes, at: f.offset)
            return "\(f) = \(v)"
        case 9:
            let f = rng.pick(fields)
            let old = read(width: f.width, from: bytes, at: f.offset)
            let delta = rng.pick([1, -1, 2, -2, 8, -8, 4096] as [Int64])
            let v = UInt64(bitPattern: Int64(bitPattern: old) &+ delta)
            write(v, width: f.width, into: &bytes, at: f.offset)
            return "\(f) += \(delta)"
        default:
            bytes.append(UInt8(truncatingIfNeeded: rng.next()))
            return "append 1 byte"
        }
    }

    /// Writes the low `width` bytes of `value`, little-endian (fields past the end are skipped).
    static func write(_ value: UInt64, width: Int, into bytes: inout [UInt8], at offset: Int) {
        for k in 0..<width where offset + k < bytes.count { bytes[offset + k] = UInt8(truncatingIfNeeded: value >> (8 * k)) }
    }

    /// Reads `width` bytes little-endian (missing bytes read as 0).
    static func read(width: Int, from bytes: [UInt8], at offset: Int) -> UInt64 {
        var v: UInt64 = 0
        for k in 0..<width where offset + k < bytes.count { v |= UInt64(bytes[offset + k]) << (8 * k) }
        return v
    }
}
