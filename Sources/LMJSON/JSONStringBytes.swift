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

    /// The value of a hex digit (`0-9`, `a-f`, `A-F`), or nil.
    @inline(__always)
    static func hexDigit(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(b - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// For a byte >= 0x80 that may start a UTF-8 sequence: how many
    /// continuation bytes follow and the range the first of them must be
    /// in; nil for bytes that cannot lead (continuation bytes, C0, C1,
    /// F5-FF). The narrowed ranges reject overlong forms (E0 80-9F,
    /// F0 80-8F), surrogates (ED A0-BF) and code points past U+10FFFF
    /// (F4 90+).
    @inline(__always)
    static func utf8Lead(_ b0: UInt8) -> (continuations: Int, low: UInt8, high: UInt8)? {
        switch b0 {
        case 0xC2...0xDF: return (1, 0x80, 0xBF)
        case 0xE0: return (2, 0xA0, 0xBF)
        case 0xED: return (2, 0x80, 0x9F)
        case 0xE1...0xEF: return (2, 0x80, 0xBF)
        case 0xF0: return (3, 0x90, 0xBF)
        case 0xF4: return (3, 0x80, 0x8F)
        case 0xF1...0xF3: return (3, 0x80, 0xBF)
        default: return nil
        }
    }

    /// Length of the well-formed UTF-8 sequence at `p` (lead byte >= 0x80)
    /// before `end`, or 0 when it is not well-formed or is cut short.
    @inline(__always)
    static func utf8SequenceLength(_ base: UnsafePointer<UInt8>, at p: Int, end: Int) -> Int {
        guard let lead = utf8Lead(base[p]), p + lead.continuations < end else { return 0 }
        let b1 = base[p + 1]
        guard b1 >= lead.low && b1 <= lead.high else { return 0 }
        if lead.continuations >= 2 && base[p + 2] & 0xC0 != 0x80 { return 0 }
        if lead.continuations == 3 && base[p + 3] & 0xC0 != 0x80 { return 0 }
        return lead.continuations + 1
    }

    /// Passes the UTF-8 encoding of scalar `v` to `put`, byte by byte.
    @inline(__always)
    static func encodeUTF8(_ v: UInt32, _ put: (UInt8) -> Void) {
        if v < 0x80 {
            put(UInt8(v))
        } else if v < 0x800 {
            put(UInt8(0xC0 | v >> 6))
            put(UInt8(0x80 | v & 0x3F))
        } else if v < 0x10000 {
            put(UInt8(0xE0 | v >> 12))
            put(UInt8(0x80 | (v >> 6) & 0x3F))
            put(UInt8(0x80 | v & 0x3F))
        } else {
            put(UInt8(0xF0 | v >> 18))
            put(UInt8(0x80 | (v >> 12) & 0x3F))
            put(UInt8(0x80 | (v >> 6) & 0x3F))
            put(UInt8(0x80 | v & 0x3F))
        }
    }
}
