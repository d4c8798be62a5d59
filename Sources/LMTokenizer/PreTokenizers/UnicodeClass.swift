/// The four character classes every GPT-style split regex is written in:
/// `\p{L}` letters, `\p{N}` numbers, `\s` whitespace, and everything else.
///
/// Oniguruma (which HF `tokenizers` uses) defines `\s` as Unicode White_Space
/// and `\p{L}` / `\p{N}` by general category, which is what
/// `Unicode.Scalar.Properties` gives. Asking the properties per character
/// is slow, so ASCII uses bit masks and the rest of the BMP a table.
enum CharClass: UInt8 {
    case other = 0
    case letter = 1
    case number = 2
    case whitespace = 3

    /// The class of one scalar value, computed from Unicode properties.
    ///
    /// Oniguruma in HF `tokenizers` 0.23 knows Unicode 16.0: a letter added
    /// in Unicode 17 (U+088F, U+16EA0) is unassigned there, so it is
    /// `.other` here too, or a split regex would cut text differently.
    /// Never inlined: the properties lookup needs a metadata call in the
    /// prologue of whatever function holds it, which the ASCII scanning
    /// loops would otherwise pay on every call.
    @inline(never)
    static func compute(_ value: UInt32) -> CharClass {
        guard let scalar = Unicode.Scalar(value) else { return .other }
        // Category first: it rules out most scalars in one lookup, and only
        // the candidates pay for White_Space and age (building the BMP
        // table, which the first non-ASCII character of a run triggers,
        // took ~15 ms asking all three for every scalar). Every White_Space
        // scalar is a control or a separator, never a letter or number.
        let props = scalar.properties
        let cls: CharClass
        switch props.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            cls = .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            cls = .number
        case .control, .spaceSeparator, .lineSeparator, .paragraphSeparator:
            guard props.isWhitespace else { return .other }
            cls = .whitespace
        default:
            return .other
        }
        return HFUnicodeVersion.isAssigned(scalar, by: 16, 0) ? cls : .other
    }

    /// Classes of U+0000...U+FFFF, one byte each (64 KB, built once on first use).
    static let bmpTable: [CharClass] = (0..<0x1_0000).map { compute(UInt32($0)) }

    /// O(1) for the BMP; astral scalars (emoji, rare CJK) ask the properties.
    @inline(__always)
    static func of(_ value: UInt32) -> CharClass {
        value < 0x1_0000 ? bmpTable[Int(value)] : compute(value)
    }
}

extension Unicode.Scalar {
    /// Unicode `White_Space` (Rust's `char::is_whitespace`), ASCII (tab
    /// through carriage return, space) without the properties lookup, which
    /// was a quarter of BERT-layout encoding time.
    @inline(__always)
    var isWhitespace: Bool {
        isASCII ? (0x09...0x0D).contains(value) || value == 0x20 : properties.isWhitespace
    }
}

/// Decoding of one UTF-8 scalar at a byte offset, tolerant of bad input.
///
/// HF only ever sees valid `str`s. Raw bytes handed to `encode(unsafeUTF8:)` may not
/// be valid, so a malformed sequence is read as one byte of class `.other`:
/// the bytes still reach the model (byte-level vocabularies cover all 256),
/// and nothing crashes.
enum UTF8Scan {
    /// Returns the scalar value starting at `i` and its length in bytes.
    /// Malformed or truncated sequences decode as (0xFFFD, 1).
    @inline(__always)
    static func decode(_ t: UnsafeBufferPointer<UInt8>, _ i: Int) -> (value: UInt32, length: Int) {
        let b0 = t[i]
        if b0 < 0x80 { return (UInt32(b0), 1) }
        let n = t.count
        if b0 & 0xE0 == 0xC0, b0 >= 0xC2, i + 1 < n, t[i + 1] & 0xC0 == 0x80 {
            return ((UInt32(b0 & 0x1F) << 6) | UInt32(t[i + 1] & 0x3F), 2)
        }
        if b0 & 0xF0 == 0xE0, i + 2 < n, t[i + 1] & 0xC0 == 0x80, t[i + 2] & 0xC0 == 0x80 {
            let v = (UInt32(b0 & 0x0F) << 12) | (UInt32(t[i + 1] & 0x3F) << 6) | UInt32(t[i + 2] & 0x3F)
            if v >= 0x800 && !(0xD800...0xDFFF).contains(v) { return (v, 3) }
        }
        if b0 & 0xF8 == 0xF0, i + 3 < n, t[i + 1] & 0xC0 == 0x80, t[i + 2] & 0xC0 == 0x80,
           t[i + 3] & 0xC0 == 0x80 {
            let v = (UInt32(b0 & 0x07) << 18) | (UInt32(t[i + 1] & 0x3F) << 12)
                | (UInt32(t[i + 2] & 0x3F) << 6) | UInt32(t[i + 3] & 0x3F)
            if v >= 0x1_0000 && v <= 0x10_FFFF { return (v, 4) }
        }
        return (0xFFFD, 1)
    }

    /// The class and byte length of the character at `i`. The ASCII path is
    /// a single table load, which is what most source code and English hits.
    @inline(__always)
    static func classAt(_ t: UnsafeBufferPointer<UInt8>, _ i: Int) -> (cls: CharClass, length: Int, value: UInt32) {
        let b0 = t[i]
        if b0 < 0x80 { return (asciiClassOf(b0), 1, UInt32(b0)) }
        return nonASCIIClassAt(t, i)
    }

    /// `classAt` for a lead byte >= 0x80, out of line so the callers' ASCII
    /// paths stay small.
    @inline(never)
    static func nonASCIIClassAt(_ t: UnsafeBufferPointer<UInt8>, _ i: Int) -> (cls: CharClass, length: Int, value: UInt32) {
        let (v, len) = decode(t, i)
        if len == 1 { return (.other, 1, v) }
        return (CharClass.of(v), len, v)
    }

    /// ASCII classes from a constant table, one digit per byte (the raw
    /// values): letters A-Z a-z, digits 0-9, White_Space U+0009...U+000D
    /// and U+0020. A `StaticString` is a constant pointer, where a
    /// `static let` array costs a `swift_once` check per character
    /// (measured 2% of encode time); one load replaces the bit-mask
    /// branches, which mispredict on code's mix of classes.
    @inline(__always)
    static func asciiClassOf(_ b: UInt8) -> CharClass {
        let raw = asciiClasses.utf8Start[Int(b & 0x7F)] &- UInt8(ascii: "0")
        // Every entry is 0...3, the raw values of the four cases in order.
        return unsafeBitCast(raw, to: CharClass.self)
    }

    @inline(__always)
    static var asciiClasses: StaticString {
        "00000000033333000000000000000000300000000000000022222222220000000111111111111111111111111110000001111111111111111111111111100000"
    }

    @inline(__always) static var lettersHigh: UInt64 { 0x07FF_FFFE_07FF_FFFE }  // bits 65-90, 97-122 (minus 64)
    @inline(__always) static var digitsLow: UInt64 { 0x03FF_0000_0000_0000 }  // bits 48-57
    @inline(__always) static var spaceLow: UInt64 { 0x0000_0001_0000_3E00 }  // bits 9-13, 32

    /// The ASCII members of `cls` as two bit masks, bytes 0-63 and 64-127:
    /// a run loop then tests one bit per byte.
    @inline(__always)
    static func asciiMasks(_ cls: CharClass) -> (low: UInt64, high: UInt64) {
        switch cls {
        case .letter: return (0, lettersHigh)
        case .number: return (digitsLow, 0)
        case .whitespace: return (spaceLow, 0)
        case .other: return (~(digitsLow | spaceLow), ~lettersHigh)
        }
    }

    /// The byte offset where the character before `i` starts (used by the
    /// `\s+(?!\S)` rule, which gives the last whitespace character back).
    @inline(__always)
    static func previousStart(_ t: UnsafeBufferPointer<UInt8>, before i: Int, notBefore lower: Int) -> Int {
        var j = i - 1
        // Step over continuation bytes, at most 3, never past `lower`.
        var steps = 0
        while j > lower && t[j] & 0xC0 == 0x80 && steps < 3 { j -= 1; steps += 1 }
        // If the lead byte does not actually span to `i`, the last byte stood alone.
        if decode(t, j).length != i - j { return i - 1 }
        return j
    }
}
