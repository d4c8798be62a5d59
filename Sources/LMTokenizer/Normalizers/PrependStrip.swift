import LMJSON

/// HF's `Prepend` normalizer: puts `prepend` in front of non-empty text
/// (empty text stays empty, as HF).
public struct PrependNormalizer: Normalizer {
    /// The text put in front.
    public let prepend: String

    /// Creates a normalizer that prepends `prepend`.
    public init(prepend: String) { self.prepend = prepend }

    /// Returns `prepend + text`, or `text` when it is empty.
    public func normalize(_ text: String) -> String {
        text.isEmpty ? text : prepend + text
    }
}

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
}

/// HF's `StripAccents`: removes combining marks (any general category M*:
/// Python `tokenizers` strips U+0903, a spacing mark, too), as used after an
/// NFD or NFKD normalizer.
public struct StripAccentsNormalizer: Normalizer {
    /// Creates the normalizer; it has no options.
    public init() {}

    /// Returns `text` without combining marks.
    public func normalize(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark: continue
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}

/// HF's `Sequence` normalizer: each normalizer in turn.
public struct NormalizerSequence: Normalizer {
    /// The normalizers, applied first to last.
    public let normalizers: [any Normalizer]

    /// Creates a sequence applying `normalizers` in order.
    public init(_ normalizers: [any Normalizer]) { self.normalizers = normalizers }

    /// Returns `text` after every normalizer.
    public func normalize(_ text: String) -> String {
        normalizers.reduce(text) { $1.normalize($0) }
    }
}
