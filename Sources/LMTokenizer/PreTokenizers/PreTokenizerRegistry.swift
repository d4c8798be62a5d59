import LMJSON

/// The pre-tokenizers, keyed by the `"type"` HF writes in `tokenizer.json`.
let preTokenizerFactories: [String: ComponentFactory<any PreTokenizer>] = [
    "ByteLevel": { json, path in try ByteLevelPreTokenizer(json: json, path: path) },
    "Split": { json, path in try SplitPreTokenizer(json: json, path: path) },
    "Sequence": { json, path in
        guard case let .array(children)? = json["pretokenizers"] else {
            throw TokenizerError.invalidField(path: "\(path).pretokenizers", reason: "expected an array")
        }
        let stages = try children.enumerated().map { i, child in
            try makePreTokenizer(child, path: "\(path).pretokenizers[\(i)]")
        }
        return try SequencePreTokenizer.validated(stages: stages, path: path)
    },
    "Digits": { json, path in
        DigitsPreTokenizer(individualDigits: try ComponentFields(json, path: path).bool("individual_digits", default: false))
    },
    "Metaspace": { json, path in try MetaspacePreTokenizer(json, path: path) },
    "Whitespace": { _, _ in WhitespacePreTokenizer() },
    "WhitespaceSplit": { _, _ in WhitespaceSplitPreTokenizer() },
    "BertPreTokenizer": { _, _ in BertPreTokenizer() },
    "CharDelimiterSplit": { json, path in
        CharDelimiterSplitPreTokenizer(delimiter: try ComponentFields(json, path: path).scalar("delimiter"))
    },
    "UnicodeScripts": { _, _ in UnicodeScriptsPreTokenizer() },
    "FixedLength": { json, path in try FixedLengthPreTokenizer(json, path: path) },
    "Punctuation": { json, path in
        let fields = ComponentFields(json, path: path)
        let name = try fields.optionalString("behavior") ?? "Isolated"
        guard let behavior = DelimiterBehavior(rawValue: name) else {
            throw fields.invalid("behavior", "unknown split behavior \(name)")
        }
        return PunctuationPreTokenizer(behavior: behavior)
    },
]

/// Builds a pre-tokenizer from its JSON object.
func makePreTokenizer(_ json: JSONValue, path: String) throws -> any PreTokenizer {
    try makeComponent(json, path: path, kind: "pre-tokenizer",
                      factories: preTokenizerFactories)
}
