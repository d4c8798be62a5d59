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
/// a control or a mark there. `tools/parity/sweep_components.py` checks every scalar.
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
    ///
    /// Every step reads and writes UTF-8 bytes, ASCII without Unicode
    /// property lookups: building `String`s scalar by scalar took a third
    /// of the encoding time of a BERT layout on mixed text (perf).
    public func normalizeTrackingOrigin(_ text: String, fromFirst: Int) -> (text: String, fromFirst: Int) {
        var bytes = Array(text.utf8)
        var first = fromFirst
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 8)
        if cleanText || handleChineseChars {
            first = Self.forEachScalar(bytes, fromFirst: first) { scalar in
                var c = scalar
                if cleanText {
                    if c.value == 0 || c.value == 0xFFFD || Self.isControl(c) { return 0 }
                    // BERT's `_is_whitespace` (tab, newline, carriage
                    // return, or White_Space) is White_Space.
                    if c.isWhitespace { c = " " }
                }
                guard handleChineseChars && Self.isChineseChar(c) else {
                    Self.append(c, to: &out)
                    return 1
                }
                out.append(0x20)
                Self.append(c, to: &out)
                out.append(0x20)
                return 3
            }
            swap(&bytes, &out)
        }
        let ascii = bytes.allSatisfy { $0 < 0x80 }
        if stripAccents && !ascii {
            // NFD, then drop nonspacing marks (ASCII has neither).
            let (decomposed, fromFirstDecomposed) = UnicodeNormalizer(.nfd).normalizeTrackingOrigin(
                String(decoding: bytes, as: UTF8.self), fromFirst: first)
            out.removeAll(keepingCapacity: true)
            first = Self.forEachScalar(Array(decomposed.utf8), fromFirst: fromFirstDecomposed) { c in
                guard !Self.isNonspacingMark(c) else { return 0 }
                Self.append(c, to: &out)
                return 1
            }
            swap(&bytes, &out)
        }
        if lowercase {
            out.removeAll(keepingCapacity: true)
            if ascii {
                for b in bytes { out.append(b >= 0x41 && b <= 0x5A ? b | 0x20 : b) }
            } else {
                // Each scalar's full lowercase mapping, as `LowercaseNormalizer`.
                first = Self.forEachScalar(bytes, fromFirst: first) { c in
                    if c.isASCII {
                        out.append(c.value >= 0x41 && c.value <= 0x5A ? UInt8(c.value | 0x20) : UInt8(c.value))
                        return 1
                    }
                    var n = 0
                    for l in c.properties.lowercaseMapping.unicodeScalars {
                        Self.append(l, to: &out)
                        n += 1
                    }
                    return n
                }
            }
            swap(&bytes, &out)
        }
        return (String(decoding: bytes, as: UTF8.self), first)
    }

    /// Calls `body` on each scalar of the UTF-8 `bytes` (valid: they come
    /// from a `String`); `body` returns how many output scalars it made.
    /// Returns the output scalars made by the first `fromFirst` scalars.
    @inline(__always)
    private static func forEachScalar(_ bytes: [UInt8], fromFirst: Int, _ body: (Unicode.Scalar) -> Int) -> Int {
        bytes.withUnsafeBufferPointer { t in
            var i = 0
            var index = 0
            var made = 0
            while i < t.count {
                let (value, length) = UTF8Scan.decode(t, i)
                let n = body(Unicode.Scalar(value) ?? "\u{FFFD}")
                if index < fromFirst { made += n }
                index += 1
                i += length
            }
            return made
        }
    }

    @inline(__always)
    private static func append(_ c: Unicode.Scalar, to out: inout [UInt8]) {
        if c.isASCII {
            out.append(UInt8(c.value))
        } else {
            out.append(contentsOf: c.utf8)
        }
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

    /// Mn as of Unicode 8.0. Six scalars assigned by then changed category
    /// since (the full per-scalar sweep found exactly these): U+1734 and
    /// U+1171E were Mn and are Mc today; U+1885 and U+1886 were Lo, U+A9BD
    /// Mc and U+111C9 Po, all Mn today.
    static func isNonspacingMark(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII { return false }
        switch c.value {
        case 0x1734, 0x1171E: return true
        case 0x1885, 0x1886, 0xA9BD, 0x111C9: return false
        default: return c.properties.generalCategory == .nonspacingMark && HFUnicodeVersion.isAssigned(c, by: 8, 0)
        }
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
