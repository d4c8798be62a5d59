import LMJSON

/// HF's `Punctuation` pre-tokenizer: splits on ASCII punctuation (which
/// includes symbols such as `$`, `+`, `<`) and on Unicode punctuation
/// (general category P*, as of Unicode 8.0: see `HFUnicodeVersion`),
/// keeping delimiters as `behavior` says (default Isolated).
public struct PunctuationPreTokenizer: PreTokenizer {
    let splitter: ScalarSplitter

    init(behavior: DelimiterBehavior) { splitter = ScalarSplitter(behavior: behavior) }

    /// Appends the pieces of `piece` to `out`.
    public func split(unsafeBytes piece: UnsafeBufferPointer<UInt8>, into out: inout PieceList) {
        splitter.split(unsafeBytes: piece, into: &out, isDelimiter: Self.isPunctuation)
    }

    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let v = scalar.value
            return (0x21...0x2F).contains(v) || (0x3A...0x40).contains(v)
                || (0x5B...0x60).contains(v) || (0x7B...0x7E).contains(v)
        }
        // Po in Unicode 8.0, recategorized since.
        if scalar.value == 0x166D || scalar.value == 0x111C9 { return true }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return HFUnicodeVersion.isAssigned(scalar, by: 8, 0)
        default:
            return false
        }
    }
}

/// HF's `BertPreTokenizer`: split on whitespace (dropped), then isolate every
/// punctuation character.
public struct BertPreTokenizer: PreTokenizer {
    /// Creates the pre-tokenizer; it has no options.
    public init() {}

    /// Appends the pieces of `piece` to `out`.
    public func split(unsafeBytes piece: UnsafeBufferPointer<UInt8>, into out: inout PieceList) {
        var words = PieceList()
        WhitespaceSplitPreTokenizer().split(unsafeBytes: piece, into: &words)
        let isolate = ScalarSplitter(behavior: .isolated)
        words.forEachUnsafePiece { isolate.split(unsafeBytes: $0, into: &out, isDelimiter: PunctuationPreTokenizer.isPunctuation) }
    }
}

extension PunctuationPreTokenizer: FrontDroppingPreTokenizer {
    func keepsFirstByte(ofUnsafeBytes piece: UnsafeBufferPointer<UInt8>) -> Bool {
        splitter.behavior != .removed || piece.isEmpty
            || !Self.isPunctuation(UTF8Scalars.scalar(inUnsafeBytes: piece, at: 0).scalar)
    }
}

extension BertPreTokenizer: FrontDroppingPreTokenizer {
    func keepsFirstByte(ofUnsafeBytes piece: UnsafeBufferPointer<UInt8>) -> Bool {
        piece.isEmpty || !UTF8Scalars.scalar(inUnsafeBytes: piece, at: 0).scalar.properties.isWhitespace
    }
}
