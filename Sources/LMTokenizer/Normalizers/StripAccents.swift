/// HF's `StripAccents`: removes combining marks (any general category M*:
/// Python `tokenizers` strips U+0903, a spacing mark, too) known to Unicode
/// 9.0 (see `HFUnicodeVersion`), as used after an NFD or NFKD normalizer.
public struct StripAccentsNormalizer: Normalizer {
    /// Creates the normalizer; it has no options.
    public init() {}

    /// Returns `text` without combining marks.
    public func normalize(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where !Self.isMark(scalar) {
            out.append(scalar)
        }
        return String(out)
    }

    /// Removed marks take their origin with them.
    public func normalizeTrackingOrigin(_ text: String, fromFirst: Int) -> (text: String, fromFirst: Int) {
        (normalize(text), scalarsFromFirst(text, fromFirst) { Self.isMark($0) ? 0 : 1 })
    }

    public func normalizeTrackingStart(_ text: String) -> (text: String, keepsStart: Bool) {
        let (out, n) = normalizeTrackingOrigin(text, fromFirst: 1)
        return (out, n > 0)
    }

    static func isMark(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return false }
        // Spacing marks in Unicode 9.0, letters today.
        if scalar.value == 0x1CF2 || scalar.value == 0x1CF3 { return true }
        // Punctuation in Unicode 9.0, a mark today.
        if scalar.value == 0x111C9 { return false }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return HFUnicodeVersion.isAssigned(scalar, by: 9, 0)
        default: return false
        }
    }
}
