import LMJSON

/// HF's `Digits` pre-tokenizer (StarCoder2 puts it before ByteLevel).
///
/// A digit is any scalar Rust's `char::is_numeric` accepts: general category
/// Nd, Nl or No, so "３", "٣", "½" and "²" count (Python `tokenizers` splits
/// "a12b３٣½²x" into a|1|2|b|３|٣|½|²|x with `individual_digits`). Individual
/// digits are isolated one by one; otherwise each run of digits is one piece.
public struct DigitsPreTokenizer: PreTokenizer {
    /// Whether each digit becomes its own piece.
    public let individualDigits: Bool

    /// Creates the pre-tokenizer.
    public init(individualDigits: Bool) { self.individualDigits = individualDigits }

    /// Appends the pieces of `piece` to `out`.
    public func split(unsafeBytes piece: UnsafeBufferPointer<UInt8>, into out: inout PieceList) {
        ScalarSplitter(behavior: individualDigits ? .isolated : .contiguous)
            .split(unsafeBytes: piece, into: &out, isDelimiter: Self.isNumeric)
    }

    @inline(__always)
    static func isNumeric(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return (0x30...0x39).contains(scalar.value) }
        switch scalar.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }
}
