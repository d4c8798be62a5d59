import LMJSON

/// HF's `Replace` normalizer: every match of `pattern` becomes `content`.
/// Used by SentencePiece-style tokenizers to turn " " into "▁".
public struct ReplaceNormalizer: Normalizer {
    let pattern: ReplacePattern
    /// The replacement text, inserted literally.
    public let content: String

    init(_ json: JSONObject, path: String) throws {
        let fields = ComponentFields(json, path: path)
        pattern = try ReplacePattern(fields.value("pattern"), path: fields.fieldPath("pattern"))
        content = try fields.string("content")
    }

    /// Returns `text` with every match replaced.
    public func normalize(_ text: String) throws -> String {
        try pattern.replaceAll(in: text, with: content)
    }

    /// HF's alignments: kept text keeps its origin, and `content` takes
    /// the origin of the match's last byte (of the byte before an empty
    /// match; the first character's at offset 0). So "ab" -> "X" on "abc"
    /// makes an "X" that comes from "b", not from the first character.
    public func normalizeTrackingOrigin(_ text: String, fromFirst: Int) throws -> (text: String, fromFirst: Int) {
        let found = try pattern.matches(in: text)
        let out = try normalize(text)
        // Bytes of `text` that come from the first character.
        let firstBytes = text.unicodeScalars.prefix(fromFirst).reduce(0) { $0 + UTF8.width($1) }
        let contentCount = content.unicodeScalars.count
        let utf8 = Array(text.utf8)
        func scalars(_ range: Range<Int>) -> Int { utf8[range].reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) } }
        var count = 0
        var copied = 0
        for match in found {
            // The gap before the match: its scalars come from the first
            // character only while they lie in its bytes.
            if match.lowerBound > copied {
                guard copied < firstBytes else { return (out, count) }
                count += scalars(copied..<min(match.lowerBound, firstBytes))
                if match.lowerBound > firstBytes { return (out, count) }
            }
            if contentCount > 0 {
                guard match.upperBound == 0 || match.upperBound - 1 < firstBytes else { return (out, count) }
                count += contentCount
            }
            copied = match.upperBound
        }
        if copied < firstBytes { count += scalars(copied..<min(utf8.count, firstBytes)) }
        return (out, count)
    }

    public func normalizeTrackingStart(_ text: String) throws -> (text: String, keepsStart: Bool) {
        try trackingStart(text)
    }
}
