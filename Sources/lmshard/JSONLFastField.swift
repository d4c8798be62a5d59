/// A strict, allocation-free reader for the common JSONL shape: an object
/// whose `field` is a string. It either decodes that string's UTF-8 into
/// `out` and returns true, or returns false and leaves the line to the
/// general parser: on malformed JSON, a missing or non-string field, keys
/// with escapes, duplicate fields, lone surrogates, invalid UTF-8, deep
/// nesting, or numbers a Double might not hold exactly.
enum JSONLFastField {
    static func extract(_ field: [UInt8], from line: UnsafeBufferPointer<UInt8>, into out: ByteBuffer) -> Bool {
        guard !line.isEmpty else { return false }
        return field.withUnsafeBufferPointer { f in
            var r = Reader(t: line)
            return r.object(field: f, out: out)
        }
    }

    struct Reader {
        let t: UnsafeBufferPointer<UInt8>
        var i = 0

        @inline(__always)
        mutating func skipSpace() {
            while i < t.count {
                let b = t[i]
                if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { i += 1 } else { break }
            }
        }

        mutating func object(field: UnsafeBufferPointer<UInt8>, out: ByteBuffer) -> Bool {
            skipSpace()
            guard i < t.count, t[i] == UInt8(ascii: "{") else { return false }
            i += 1
            skipSpace()
            var found = false
            if i < t.count, t[i] == UInt8(ascii: "}") { return false }
            while true {
                skipSpace()
                guard i < t.count, t[i] == UInt8(ascii: "\"") else { return false }
                i += 1
                let keyStart = i
                while i < t.count, t[i] != UInt8(ascii: "\""), t[i] != UInt8(ascii: "\\"), t[i] >= 0x20, t[i] < 0x80 { i += 1 }
                guard i < t.count, t[i] == UInt8(ascii: "\"") else { return false }
                let key = UnsafeBufferPointer(rebasing: t[keyStart..<i])
                i += 1
                skipSpace()
                guard i < t.count, t[i] == UInt8(ascii: ":") else { return false }
                i += 1
                skipSpace()
                if key.elementsEqual(field) {
                    guard !found, i < t.count, t[i] == UInt8(ascii: "\"") else { return false }
                    found = true
                    guard string(into: out) else { return false }
                } else {
                    guard value(depth: 0) else { return false }
                }
                skipSpace()
                guard i < t.count else { return false }
                if t[i] == UInt8(ascii: ",") { i += 1; continue }
                guard t[i] == UInt8(ascii: "}") else { return false }
                i += 1
                break
            }
            skipSpace()
            return found && i == t.count
        }

        /// Skips one value, checking it.
        mutating func value(depth: Int) -> Bool {
            guard depth < 64, i < t.count else { return false }
            switch t[i] {
            case UInt8(ascii: "\""):
                return string(into: nil)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let close = t[i] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                let isObject = close == UInt8(ascii: "}")
                i += 1
                skipSpace()
                if i < t.count, t[i] == close { i += 1; return true }
                while true {
                    skipSpace()
                    if isObject {
                        guard i < t.count, t[i] == UInt8(ascii: "\"") else { return false }
                        guard value(depth: depth + 1) else { return false }
                        skipSpace()
                        guard i < t.count, t[i] == UInt8(ascii: ":") else { return false }
                        i += 1
                        skipSpace()
                    }
                    guard value(depth: depth + 1) else { return false }
                    skipSpace()
                    guard i < t.count else { return false }
                    if t[i] == UInt8(ascii: ",") { i += 1; continue }
                    guard t[i] == close else { return false }
                    i += 1
                    return true
                }
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            default: return number()
            }
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let n = word.utf8CodeUnitCount
            guard i + n <= t.count else { return false }
            let w = word.utf8Start
            for k in 0..<n where t[i + k] != w[k] { return false }
            i += n
            return true
        }

        /// Integers and plain decimals of at most 15 digits; anything else
        /// (exponents, long numbers) goes to the general parser.
        mutating func number() -> Bool {
            var digits = 0
            if i < t.count, t[i] == UInt8(ascii: "-") { i += 1 }
            guard i < t.count, t[i] >= 0x30, t[i] <= 0x39 else { return false }
            if t[i] == 0x30 {
                i += 1
                digits = 1
            } else {
                while i < t.count, t[i] >= 0x30, t[i] <= 0x39 { i += 1; digits += 1 }
            }
            if i < t.count, t[i] == UInt8(ascii: ".") {
                i += 1
                let before = digits
                while i < t.count, t[i] >= 0x30, t[i] <= 0x39 { i += 1; digits += 1 }
                guard digits > before else { return false }
            }
            if i < t.count, t[i] == UInt8(ascii: "e") || t[i] == UInt8(ascii: "E") { return false }
            return digits <= 15
        }

        @inline(__always)
        func hex(_ b: UInt8) -> UInt32? {
            switch b {
            case 0x30...0x39: return UInt32(b - 0x30)
            case 0x41...0x46: return UInt32(b - 0x41 + 10)
            case 0x61...0x66: return UInt32(b - 0x61 + 10)
            default: return nil
            }
        }

        mutating func hex4() -> UInt32? {
            guard i + 4 <= t.count else { return nil }
            var v: UInt32 = 0
            for k in 0..<4 {
                guard let h = hex(t[i + k]) else { return nil }
                v = v << 4 | h
            }
            i += 4
            return v
        }

        /// The end of the run of plain ASCII string bytes (not `"`, `\`, a
        /// control or non-ASCII) from `i`, eight bytes per step where the
        /// line allows: JSONL text runs tens of bytes between escapes.
        @inline(__always)
        func plainEnd(from start: Int) -> Int {
            var i = start
            if let base = t.baseAddress {
                let ones: UInt64 = 0x0101_0101_0101_0101
                let highs: UInt64 = 0x8080_8080_8080_8080
                while i + 8 <= t.count {
                    let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                    // High bit set in a byte that is a quote, a backslash,
                    // below 0x20 or non-ASCII. Borrows only flag bytes
                    // above a flagged one, so the lowest flag is exact.
                    let quote = w ^ (ones &* 0x22)
                    let backslash = w ^ (ones &* 0x5C)
                    let special = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
                        | ((w &- ones &* 0x20) & ~w) | w
                    let hits = special & highs
                    if hits != 0 { return i + hits.trailingZeroBitCount >> 3 }
                    i += 8
                }
            }
            while i < t.count {
                let b = t[i]
                if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 || b >= 0x80 { break }
                i += 1
            }
            return i
        }

        /// A string starting at the opening quote: its UTF-8 goes to `out`.
        mutating func string(into out: ByteBuffer?) -> Bool {
            i += 1
            while true {
                // Plain ASCII run.
                let runStart = i
                i = plainEnd(from: i)
                if i > runStart { out?.append(UnsafeBufferPointer(rebasing: t[runStart..<i])) }
                guard i < t.count else { return false }
                let b = t[i]
                if b == UInt8(ascii: "\"") {
                    i += 1
                    return true
                }
                if b < 0x20 { return false }
                if b >= 0x80 {
                    let n = validUTF8Length(at: i)
                    guard n > 0 else { return false }
                    out?.append(UnsafeBufferPointer(rebasing: t[i..<(i + n)]))
                    i += n
                    continue
                }
                // Escape.
                i += 1
                guard i < t.count else { return false }
                let e = t[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out?.append(e)
                case UInt8(ascii: "b"): out?.append(0x08)
                case UInt8(ascii: "f"): out?.append(0x0C)
                case UInt8(ascii: "n"): out?.append(0x0A)
                case UInt8(ascii: "r"): out?.append(0x0D)
                case UInt8(ascii: "t"): out?.append(0x09)
                case UInt8(ascii: "u"):
                    guard var v = hex4() else { return false }
                    if v >= 0xDC00 && v <= 0xDFFF { return false }
                    if v >= 0xD800 && v <= 0xDBFF {
                        guard i + 2 <= t.count, t[i] == UInt8(ascii: "\\"), t[i + 1] == UInt8(ascii: "u") else { return false }
                        i += 2
                        guard let lo = hex4(), lo >= 0xDC00, lo <= 0xDFFF else { return false }
                        v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                    }
                    if let out { appendScalar(v, to: out) }
                default:
                    return false
                }
            }
        }

        @inline(__always)
        func appendScalar(_ v: UInt32, to out: ByteBuffer) {
            if v < 0x80 {
                out.append(UInt8(v))
            } else if v < 0x800 {
                out.append(UInt8(0xC0 | (v >> 6)))
                out.append(UInt8(0x80 | (v & 0x3F)))
            } else if v < 0x10000 {
                out.append(UInt8(0xE0 | (v >> 12)))
                out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
                out.append(UInt8(0x80 | (v & 0x3F)))
            } else {
                out.append(UInt8(0xF0 | (v >> 18)))
                out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
                out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
                out.append(UInt8(0x80 | (v & 0x3F)))
            }
        }

        /// Length of the well-formed UTF-8 sequence at `p` (lead byte >= 0x80),
        /// or 0 when it is not well-formed.
        func validUTF8Length(at p: Int) -> Int {
            let b0 = t[p]
            @inline(__always) func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
                p + k < t.count && t[p + k] >= lo && t[p + k] <= hi
            }
            switch b0 {
            case 0xC2...0xDF: return cont(1) ? 2 : 0
            case 0xE0: return cont(1, 0xA0) && cont(2) ? 3 : 0
            case 0xE1...0xEC, 0xEE...0xEF: return cont(1) && cont(2) ? 3 : 0
            case 0xED: return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0
            case 0xF0: return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0
            case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : 0
            case 0xF4: return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0
            default: return 0
            }
        }
    }
}
