import LMJSON

/// HF's `CTC` decoder (wav2vec2-style character vocabularies): repeated
/// tokens collapse into one, `pad_token` is removed, and with `cleanup` the
/// WordPiece decoder's English cleanup applies and `word_delimiter_token`
/// becomes " "; tokens left empty are dropped. So
/// `<pad> <pad> h e e l l <pad> l o o o <pad>` decodes to "hello".
public struct CTCDecoder: TokenDecoder {
    public let padToken: String
    public let wordDelimiterToken: String
    public let cleanup: Bool

    /// Creates the decoder.
    public init(padToken: String = "<pad>", wordDelimiterToken: String = "|", cleanup: Bool = true) {
        self.padToken = padToken
        self.wordDelimiterToken = wordDelimiterToken
        self.cleanup = cleanup
    }

    init(_ json: JSONObject, path: String) throws {
        let fields = ComponentFields(json, path: path)
        // serde requires all three.
        for key in ["pad_token", "word_delimiter_token", "cleanup"] where fields.value(key) == nil {
            throw fields.invalid(key, "missing field")
        }
        self.init(
            padToken: try fields.string("pad_token"), wordDelimiterToken: try fields.string("word_delimiter_token"),
            cleanup: try fields.bool("cleanup", default: true))
    }

    public func decodeChain(_ tokens: [String]) -> [String] {
        var out: [String] = []
        var previous: String? = nil
        for token in tokens {
            defer { previous = token }
            if token == previous { continue }  // consecutive duplicates, compared as Rust strings
            var text = ReplacePattern.replaceLiteral(padToken, in: token, with: "")
            if cleanup {
                text = WordPieceDecoder.cleanup(text)
                text = ReplacePattern.replaceLiteral(wordDelimiterToken, in: text, with: " ")
            }
            if !text.isEmpty { out.append(text) }
        }
        return out
    }
}
