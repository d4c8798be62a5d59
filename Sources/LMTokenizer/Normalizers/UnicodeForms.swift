/// NFC, NFD, NFKC and NFKD, as HF's `normalizers/unicode.rs`.
///
/// HF uses the `unicode-normalization-alignments` crate, whose tables are
/// Unicode 11.0 (see `HFUnicodeVersion`); `UnicodeNormalization` carries
/// those tables, generated from HF itself, rather than Foundation's, which
/// follow a newer Unicode and on Linux leave a Hangul LV syllable followed
/// by a trailing jamo ("\u{AC00}\u{11A8}") uncomposed where HF gives U+AC01.
public struct UnicodeNormalizer: Normalizer {
    /// The four Unicode normalization forms.
    public enum Form: String, Sendable, CaseIterable {
        case nfc = "NFC", nfd = "NFD", nfkc = "NFKC", nfkd = "NFKD"
    }

    /// Which form this normalizer produces.
    public let form: Form

    /// Creates a normalizer producing `form`.
    public init(_ form: Form) { self.form = form }

    /// Returns `text` in this normalizer's form.
    public func normalize(_ text: String) -> String {
        UnicodeNormalization.shared.normalize(text, form)
    }

    /// The scalars the leading ones become keep their origin ("ﬁ" -> "fi"
    /// under NFKC: both come from "ﬁ").
    public func normalizeTrackingOrigin(_ text: String, fromFirst: Int) -> (text: String, fromFirst: Int) {
        let out = normalize(text)
        guard fromFirst > 0 else { return (out, 0) }
        var head = String.UnicodeScalarView()
        head.append(contentsOf: text.unicodeScalars.prefix(fromFirst))
        return (out, min(normalize(String(head)).unicodeScalars.count, out.unicodeScalars.count))
    }
}
