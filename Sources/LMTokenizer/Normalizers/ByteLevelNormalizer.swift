/// HF's `ByteLevel` normalizer: every UTF-8 byte of the text becomes its
/// character in GPT-2's printable alphabet (`ByteLevelAlphabet`), so
/// "Hello 我" becomes "HelloĠæĪĳ". What follows (pre-tokenizers, the
/// model's vocabulary) then sees that alphabet, as in HF.
public struct ByteLevelNormalizer: Normalizer {
    /// Creates the normalizer; it has no options.
    public init() {}

    public func normalize(_ text: String) -> String {
        var view = String.UnicodeScalarView()
        for byte in text.utf8 { view.append(ByteLevelAlphabet.byteToScalar[Int(byte)]) }
        return String(view)
    }

    /// A scalar's bytes all come from it (HF marks all but the first as
    /// inserted next to it).
    public func normalizeTrackingOrigin(_ text: String, fromFirst: Int) -> (text: String, fromFirst: Int) {
        (normalize(text), scalarsFromFirst(text, fromFirst) { $0.utf8.count })
    }
}
