import LMJSON

/// HF's `WordLevel` model: each piece is one token, looked up whole; a
/// piece not in the vocabulary is `unk_token`.
///
/// HF loads a file whose `unk_token` is missing from the vocabulary and
/// raises only when an unknown piece comes ("Missing [UNK] token from the
/// vocabulary"); lmshard does the same (`encode` returns false then).
struct WordLevelModel: TokenizerModel {
    let vocab: TokenVocabulary
    /// `unk_token`'s id, nil when the vocabulary lacks it.
    let unkId: UInt32?

    /// Parses the model object at `path` (its `"type"`, if any, already checked).
    init(json: JSONObject, path: String) throws {
        let fields = ComponentFields(json, path: path)
        vocab = try TokenVocabulary(json, path: path)
        // Required, like serde's `missing field` for `unk_token`.
        guard fields.value("unk_token") != nil else { throw fields.invalid("unk_token", "missing string") }
        unkId = vocab.tokenToId(try fields.string("unk_token"))
    }

    var vocabCount: Int { vocab.count }

    func tokenToId(_ token: String) -> UInt32? { vocab.tokenToId(token) }

    func idToToken(_ id: UInt32) -> String? { vocab.idToToken(id) }

    func encode(piece: UnsafeBufferPointer<UInt8>, scratch: ModelScratch, into out: inout [UInt32]) -> Bool {
        guard let id = vocab.table.get(piece) ?? unkId else { return false }
        out.append(id)
        return true
    }
}
