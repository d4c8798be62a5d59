/// Strings and numbers: the byte-level work of the parser.
extension JSONParserCore {
    // MARK: strings

    /// Parses a string starting at the opening quote.
    ///
    /// Fast path: no escape, so the content is the input slice itself and
    /// becomes a `String` in one `String(decoding:as:)` after this loop has
    /// validated its UTF-8 (Swift's own check then only confirms it).
    mutating func parseString() throws -> String {
        let quote = i
        i += 1
        let start = i
        while i < end {
            skipPlainBytes()
            guard i < end else { break }
            let b = base[i]
            if b == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(start: base + start, count: i - start), as: UTF8.self)
                i += 1
                return s
            }
            if b == UInt8(ascii: "\\") { return try parseEscapedString(from: start, quote: quote) }
            if b < 0x20 { throw controlCharacterError(b) }
            if b < 0x80 { i += 1 } else { try skipUTF8Sequence() }
        }
        throw fail(.unexpectedEnd, "unterminated string", at: quote)
    }

    /// Advances `i` over plain string bytes eight at a time, stopping
    /// exactly at the first byte that needs attention (see
    /// `JSONStringBytes.plainWordsEnd`); the last few bytes are left to the
    /// caller's byte loop.
    @inline(__always)
    mutating func skipPlainBytes() {
        i = JSONStringBytes.plainWordsEnd(base, from: i, end: end)
    }

    func controlCharacterError(_ b: UInt8) -> JSONParseError {
        fail(.controlCharacterInString, "control character \(Self.describe(b)) in string (must be escaped)")
    }

    /// Slow path once a backslash is seen: copy runs of plain bytes into
    /// `scratch` and decode escapes in between.
    mutating func parseEscapedString(from start: Int, quote: Int) throws -> String {
        scratch.removeAll(keepingCapacity: true)
        var run = start
        while i < end {
            skipPlainBytes()
            guard i < end else { break }
            let b = base[i]
            if b == UInt8(ascii: "\"") {
                flush(from: run)
                i += 1
                return String(decoding: scratch, as: UTF8.self)
            }
            if b == UInt8(ascii: "\\") {
                flush(from: run)
                try parseEscape()
                run = i
            } else if b < 0x20 {
                throw controlCharacterError(b)
            } else if b < 0x80 {
                i += 1
            } else {
                try skipUTF8Sequence()
            }
        }
        throw fail(.unexpectedEnd, "unterminated string", at: quote)
    }

    @inline(__always)
    mutating func flush(from run: Int) {
        if i > run { scratch.append(contentsOf: UnsafeBufferPointer(start: base + run, count: i - run)) }
    }

    /// Decodes one escape at `i` (the backslash) into `scratch`.
    mutating func parseEscape() throws {
        let at = i
        guard i + 1 < end else { throw fail(.unexpectedEnd, "unexpected end of input in escape") }
        let c = base[i + 1]
        if let simple = JSONStringBytes.simpleEscape(c) {
            scratch.append(simple)
            i += 2
            return
        }
        guard c == UInt8(ascii: "u") else {
            throw fail(.invalidEscape, "invalid escape '\\\(Character(Unicode.Scalar(c)))' in string", at: at)
        }
        i += 2
        var scalar = try readHex4(escapeAt: at)
        if scalar >= 0xD800 && scalar < 0xDC00 {
            // A high surrogate must be followed by an escaped low one.
            guard i + 1 < end, base[i] == UInt8(ascii: "\\"), base[i + 1] == UInt8(ascii: "u") else {
                throw fail(.loneSurrogate, "lone high surrogate \\u\(hex4(scalar)) in string", at: at)
            }
            let lowAt = i
            i += 2
            let low = try readHex4(escapeAt: lowAt)
            guard low >= 0xDC00 && low < 0xE000 else {
                throw fail(.loneSurrogate, "lone high surrogate \\u\(hex4(scalar)) in string", at: at)
            }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if scalar >= 0xDC00 && scalar < 0xE000 {
            throw fail(.loneSurrogate, "lone low surrogate \\u\(hex4(scalar)) in string", at: at)
        }
        appendUTF8(scalar)
    }

    func hex4(_ v: UInt32) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }

    mutating func readHex4(escapeAt: Int) throws -> UInt32 {
        guard i + 4 <= end else { throw fail(.unexpectedEnd, "unexpected end of input in \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let d = JSONStringBytes.hexDigit(base[i]) else {
                throw fail(.invalidEscape, "invalid \\u escape: expected 4 hex digits", at: escapeAt)
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    mutating func appendUTF8(_ v: UInt32) {
        JSONStringBytes.encodeUTF8(v) { scratch.append($0) }
    }

    /// Validates one multi-byte UTF-8 sequence at `i` (lead byte >= 0x80) and
    /// steps over it (`JSONStringBytes.utf8SequenceLength`: no continuation
    /// bytes as leads, overlong forms, surrogates, code points past
    /// U+10FFFF, or sequences cut short).
    @inline(__always)
    mutating func skipUTF8Sequence() throws {
        let n = JSONStringBytes.utf8SequenceLength(base, at: i, end: end)
        guard n > 0 else { throw utf8Error() }
        i += n
    }

    /// Why the sequence at `i` is not well-formed UTF-8.
    func utf8Error() -> JSONParseError {
        let b0 = base[i]
        guard let lead = JSONStringBytes.utf8Lead(b0) else {
            return fail(.invalidUTF8, "invalid UTF-8 byte 0x\(String(b0, radix: 16, uppercase: true)) at byte offset \(i)")
        }
        guard i + lead.continuations < end else {
            return fail(.invalidUTF8, "truncated UTF-8 sequence at byte offset \(i)")
        }
        return fail(.invalidUTF8, "invalid UTF-8 sequence at byte offset \(i)")
    }

    // MARK: numbers

    /// Parses a number per the RFC 8259 grammar
    /// `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`.
    ///
    /// Integers that fit `Int64` are exact. Other numbers use Clinger's fast
    /// path when the decimal significand is at most 2^53 and the decimal
    /// exponent within +-22 (both operands are then exact doubles, so the one
    /// IEEE multiply or divide is correctly rounded), and otherwise Swift's
    /// `Double(String)`, which is correctly rounded (strtod semantics). The
    /// fast path avoids building a `String` per number.
    mutating func parseNumber() throws -> JSONValue {
        let start = i
        var negative = false
        if base[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        guard i < end else { throw fail(.unexpectedEnd, "unexpected end of input, expected a digit after '-'") }
        var significand: UInt64 = 0
        var digits = 0  // digits accumulated into `significand` (bounded by 19)
        var lostDigits = false  // a nonzero-significance digit did not fit
        var fractionDigits = 0
        var isInteger = true

        @inline(__always) func accumulate(_ d: UInt8) {
            if digits < 19 {
                significand = significand &* 10 &+ UInt64(d)
                if significand != 0 { digits += 1 }
            } else {
                lostDigits = true
            }
        }

        let first = base[i]
        if first == UInt8(ascii: "0") {
            i += 1
            if i < end, base[i] >= UInt8(ascii: "0"), base[i] <= UInt8(ascii: "9") {
                throw fail(.invalidNumber, "leading zeros are not allowed in numbers", at: start)
            }
        } else if first >= UInt8(ascii: "1") && first <= UInt8(ascii: "9") {
            while i < end {
                let d = base[i] &- UInt8(ascii: "0")
                guard d < 10 else { break }
                accumulate(d)
                i += 1
            }
        } else {
            throw fail(.invalidNumber, "expected a digit after '-'")
        }
        var integerDigitsLost = lostDigits
        if i < end && base[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            guard i < end, base[i] >= UInt8(ascii: "0"), base[i] <= UInt8(ascii: "9") else {
                throw fail(.invalidNumber, "expected a digit after '.' in number")
            }
            while i < end {
                let d = base[i] &- UInt8(ascii: "0")
                guard d < 10 else { break }
                if digits < 19 { fractionDigits += 1 }
                accumulate(d)
                i += 1
            }
        }
        var exponent = 0
        if i < end && (base[i] == UInt8(ascii: "e") || base[i] == UInt8(ascii: "E")) {
            isInteger = false
            i += 1
            var expNegative = false
            if i < end && (base[i] == UInt8(ascii: "+") || base[i] == UInt8(ascii: "-")) {
                expNegative = base[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < end, base[i] >= UInt8(ascii: "0"), base[i] <= UInt8(ascii: "9") else {
                throw fail(.invalidNumber, "expected a digit in the exponent of a number")
            }
            while i < end {
                let d = base[i] &- UInt8(ascii: "0")
                guard d < 10 else { break }
                if exponent < 100_000 { exponent = exponent * 10 + Int(d) }
                i += 1
            }
            if expNegative { exponent = -exponent }
        }
        if isInteger && !integerDigitsLost {
            if negative {
                if significand <= UInt64(Int64.max) { return .int(-Int64(significand)) }
                if significand == UInt64(Int64.max) + 1 { return .int(Int64.min) }
            } else if significand <= UInt64(Int64.max) {
                return .int(Int64(significand))
            }
        }
        integerDigitsLost = lostDigits
        let exp10 = exponent - fractionDigits
        if !integerDigitsLost && significand <= (1 << 53) && exp10 >= -22 && exp10 <= 22 {
            var v = Double(significand)
            if exp10 < 0 { v /= Self.powersOf10[-exp10] } else { v *= Self.powersOf10[exp10] }
            return .double(negative ? -v : v)
        }
        let literal = String(decoding: UnsafeBufferPointer(start: base + start, count: i - start), as: UTF8.self)
        guard let v = Double(literal) else {
            throw fail(.invalidNumber, "number out of range", at: start)
        }
        return .double(v)
    }

    /// 1e0 ... 1e22: every one is exact in a `Double`.
    static let powersOf10: [Double] = (0...22).map { p in
        var v = 1.0
        for _ in 0..<p { v *= 10 }
        return v
    }
}
