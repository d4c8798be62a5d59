/// Floating-point numbers as HF reads them from `tokenizer.json`.
///
/// `tokenizers` parses JSON with `serde_json` without its `float_roundtrip`
/// feature, whose number parser is not correctly rounded: it accumulates up
/// to 19-20 significant digits in a `u64` (later digits are dropped), rounds
/// that integer to a `f64`, then multiplies or divides by a power of ten
/// from a table. Two roundings instead of one: for about a quarter of the
/// scores of a trained Unigram vocabulary the result is one ulp away from
/// the correctly rounded value LMJSON gives, and Viterbi paths whose scores
/// tie to the last bit then resolve differently ("\n\n" + "\n" against
/// "\n" + "\n\n" in a tokenizer trained by `tokenizers` 0.23).
///
/// LMJSON keeps the correctly rounded value, not the literal. Files written
/// by `tokenizers` hold the shortest literal that round-trips to it, which
/// is what Swift's `description` prints, so that literal is rebuilt and read
/// again the way `serde_json` reads it. (A file with a longer, hand-written
/// literal could differ from HF in the last bit.)
enum SerdeFloat {
    /// `serde_json`'s `POW10`: 1e0 ... 1e308, each correctly rounded.
    static let powersOf10: [Double] = (0...308).map { Double("1e\($0)") ?? .infinity }

    /// The value `serde_json` reads from the shortest literal of `value`.
    static func asHFReads(_ value: Double) -> Double {
        guard value.isFinite else { return value }
        return parse(value.description) ?? value
    }

    /// `serde_json`'s default `f64` parsing of a JSON number literal
    /// (`-`? digits (`.` digits)? ([eE] [+-]? digits)?); nil when `literal`
    /// is not one or the value overflows (serde: "number out of range").
    static func parse(_ literal: String) -> Double? {
        var bytes = Array(literal.utf8)[...]
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes = bytes.dropFirst() }
        var significand: UInt64 = 0
        var exponent = 0
        var digits = 0
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        /// `significand * 10 + digit`, or nil past `UInt64.max`.
        func appended(_ b: UInt8) -> UInt64? {
            let (times10, o1) = significand.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.addingReportingOverflow(UInt64(b - 0x30))
            return o1 || o2 ? nil : next
        }
        // Integer part: once past u64, each further digit only raises the exponent.
        var integerOverflowed = false
        while let b = bytes.first, isDigit(b) {
            bytes = bytes.dropFirst()
            digits += 1
            if !integerOverflowed, let next = appended(b) {
                significand = next
            } else {
                integerOverflowed = true
                exponent += 1
            }
        }
        guard digits > 0 else { return nil }
        // Fraction: from the first digit that would overflow, the rest are ignored.
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            var fractionDigits = 0
            var ignoring = false
            while let b = bytes.first, isDigit(b) {
                bytes = bytes.dropFirst()
                fractionDigits += 1
                guard !ignoring, let next = appended(b) else {
                    ignoring = true
                    continue
                }
                significand = next
                exponent -= 1
            }
            guard fractionDigits > 0 else { return nil }
        }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            var positive = true
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                positive = sign == UInt8(ascii: "+")
                bytes = bytes.dropFirst()
            }
            var value = 0
            var expDigits = 0
            while let b = bytes.first, isDigit(b) {
                bytes = bytes.dropFirst()
                expDigits += 1
                value = min(value * 10 + Int(b - 0x30), 1 << 40)  // serde saturates too
            }
            guard expDigits > 0 else { return nil }
            exponent += positive ? value : -value
        }
        guard bytes.isEmpty else { return nil }
        var f = Double(significand)
        while true {
            let magnitude = exponent.magnitude
            if magnitude < UInt(powersOf10.count) {
                if exponent >= 0 {
                    f *= powersOf10[Int(magnitude)]
                    if f.isInfinite { return nil }
                } else {
                    f /= powersOf10[Int(magnitude)]
                }
                break
            }
            if f == 0 { break }
            if exponent >= 0 { return nil }
            f /= 1e308
            exponent += 308
        }
        return negative ? -f : f
    }
}
