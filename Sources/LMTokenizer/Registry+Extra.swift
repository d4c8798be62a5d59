import LMJSON

/// Normalizers, the simpler pre-tokenizers, post-processors and decoders,
/// keyed by the `"type"` HF writes in `tokenizer.json`.

/// Builds the components listed under `key` (a Sequence's children), naming
/// each by its index in errors.
private func children<C>(
    _ json: JSONObject, _ path: String, key: String, kind: String, factories: [String: ComponentFactory<C>]
) throws -> [C] {
    try ComponentFields(json, path: path).array(key).enumerated().map { i, child in
        try makeComponent(child, path: "\(path).\(key)[\(i)]", kind: kind, factories: factories)
    }
}

let extraPreTokenizers: [String: ComponentFactory<any PreTokenizer>] = [
    "Digits": { json, path in
        DigitsPreTokenizer(individualDigits: try ComponentFields(json, path: path).bool("individual_digits", default: false))
    },
    "Metaspace": { json, path in try MetaspacePreTokenizer(json, path: path) },
    "Whitespace": { _, _ in WhitespacePreTokenizer() },
    "WhitespaceSplit": { _, _ in WhitespaceSplitPreTokenizer() },
    "BertPreTokenizer": { _, _ in BertPreTokenizer() },
    "Punctuation": { json, path in
        let fields = ComponentFields(json, path: path)
        let name = try fields.optionalString("behavior") ?? "Isolated"
        guard let behavior = DelimiterBehavior(rawValue: name) else {
            throw fields.invalid("behavior", "unknown split behavior \(name)")
        }
        return PunctuationPreTokenizer(behavior: behavior)
    },
]

let normalizerFactories: [String: ComponentFactory<any Normalizer>] = [
    "NFC": { _, _ in UnicodeNormalizer(.nfc) },
    "NFD": { _, _ in UnicodeNormalizer(.nfd) },
    "NFKC": { _, _ in UnicodeNormalizer(.nfkc) },
    "NFKD": { _, _ in UnicodeNormalizer(.nfkd) },
    "Lowercase": { _, _ in LowercaseNormalizer() },
    "StripAccents": { _, _ in StripAccentsNormalizer() },
    "Replace": { json, path in try ReplaceNormalizer(json, path: path) },
    "Prepend": { json, path in PrependNormalizer(prepend: try ComponentFields(json, path: path).string("prepend")) },
    "Strip": { json, path in
        let fields = ComponentFields(json, path: path)
        return StripNormalizer(
            left: try fields.bool("strip_left", default: true), right: try fields.bool("strip_right", default: true))
    },
    "Sequence": { json, path in
        NormalizerSequence(
            try children(json, path, key: "normalizers", kind: "normalizer", factories: normalizerFactories))
    },
]

let postProcessorFactories: [String: ComponentFactory<any PostProcessor>] = [
    "TemplateProcessing": { json, path in try TemplateProcessor(json, path: path) },
    "BertProcessing": { json, path in try BertRobertaProcessor(json, path: path, doubleSeparator: false) },
    "RobertaProcessing": { json, path in try BertRobertaProcessor(json, path: path, doubleSeparator: true) },
    "ByteLevel": { _, _ in ByteLevelPostProcessor() },
    "Sequence": { json, path in
        PostProcessorSequence(
            try children(json, path, key: "processors", kind: "post-processor", factories: postProcessorFactories))
    },
]

let decoderFactories: [String: ComponentFactory<any TokenDecoder>] = [
    "ByteLevel": { _, _ in ByteLevelDecoder() },
    "ByteFallback": { _, _ in ByteFallbackDecoder() },
    "Fuse": { _, _ in FuseDecoder() },
    "Strip": { json, path in
        let fields = ComponentFields(json, path: path)
        return StripDecoder(
            content: Character(try fields.scalar("content")),
            start: try fields.int("start", default: 0), stop: try fields.int("stop", default: 0))
    },
    "Replace": { json, path in try ReplaceDecoder(json, path: path) },
    "Metaspace": { json, path in
        let pre = try MetaspacePreTokenizer(json, path: path)
        return MetaspaceDecoder(replacement: pre.replacement, prependScheme: pre.prependScheme)
    },
    "WordPiece": { json, path in
        let fields = ComponentFields(json, path: path)
        return WordPieceDecoder(
            prefix: try fields.optionalString("prefix") ?? "##", cleanup: try fields.bool("cleanup", default: true))
    },
    "BPEDecoder": { json, path in
        BPEWordDecoder(suffix: try ComponentFields(json, path: path).optionalString("suffix") ?? "</w>")
    },
    "Sequence": { json, path in
        DecoderSequence(try children(json, path, key: "decoders", kind: "decoder", factories: decoderFactories))
    },
]
