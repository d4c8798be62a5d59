/// Numbers: integers through a pointer, doubles in Python's `repr` form.
extension JSONWriter {
    /// Number of decimal digits in `v` (1 for 0).
    @inline(__always)
    static func digitCount(_ v: UInt64) -> Int {
        var n = 1
        var x = v
        while x >= 10 {
            x /= 10
            n += 1
        }
        return n
    }

    /// Writes the decimal digits of `v` at `p`, returning how many.
    @inline(__always)
    static func writeDigits(_ v: UInt64, at p: UnsafeMutablePointer<UInt8>) -> Int {
        let n = digitCount(v)
        var x = v
        var k = n - 1
        while k >= 0 {
            p[k] = UInt8(truncatingIfNeeded: x % 10) &+ UInt8(ascii: "0")
            x /= 10
            k -= 1
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
    /// including the comma). Writing 1M token ids this way takes a few ms
    /// (see tools/bench/json); going through `JSONValue` would allocate per id.
    @inline(__always)
    mutating func writeIntegers<T: BinaryInteger>(_ values: UnsafeBufferPointer<T>, maxChars: Int) {
        bytes.append(UInt8(ascii: "["))
        let old = bytes.count
        let worst = values.count * maxChars
        bytes.append(contentsOf: repeatElement(0, count: worst))
        let written = bytes.withUnsafeMutableBufferPointer { buf -> Int in
            // `worst` > 0 whenever the loop runs, so the base address exists.
            guard let base = buf.baseAddress else { return 0 }
            var p = base + old
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
            return p - (base + old)
        }
        bytes.removeLast(worst - written)
        bytes.append(UInt8(ascii: "]"))
    }

    /// Appends a compact JSON array of token ids: `[1,22,333]`.
    public mutating func writeIntArray(_ values: UnsafeBufferPointer<UInt32>) {
        writeIntegers(values, maxChars: 11)
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
