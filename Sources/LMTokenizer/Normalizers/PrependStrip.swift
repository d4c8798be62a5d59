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

    /// The start moves when leading whitespace is stripped.
    public func normalizeTrackingStart(_ text: String) -> (text: String, keepsStart: Bool) {
        let leading = left && text.unicodeScalars.first?.properties.isWhitespace == true
        return (normalize(text), !leading)
    }
}

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

    /// The start moves when the text begins with a mark.
    public func normalizeTrackingStart(_ text: String) -> (text: String, keepsStart: Bool) {
        (normalize(text), text.unicodeScalars.first.map { !Self.isMark($0) } ?? true)
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

    /// Each step keeps the start only if every step before it did.
    /// (Approximation: HF would also keep it when a step deletes the
    /// first of several characters an earlier step made from the input's
    /// first one, such as Replace("f", "") after NFKC turned "ﬁ" into "fi".)
    public func normalizeTrackingStart(_ text: String) -> (text: String, keepsStart: Bool) {
        normalizers.reduce((text, true)) { acc, step in
            let (out, keeps) = step.normalizeTrackingStart(acc.text)
            return (out, acc.keepsStart && keeps)
        }
    }
}
