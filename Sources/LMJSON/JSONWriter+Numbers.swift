/// Numbers: integers through a pointer, doubles in Python's `repr` form.
extension JSONWriter {
    /// "00" "01" ... "99": two digits per table lookup halve the divisions.
    /// A computed `StaticString` so the table is a constant pointer (a `static let`
    /// array would add a lazy-initialization check and bounds checks).
    static var digitPairs: StaticString { "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899" }

    /// Number of decimal digits in `v` (1 for 0); token ids are short, so the
    /// comparisons start from the small end.
    @inline(__always)
    static func digitCount(_ v: UInt64) -> Int {
        if v < 10 { return 1 }
        if v < 100 { return 2 }
        if v < 1000 { return 3 }
        if v < 10000 { return 4 }
        if v < 100_000 { return 5 }
        if v < 1_000_000 { return 6 }
        var n = 7
        var x = v / 10_000_000
        while x > 0 {
            x /= 10
            n += 1
        }
        return n
    }

    /// Writes the decimal digits of `v` at `p`, returning how many.
    @inline(__always)
    static func writeDigits(_ v: UInt64, at p: UnsafeMutablePointer<UInt8>) -> Int {
        let n = digitCount(v)
        let table = digitPairs.utf8Start
        var x = v
        var k = n
        while x >= 100 {
            let r = Int(truncatingIfNeeded: x % 100) &* 2
            x /= 100
            k -= 2
            p[k] = table[r]
            p[k + 1] = table[r + 1]
        }
        if x >= 10 {
            let r = Int(truncatingIfNeeded: x) &* 2
            p[0] = table[r]
            p[1] = table[r + 1]
        } else {
            p[0] = UInt8(truncatingIfNeeded: x) &+ UInt8(ascii: "0")
        }
        return n
    }

    /// Appends a decimal integer.
    public mutating func writeInt(_ v: Int64) {
        if v < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = v.magnitude
        let old = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: 20))
        let n = bytes.withUnsafeMutableBufferPointer { buf -> Int in
            // 20 bytes were just appended, so the base address exists.
            guard let base = buf.baseAddress else { return 0 }
            return Self.writeDigits(magnitude, at: base + old)
        }
        bytes.removeLast(20 - n)
    }

    /// Appends `[a,b,...]` for unsigned or signed integers of any width,
    /// sizing the buffer once for the worst case (`maxChars` per element
    /// including the comma). Writing 4M token ids this way took 64-129 ms in
    /// tools/bench/json (loaded machine), 7.3-9.1x faster than building a
    /// `JSONValue` array and serializing it (5.5-6.6x before the digit-pair
    /// table).
    @inline(__always)
    mutating func writeIntegers<T: BinaryInteger>(_ values: UnsafeBufferPointer<T>, maxChars: Int) {
        bytes.append(UInt8(ascii: "["))
        appendInPlace(worst: values.count * maxChars) { start in
            var p = start
            for k in 0..<values.count {
                if k > 0 {
                    p.pointee = UInt8(ascii: ",")
                    p += 1
                }
                let v = values[k]
                if v < 0 {
                    p.pointee = UInt8(ascii: "-")
                    p += 1
                }
                p += Self.writeDigits(UInt64(v.magnitude), at: p)
            }
            return p - start
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Grows `bytes` by `worst` bytes, lets `write` fill them from their
    /// start, and keeps the count it returns.
    @inline(__always)
    mutating func appendInPlace(worst: Int, _ write: (UnsafeMutablePointer<UInt8>) -> Int) {
        let old = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: worst))
        let written = bytes.withUnsafeMutableBufferPointer { buf -> Int in
            // Nothing to write when `worst` is 0 and the buffer is still empty.
            guard let base = buf.baseAddress else { return 0 }
            return write(base + old)
        }
        bytes.removeLast(worst - written)
    }

    /// Appends a compact JSON array of token ids: `[1,22,333]`.
    public mutating func writeIntArray(_ values: UnsafeBufferPointer<UInt32>) {
        appendInPlace(worst: Self.idArrayCapacity(values.count)) { Self.unsafeWriteIdArray(values, to: $0) }
    }

    /// Bytes `unsafeWriteIdArray` may touch for `count` ids: 11 per id (10 digits
    /// and a comma), the brackets, and 8 bytes of slack for its word stores.
    @inline(__always)
    public static func idArrayCapacity(_ count: Int) -> Int { count * 11 + 10 }

    /// Writes `[1,22,333]` at `p`, which must have room for
    /// `idArrayCapacity(values.count)` bytes, and returns how many bytes
    /// make the array (it may scribble past them, within that room).
    ///
    /// For the tokenize engine's output buffers, which are raw memory; the
    /// name says so because nothing checks the room but the caller.
    /// Ids below 10^8 (every real vocabulary) are written as one 8-byte
    /// store of their digits shifted past the leading zeros: no division
    /// loop and no branch per digit count, which the general writer mispredicts
    /// on ids of mixed lengths.
    public static func unsafeWriteIdArray(_ values: UnsafeBufferPointer<UInt32>, to base: UnsafeMutablePointer<UInt8>) -> Int {
        base[0] = UInt8(ascii: "[")
        guard !values.isEmpty else {
            base[1] = UInt8(ascii: "]")
            return 2
        }
        // Every id is followed by a comma; the last comma becomes "]".
        var p = base + 1
        for v in values {
            p += v < 100_000_000 ? writeDigits8(v, at: p) : writeDigits(UInt64(v), at: p)
            p.pointee = UInt8(ascii: ",")
            p += 1
        }
        (p - 1).pointee = UInt8(ascii: "]")
        return p - base
    }

    /// Digits of `v` < 10^8 written as one unaligned 8-byte store at `p`;
    /// returns the digit count (the bytes after it are garbage).
    @inline(__always)
    static func writeDigits8(_ v: UInt32, at p: UnsafeMutablePointer<UInt8>) -> Int {
        let table = UnsafeRawPointer(digitPairs.utf8Start)
        @inline(__always) func four(_ x: UInt32) -> UInt64 {
            let hi = UInt64(table.loadUnaligned(fromByteOffset: Int(x / 100) &* 2, as: UInt16.self))
            let lo = UInt64(table.loadUnaligned(fromByteOffset: Int(x % 100) &* 2, as: UInt16.self))
            return hi | lo << 16
        }
        // "dddddddd" with leading zeros, first digit in the lowest byte.
        let word = four(v / 10000) | four(v % 10000) << 32
        // The leading "0"s are the low bytes equal to 0x30 (the last digit
        // always stays): counting them with one trailing-zero count keeps
        // the digit count free of branches.
        let significant = (word ^ 0x3030_3030_3030_3030) | (1 << 56)
        let skip = significant.trailingZeroBitCount & ~7
        UnsafeMutableRawPointer(p).storeBytes(of: word &>> UInt64(skip), as: UInt64.self)
        return 8 &- skip &>> 3
    }

    /// Appends a compact JSON array of signed ids (e.g. `-100` label masks).
    public mutating func writeIntArray(_ values: UnsafeBufferPointer<Int32>) {
        writeIntegers(values, maxChars: 12)
    }

    /// Appends a compact JSON array of 16-bit ids.
    public mutating func writeIntArray(_ values: UnsafeBufferPointer<UInt16>) {
        writeIntegers(values, maxChars: 6)
    }

    /// Appends a compact JSON array of 64-bit integers.
    public mutating func writeIntArray(_ values: UnsafeBufferPointer<Int64>) {
        writeIntegers(values, maxChars: 21)
    }

    /// Appends a compact JSON array of integers from any array (convenience
    /// over the pointer forms).
    public mutating func writeIntArray(_ values: [UInt32]) {
        values.withUnsafeBufferPointer { writeIntArray($0) }
    }

    /// Appends a compact JSON array of `true`/`false` (loss masks).
    public mutating func writeBoolArray(_ values: UnsafeBufferPointer<Bool>) {
        bytes.reserveCapacity(bytes.count + values.count * 6 + 2)
        bytes.append(UInt8(ascii: "["))
        for k in 0..<values.count {
            if k > 0 { bytes.append(UInt8(ascii: ",")) }
            writeBool(values[k])
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Appends a double exactly as Python's `repr(float)` spells it.
    ///
    /// Swift's `description` already yields the shortest digits that round-trip
    /// (the same digits Python picks: shortest, then closest); only the layout
    /// differs (Swift switches to exponent form at 2^53, Python at 1e16), so
    /// the digits and the decimal exponent are extracted and re-laid-out with
    /// Python's rule: exponent form when the decimal point position is
    /// <= -4 or > 16. Doubles are rare in our output, so the one `String` per
    /// call is acceptable.
    public mutating func writeDouble(_ d: Double) {
        if d.isNaN { return writeRaw("NaN") }
        if d.isInfinite { return d < 0 ? writeRaw("-Infinity") : writeRaw("Infinity") }
        var digits: [UInt8] = []
        digits.reserveCapacity(20)
        var intDigits = 0
        var seenPoint = false
        var exponent = 0
        var expNegative = false
        var inExponent = false
        for c in d.description.utf8 {
            if inExponent {
                if c == UInt8(ascii: "-") { expNegative = true } else if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
                    exponent = exponent * 10 + Int(c - UInt8(ascii: "0"))
                }
                continue
            }
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits.append(c)
                if !seenPoint { intDigits += 1 }
            case UInt8(ascii: "."): seenPoint = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"): inExponent = true
            default: break  // the sign, handled from `d`
            }
        }
        if d.sign == .minus { bytes.append(UInt8(ascii: "-")) }
        // value = 0.DIGITS x 10^decpt
        var decpt = intDigits + (expNegative ? -exponent : exponent)
        var lead = 0
        while lead < digits.count - 1 && digits[lead] == UInt8(ascii: "0") {
            lead += 1
            decpt -= 1
        }
        var last = digits.count
        while last > lead + 1 && digits[last - 1] == UInt8(ascii: "0") { last -= 1 }
        let sig = digits[lead..<last]
        if sig.count == 1 && sig.first == UInt8(ascii: "0") { return writeRaw("0.0") }
        let n = sig.count
        if decpt <= -4 || decpt > 16 {
            bytes.append(sig[sig.startIndex])
            if n > 1 {
                bytes.append(UInt8(ascii: "."))
                bytes.append(contentsOf: sig.dropFirst())
            }
            let e = decpt - 1
            bytes.append(UInt8(ascii: "e"))
            bytes.append(e < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            if abs(e) < 10 { bytes.append(UInt8(ascii: "0")) }
            writeInt(Int64(abs(e)))
        } else if decpt <= 0 {
            writeRaw("0.")
            bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -decpt))
            bytes.append(contentsOf: sig)
        } else if decpt >= n {
            bytes.append(contentsOf: sig)
            bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: decpt - n))
            writeRaw(".0")
        } else {
            bytes.append(contentsOf: sig.prefix(decpt))
            bytes.append(UInt8(ascii: "."))
            bytes.append(contentsOf: sig.dropFirst(decpt))
        }
    }
}
