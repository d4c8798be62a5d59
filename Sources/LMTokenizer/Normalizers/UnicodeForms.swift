import Foundation
import LMJSON

/// NFC, NFD, NFKC and NFKD, as HF's `normalizers/unicode.rs`.
///
/// Foundation's mapping properties implement the four Unicode normalization
/// forms; HF uses the `unicode-normalization` crate, whose tables are
/// Unicode 11.0 (see `HFUnicodeVersion`). To match it, scalars assigned
/// after 11.0 are left exactly as they are: the text is normalized in runs
/// between them. That is what the old tables do, because to them such a
/// scalar is unassigned: a starter with no decomposition, which nothing
/// composes with or reorders across.
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
        guard text.unicodeScalars.contains(where: Self.isNewerThanHF) else { return apply(text) }
        var out = String.UnicodeScalarView()
        var run = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if Self.isNewerThanHF(scalar) {
                out.append(contentsOf: apply(String(run)).unicodeScalars)
                run.removeAll()
                out.append(scalar)
            } else {
                run.append(scalar)
            }
        }
        out.append(contentsOf: apply(String(run)).unicodeScalars)
        return String(out)
    }

    /// Assigned, but after the Unicode version HF's normalization tables know.
    @inline(__always)
    static func isNewerThanHF(_ scalar: Unicode.Scalar) -> Bool {
        !scalar.isASCII && scalar.properties.age != nil && !HFUnicodeVersion.isAssigned(scalar, by: 11, 0)
    }

    func apply(_ text: String) -> String {
        if text.isEmpty { return text }
        switch form {
        case .nfc: return text.precomposedStringWithCanonicalMapping
        case .nfd: return text.decomposedStringWithCanonicalMapping
        case .nfkc: return text.precomposedStringWithCompatibilityMapping
        case .nfkd: return text.decomposedStringWithCompatibilityMapping
        }
    }
}
