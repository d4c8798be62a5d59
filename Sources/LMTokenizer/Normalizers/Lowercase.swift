/// HF's `Lowercase` normalizer.
///
/// HF lowercases character by character (`char::to_lowercase` on each
/// scalar), *not* with `str::to_lowercase`: there is no final-sigma rule, so
/// "ΟΔΟΣ" becomes "οδοσ" (checked against Python `tokenizers` 0.23.3). Each
/// scalar takes its full Unicode lowercase mapping, which may be longer than
/// one scalar ("İ" -> "i̇"). Swift's `String.lowercased()` is not used
/// because it is not specified to skip the final-sigma context.
public struct LowercaseNormalizer: Normalizer {
    /// Creates the normalizer; it has no options.
    public init() {}

    /// Returns `text` with every scalar replaced by its lowercase mapping.
    public func normalize(_ text: String) -> String {
        // ASCII fast path: most training text is ASCII-heavy code or prose.
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            return String(decoding: text.utf8.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
        }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                let v = scalar.value
                out.append((0x41...0x5A).contains(v) ? Unicode.Scalar(UInt8(v | 0x20)) : scalar)
            } else {
                out.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return String(out)
    }

    /// Extra scalars of a mapping ("İ" -> "i̇") share the mapped scalar's origin.
    public func normalizeTrackingOrigin(_ text: String, fromFirst: Int) -> (text: String, fromFirst: Int) {
        (normalize(text), scalarsFromFirst(text, fromFirst) { $0.isASCII ? 1 : $0.properties.lowercaseMapping.unicodeScalars.count })
    }
}
