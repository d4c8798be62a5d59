import LMJSON

/// Builds the `"model"` of a `tokenizer.json`.
///
/// With a `"type"`, that model is built (its errors reported as they are).
/// Without one (files written before `tokenizers` stored it), HF's
/// `ModelWrapper` deserializer tries each model in turn and keeps the first
/// that loads: BPE (needs `vocab` and `merges`), WordPiece (`vocab`,
/// `unk_token`, `continuing_subword_prefix`, `max_input_chars_per_word`:
/// tried before WordLevel, whose fields are a subset), WordLevel (`vocab`,
/// `unk_token`), Unigram (`vocab` as a list). The same order here; when none
/// loads, the error lists why each did not.
///
/// `byteLevel`: a ByteLevel pre-tokenizer feeds the model (BPE then works
/// on raw bytes, see `BPEModel`).
func makeModel(_ json: JSONObject, path: String, byteLevel: Bool) throws -> any TokenizerModel {
    if let type = json["type"], type != .null {
        guard case let .string(name) = type else {
            throw TokenizerError.invalidField(path: "\(path).type", reason: "expected a string")
        }
        guard let build = modelBuilders.first(where: { $0.name == name }) else {
            throw TokenizerError.unsupportedComponent(path: path, type: name)
        }
        return try build.make(json, path, byteLevel)
    }
    var reasons: [String] = []
    for builder in modelBuilders {
        do {
            // serde's untagged BPE needs `merges` present; lmshard's BPE
            // accepts a file without (no merges), so check it here.
            if builder.name == "BPE" && json["merges"] == nil {
                throw TokenizerError.invalidField(path: "\(path).merges", reason: "missing array")
            }
            return try builder.make(json, path, byteLevel)
        } catch let error as TokenizerError {
            reasons.append("as \(builder.name): \(error)")
        }
    }
    throw TokenizerError.invalidField(
        path: path, reason: "no \"type\", and it loads as no model HF infers (\(reasons.joined(separator: "; ")))")
}

/// The models in HF's inference order.
private let modelBuilders: [(name: String, make: @Sendable (JSONObject, String, Bool) throws -> any TokenizerModel)] = [
    ("BPE", { json, path, byteLevel in try BPEModel(json: json, path: path, byteLevel: byteLevel) }),
    ("WordPiece", { json, path, _ in try WordPieceModel(json: json, path: path) }),
    ("WordLevel", { json, path, _ in try WordLevelModel(json: json, path: path) }),
    ("Unigram", { json, path, _ in try UnigramModel(json: json, path: path) }),
]
