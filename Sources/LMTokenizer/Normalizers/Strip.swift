/// HF's `Strip` normalizer: trims Unicode whitespace (the `White_Space`
/// property, as Rust's `char::is_whitespace`: U+0085 and U+3000 are
/// stripped, U+001F is not) from the left and/or right.
public struct StripNormalizer: Normalizer {
    /// Whether leading whitespace is removed.
    public let left: Bool
    /// Whether trailing whitespace is removed.
    public let right: Bool

    /// Creates a normalizer stripping the chosen sides.
    public init(left: Bool, right: Bool) {
        self.left = left
        self.right = right
    }

    /// Returns `text` without the chosen whitespace.
    public func normalize(_ text: String) -> String {
        let scalars = text.unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        if left {
            while start < end, scalars[start].properties.isWhitespace { start = scalars.index(after: start) }
        }
        if right {
            while end > start, scalars[scalars.index(before: end)].properties.isWhitespace {
                end = scalars.index(before: end)
            }
        }
        return String(scalars[start..<end])
    }

    /// Stripped leading scalars take their origin with them.
    public func normalizeTrackingOrigin(_ text: String, fromFirst: Int) -> (text: String, fromFirst: Int) {
        let out = normalize(text)
        let leading = left ? text.unicodeScalars.prefix { $0.properties.isWhitespace }.count : 0
        return (out, min(max(0, fromFirst - leading), out.unicodeScalars.count))
    }

    public func normalizeTrackingStart(_ text: String) -> (text: String, keepsStart: Bool) {
        let (out, n) = normalizeTrackingOrigin(text, fromFirst: 1)
        return (out, n > 0)
    }
}
