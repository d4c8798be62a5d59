import LMJSON

/// HF's `BertNormalizer`, in HF's order:
///
/// 1. `clean_text`: drops U+0000, U+FFFD and control characters (general
///    category C* other than Cn, except tab, newline and carriage return),
///    and turns whitespace (`White_Space`, plus tab, newline, carriage
///    return) into " ".
/// 2. `handle_chinese_chars`: puts a space on each side of every CJK
///    ideograph (BERT's fixed list of blocks).
/// 3. `strip_accents` (default: whatever `lowercase` is): NFD, then drops
///    nonspacing marks (Mn).
/// 4. `lowercase`: each scalar's lowercase mapping, as `Lowercase`.
///
/// HF's categories come from the `unicode_categories` crate, whose tables
/// are Unicode 8.0 (see `HFUnicodeVersion`): a scalar assigned later is not
/// a control or a mark there. `tools/parity/sweep.py` checks every scalar.
public struct BertNormalizer: Normalizer {
    public let cleanText: Bool
    public let handleChineseChars: Bool
    /// `strip_accents`, with HF's default (`lowercase`) resolved.
    public let stripAccents: Bool
    public let lowercase: Bool

    /// Creates the normalizer; `stripAccents` nil means "as `lowercase`".
    public init(cleanText: Bool = true, handleChineseChars: Bool = true, stripAccents: Bool? = nil, lowercase: Bool = true) {
        self.cleanText = cleanText
        self.handleChineseChars = handleChineseChars
        self.stripAccents = stripAccents ?? lowercase
        self.lowercase = lowercase
    }

    init(_ json: JSONObject, path: String) throws {
        let fields = ComponentFields(json, path: path)
        // serde requires the three booleans; strip_accents may be null.
        for key in ["clean_text", "handle_chinese_chars", "lowercase"] where fields.value(key) == nil {
            throw fields.invalid(key, "missing boolean")
        }
        let strip: Bool? = fields.value("strip_accents") == nil ? nil : try fields.bool("strip_accents", default: false)
        self.init(
            cleanText: try fields.bool("clean_text", default: true),
            handleChineseChars: try fields.bool("handle_chinese_chars", default: true),
            stripAccents: strip, lowercase: try fields.bool("lowercase", default: true))
    }

    public func normalize(_ text: String) -> String {
        normalizeTrackingStart(text).text
    }

    /// The start moves when the first character is dropped: a control
    /// character (clean_text), or a nonspacing mark (strip_accents). The
    /// spaces around a leading ideograph take its place in HF, so they keep it.
    public func normalizeTrackingStart(_ text: String) -> (text: String, keepsStart: Bool) {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return normalizeASCII(text) }
        var keepsStart = true
        var out = text
        if cleanText || handleChineseChars {
            var view = String.UnicodeScalarView()
            var first = true
            for scalar in text.unicodeScalars {
                defer { first = false }
                var c = scalar
                if cleanText {
                    if c.value == 0 || c.value == 0xFFFD || Self.isControl(c) {
                        if first { keepsStart = false }
                        continue
                    }
                    if Self.isWhitespace(c) { c = " " }
                }
                if handleChineseChars && Self.isChineseChar(c) {
                    view.append(" ")
                    view.append(c)
                    view.append(" ")
                } else {
                    view.append(c)
                }
            }
            out = String(view)
        }
        if stripAccents {
            let decomposed = UnicodeNormalizer(.nfd).normalize(out)
            var view = String.UnicodeScalarView()
            for scalar in decomposed.unicodeScalars {
                if Self.isNonspacingMark(scalar) {
                    if view.isEmpty { keepsStart = false }
                    continue
                }
                view.append(scalar)
            }
            out = String(view)
        }
        if lowercase { out = LowercaseNormalizer().normalize(out) }
        return (out, keepsStart)
    }

    /// The same steps on ASCII text, byte by byte (most training text is
    /// ASCII-heavy): controls other than tab, newline and carriage return
    /// go, those three become " ", letters may be lowercased; ASCII has no
    /// ideographs and no marks.
    private func normalizeASCII(_ text: String) -> (text: String, keepsStart: Bool) {
        var bytes = [UInt8]()
        bytes.reserveCapacity(text.utf8.count)
        var keepsStart = true
        for b in text.utf8 {
            var c = b
            if cleanText {
                if c == 0x09 || c == 0x0A || c == 0x0D {
                    c = 0x20
                } else if c < 0x20 || c == 0x7F {
                    if bytes.isEmpty { keepsStart = false }
                    continue
                }
            }
            if lowercase && c >= 0x41 && c <= 0x5A { c |= 0x20 }
            bytes.append(c)
        }
        return (String(decoding: bytes, as: UTF8.self), keepsStart)
    }

    /// BERT's `_is_whitespace`: tab, newline, carriage return, or `White_Space`.
    static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        c.value == 0x09 || c.value == 0x0A || c.value == 0x0D || c.properties.isWhitespace
    }

    /// BERT's `_is_control`: categories Cc, Cf, Co, Cs (not Cn) as of
    /// Unicode 8.0, except tab, newline and carriage return.
    static func isControl(_ c: Unicode.Scalar) -> Bool {
        if c.value == 0x09 || c.value == 0x0A || c.value == 0x0D { return false }
        switch c.properties.generalCategory {
        case .control, .privateUse, .surrogate: return true
        case .format: return HFUnicodeVersion.isAssigned(c, by: 8, 0)
        default: return false
        }
    }

    static func isNonspacingMark(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII { return false }
        return c.properties.generalCategory == .nonspacingMark && HFUnicodeVersion.isAssigned(c, by: 8, 0)
    }

    /// The CJK Unified Ideographs blocks and extensions BERT lists.
    static func isChineseChar(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
            0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
