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
    public func normalize(_ text: String) -> String {
        pattern.replaceAll(in: text, with: content)
    }

    /// The start moves when a non-empty match at the start is deleted.
    public func normalizeTrackingStart(_ text: String) -> (text: String, keepsStart: Bool) {
        (normalize(text), !(content.isEmpty && pattern.matchesNonEmptyPrefix(of: text)))
    }
}
