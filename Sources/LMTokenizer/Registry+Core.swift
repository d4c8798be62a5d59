import LMJSON

/// Components implemented in the tokenizer core (model, ByteLevel, Split, Sequence).
let corePreTokenizers: [String: ComponentFactory<any PreTokenizer>] = [
    "ByteLevel": { json, path in try ByteLevelPreTokenizer(json: json, path: path) },
    "Split": { json, path in try SplitPreTokenizer(json: json, path: path) },
    "Sequence": { json, path in
        guard case let .array(children)? = json["pretokenizers"] else {
            throw TokenizerError.invalidField(path: "\(path).pretokenizers", reason: "expected an array")
        }
        let stages = try children.enumerated().map { i, child in
            try makePreTokenizer(child, path: "\(path).pretokenizers[\(i)]")
        }
        return SequencePreTokenizer(stages: stages)
    },
]

/// Builds a pre-tokenizer from either factory table (core first).
func makePreTokenizer(_ json: JSONValue, path: String) throws -> any PreTokenizer {
    try makeComponent(json, path: path, kind: "pre-tokenizer",
                      factories: corePreTokenizers.merging(extraPreTokenizers) { core, _ in core })
}
