import Foundation
import LMJSON

/// NFC, NFD, NFKC and NFKD, as HF's `normalizers/unicode.rs`.
///
/// Foundation's mapping properties implement the four Unicode normalization
/// forms; HF uses the `unicode-normalization` crate. Both follow the Unicode
/// tables of their release, so results can differ only for characters added
/// in a Unicode version one side does not know yet.
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
        // ASCII is already in every normalization form; skipping Foundation's
        // bridging keeps the common case of source code cheap.
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
        switch form {
        case .nfc: return text.precomposedStringWithCanonicalMapping
        case .nfd: return text.decomposedStringWithCanonicalMapping
        case .nfkc: return text.precomposedStringWithCompatibilityMapping
        case .nfkd: return text.decomposedStringWithCompatibilityMapping
        }
    }
}
