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
        normalizeTrackingOrigin(text, fromFirst: 0).text
    }

    public func normalizeTrackingStart(_ text: String) -> (text: String, keepsStart: Bool) {
        let (out, n) = normalizeTrackingOrigin(text, fromFirst: 1)
        return (out, n > 0)
    }

    /// Each step moves the origin of the leading scalars as HF's
    /// alignments do: dropped characters take theirs with them (HF's
    /// `filter`), a spaced ideograph's two spaces share its origin, NFD and
    /// lowercasing expand a scalar into scalars of the same origin.
    public func normalizeTrackingOrigin(_ text: String, fromFirst: Int) -> (text: String, fromFirst: Int) {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return normalizeASCII(text, fromFirst: fromFirst) }
        var out = text
        var first = fromFirst
        if cleanText || handleChineseChars {
            var view = String.UnicodeScalarView()
            var index = 0
            var widthOfFirst = 0
            for scalar in text.unicodeScalars {
                defer { index += 1 }
                var c = scalar
                if cleanText {
                    if c.value == 0 || c.value == 0xFFFD || Self.isControl(c) { continue }
                    if Self.isWhitespace(c) { c = " " }
                }
                let spaced = handleChineseChars && Self.isChineseChar(c)
                if index < first { widthOfFirst += spaced ? 3 : 1 }
                if spaced {
                    view.append(" ")
                    view.append(c)
                    view.append(" ")
                } else {
                    view.append(c)
                }
            }
            out = String(view)
            first = widthOfFirst
        }
        if stripAccents {
            let (decomposed, fromFirstDecomposed) = UnicodeNormalizer(.nfd).normalizeTrackingOrigin(out, fromFirst: first)
            var view = String.UnicodeScalarView()
            for scalar in decomposed.unicodeScalars where !Self.isNonspacingMark(scalar) { view.append(scalar) }
            out = String(view)
            first = scalarsFromFirst(decomposed, fromFirstDecomposed) { Self.isNonspacingMark($0) ? 0 : 1 }
        }
        if lowercase { (out, first) = LowercaseNormalizer().normalizeTrackingOrigin(out, fromFirst: first) }
        return (out, first)
    }

    /// The same steps on ASCII text, byte by byte (most training text is
    /// ASCII-heavy): controls other than tab, newline and carriage return
    /// go, those three become " ", letters may be lowercased; ASCII has no
    /// ideographs and no marks.
    private func normalizeASCII(_ text: String, fromFirst: Int) -> (text: String, fromFirst: Int) {
        var bytes = [UInt8]()
        bytes.reserveCapacity(text.utf8.count)
        var first = 0
        for (index, b) in text.utf8.enumerated() {
            var c = b
            if cleanText {
                if c == 0x09 || c == 0x0A || c == 0x0D {
                    c = 0x20
                } else if c < 0x20 || c == 0x7F {
                    continue
                }
            }
            if lowercase && c >= 0x41 && c <= 0x5A { c |= 0x20 }
            bytes.append(c)
            if index < fromFirst { first += 1 }
        }
        return (String(decoding: bytes, as: UTF8.self), first)
    }

    /// BERT's `_is_whitespace`: tab, newline, carriage return, or `White_Space`.
    static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        // ASCII White_Space is tab through carriage return and space.
        if c.isASCII { return (0x09...0x0D).contains(c.value) || c.value == 0x20 }
        return c.properties.isWhitespace
    }

    /// BERT's `_is_control`: categories Cc, Cf, Co, Cs (not Cn) as of
    /// Unicode 8.0, except tab, newline and carriage return.
    static func isControl(_ c: Unicode.Scalar) -> Bool {
        if c.value == 0x09 || c.value == 0x0A || c.value == 0x0D { return false }
        if c.isASCII { return c.value < 0x20 || c.value == 0x7F }  // Cc; ASCII has no Cf
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
