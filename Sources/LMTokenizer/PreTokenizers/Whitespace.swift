import LMJSON

/// HF's `Whitespace` pre-tokenizer: the regex `\w+|[^\w\s]+`, keeping the
/// matches and dropping the whitespace between them.
///
/// Written as a two-class scanner rather than a regex: the pattern is just
/// "runs of word scalars" and "runs of other non-space scalars". `\w` is
/// Oniguruma's Unicode word class (Alphabetic, marks, decimal digits,
/// connector punctuation, join controls) as of Unicode 16.0 (see
/// `HFUnicodeVersion`): Python `tokenizers` keeps "x\u{200D}y" together and
/// splits "a½²b" into a|½²|b.
public struct WhitespacePreTokenizer: PreTokenizer {
    /// Creates the pre-tokenizer; it has no options.
    public init() {}

    /// Appends the pieces of `piece` to `out`.
    public func split(unsafeBytes piece: UnsafeBufferPointer<UInt8>, into out: inout PieceList) {
        var i = 0
        var runStart = 0
        var runIsWord: Bool? = nil  // nil: not inside a run
        while i < piece.count {
            let (scalar, length) = UTF8Scalars.scalar(inUnsafeBytes: piece, at: i)
            let kind: Bool? = Self.isWord(scalar) ? true : (scalar.properties.isWhitespace ? nil : false)
            if kind != runIsWord {
                if runIsWord != nil { out.append(unsafeBytes: UnsafeBufferPointer(rebasing: piece[runStart..<i])) }
                runStart = i
                runIsWord = kind
            }
            i += length
        }
        if runIsWord != nil { out.append(unsafeBytes: UnsafeBufferPointer(rebasing: piece[runStart..<i])) }
    }

    @inline(__always)
    static func isWord(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let v = scalar.value
            return (0x30...0x39).contains(v) || (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v) || v == 0x5F
        }
        let p = scalar.properties
        if p.isJoinControl { return true }
        guard HFUnicodeVersion.isAssigned(scalar, by: 16, 0) else { return false }
        if p.isAlphabetic { return true }
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }
}

/// HF's `WhitespaceSplit`: splits on Unicode whitespace (`White_Space`, as
/// Rust's `char::is_whitespace`) and drops it.
public struct WhitespaceSplitPreTokenizer: PreTokenizer {
    /// Creates the pre-tokenizer; it has no options.
    public init() {}

    /// Appends the pieces of `piece` to `out`.
    public func split(unsafeBytes piece: UnsafeBufferPointer<UInt8>, into out: inout PieceList) {
        var i = 0
        var wordStart = 0
        while i < piece.count {
            let (scalar, length) = UTF8Scalars.scalar(inUnsafeBytes: piece, at: i)
            if scalar.isWhitespace {
                out.append(unsafeBytes: UnsafeBufferPointer(rebasing: piece[wordStart..<i]))
                wordStart = i + length
            }
            i += length
        }
        out.append(unsafeBytes: UnsafeBufferPointer(rebasing: piece[wordStart..<piece.count]))
    }
}

/// HF's `CharDelimiterSplit`: splits on one delimiter scalar and drops it.
public struct CharDelimiterSplitPreTokenizer: PreTokenizer {
    /// The scalar split on.
    public let delimiter: Unicode.Scalar

    /// Creates the pre-tokenizer.
    public init(delimiter: Unicode.Scalar) { self.delimiter = delimiter }

    /// Appends the pieces of `piece` to `out`.
    public func split(unsafeBytes piece: UnsafeBufferPointer<UInt8>, into out: inout PieceList) {
        let delimiter = self.delimiter
        ScalarSplitter(behavior: .removed).split(unsafeBytes: piece, into: &out) { $0 == delimiter }
    }
}

extension WhitespacePreTokenizer: FrontDroppingPreTokenizer {
    func keepsFirstByte(ofUnsafeBytes piece: UnsafeBufferPointer<UInt8>) -> Bool {
        piece.isEmpty || !UTF8Scalars.scalar(inUnsafeBytes: piece, at: 0).scalar.properties.isWhitespace
    }
}

extension WhitespaceSplitPreTokenizer: FrontDroppingPreTokenizer {
    func keepsFirstByte(ofUnsafeBytes piece: UnsafeBufferPointer<UInt8>) -> Bool {
        piece.isEmpty || !UTF8Scalars.scalar(inUnsafeBytes: piece, at: 0).scalar.properties.isWhitespace
    }
}

extension CharDelimiterSplitPreTokenizer: FrontDroppingPreTokenizer {
    func keepsFirstByte(ofUnsafeBytes piece: UnsafeBufferPointer<UInt8>) -> Bool {
        piece.isEmpty || UTF8Scalars.scalar(inUnsafeBytes: piece, at: 0).scalar != delimiter
    }
}
