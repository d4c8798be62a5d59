/// HF's `Nmt` normalizer (SentencePiece's `nmt_nfkc` rules without the
/// NFKC): drops ASCII control characters other than tab, newline, form
/// feed and carriage return (and U+008F, U+009F), then turns those four
/// and other invisible separators (U+1680, U+200B...U+200F, U+2028,
/// U+2029, U+2581 "▁", U+FEFF, U+FFFD) into " ".
public struct NmtNormalizer: Normalizer {
    /// Creates the normalizer; it has no options.
    public init() {}

    public func normalize(_ text: String) -> String {
        var view = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where !Self.isDropped(scalar.value) {
            view.append(Self.isSpace(scalar.value) ? " " : scalar)
        }
        return String(view)
    }

    public func normalizeTrackingStart(_ text: String) -> (text: String, keepsStart: Bool) {
        let (out, n) = normalizeTrackingOrigin(text, fromFirst: 1)
        return (out, n > 0)
    }

    /// Dropped characters take their origin with them (HF's `filter`).
    public func normalizeTrackingOrigin(_ text: String, fromFirst: Int) -> (text: String, fromFirst: Int) {
        (normalize(text), scalarsFromFirst(text, fromFirst) { Self.isDropped($0.value) ? 0 : 1 })
    }

    static func isDropped(_ v: UInt32) -> Bool {
        switch v {
        case 0x01...0x08, 0x0B, 0x0E...0x1F, 0x7F, 0x8F, 0x9F: return true
        default: return false
        }
    }

    static func isSpace(_ v: UInt32) -> Bool {
        switch v {
        case 0x09, 0x0A, 0x0C, 0x0D, 0x1680, 0x200B...0x200F, 0x2028, 0x2029, 0x2581, 0xFEFF, 0xFFFD: return true
        default: return false
        }
    }
}
