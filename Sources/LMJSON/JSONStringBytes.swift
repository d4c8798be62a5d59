/// Byte-level rules for JSON strings, shared by `JSONParserCore` and
/// `JSONFieldScanner` so the two readers cannot drift apart on what a
/// string may hold.
enum JSONStringBytes {
    /// The byte a one-character escape `\c` stands for (`"`, `\`, `/`, `b`,
    /// `f`, `n`, `r`, `t`), or nil (`u` and invalid escapes).
    @inline(__always)
    static func simpleEscape(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return c
        case UInt8(ascii: "b"): return 0x08
        case UInt8(ascii: "f"): return 0x0C
        case UInt8(ascii: "n"): return 0x0A
        case UInt8(ascii: "r"): return 0x0D
        case UInt8(ascii: "t"): return 0x09
        default: return nil
        }
    }

    /// Steps from `i` over plain string bytes (printable ASCII other than
    /// `"` and `\`) eight at a time, and returns the index of the first byte
    /// that needs attention (quote, backslash, control, or non-ASCII), or
    /// the index where fewer than eight bytes remain before `end`.
    ///
    /// SWAR: per 8-byte word, `(v - 0x01..) & ~v & 0x80..` flags zero bytes
    /// (after xor with the quote/backslash pattern) and `(v - 0x20..) & ~v`
    /// flags bytes below 0x20; false positives occur only above a true one,
    /// so the lowest flagged byte is exact. On the benchmark's JSONL rows of
    /// prose this raised the LMJSON/JSONSerialization ratio, measured in the
    /// same runs, from 4.1-4.6x to 4.5-6.6x (see tools/bench/json).
    @inline(__always)
    static func plainWordsEnd(_ base: UnsafePointer<UInt8>, from start: Int, end: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var i = start
        while i + 8 <= end {
            let v = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            let q = v ^ (ones &* 0x22)
            let bs = v ^ (ones &* 0x5C)
            let special = ((q &- ones) & ~q) | ((bs &- ones) & ~bs) | ((v &- ones &* 0x20) & ~v) | v
            let flagged = special & highs
            if flagged != 0 { return i + flagged.trailingZeroBitCount >> 3 }
            i += 8
        }
        return i
    }
}
