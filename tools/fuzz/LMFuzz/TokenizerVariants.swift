import LMJSON

/// Other pipeline stages to put into a seed `tokenizer.json`, so a few seed
/// files reach every normalizer, pre-tokenizer, decoder and post-processor
/// lmshard implements (the configurations HF writes for them).
enum TokenizerVariants {
    static func parse(_ text: String) -> JSONValue {
        // The literals below are valid JSON; a typo is a programming error.
        guard let v = try? JSONParser.parse(text) else { preconditionFailure("bad variant literal: \(text)") }
        return v
    }

    static let normalizers: [String] = [
        #"null"#, #"{"type": "NFC"}"#, #"{"type": "NFKD"}"#, #"{"type": "Lowercase"}"#,
        #"{"type": "Sequence", "normalizers": [{"type": "NFD"}, {"type": "StripAccents"}, {"type": "Lowercase"}]}"#,
        #"{"type": "Replace", "pattern": {"String": " "}, "content": "▁"}"#,
        #"{"type": "Replace", "pattern": {"Regex": "\\s+"}, "content": " "}"#,
        #"{"type": "Prepend", "prepend": "▁"}"#, #"{"type": "Strip", "strip_left": true, "strip_right": false}"#,
    ]
    static let preTokenizers: [String] = [
        #"{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true}"#,
        #"{"type": "Split", "pattern": {"Regex": "\\s+|[A-Za-z]+|\\d{1,3}"}, "behavior": "Isolated", "invert": false}"#,
        #"{"type": "Split", "pattern": {"String": " "}, "behavior": "MergedWithPrevious", "invert": false}"#,
        #"{"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": true}, {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}]}"#,
        #"{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true}"#,
        #"{"type": "Whitespace"}"#, #"{"type": "WhitespaceSplit"}"#, #"{"type": "BertPreTokenizer"}"#,
        #"{"type": "Punctuation", "behavior": "Isolated"}"#, #"{"type": "CharDelimiterSplit", "delimiter": "_"}"#,
    ]
    static let decoders: [String] = [
        #"{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true}"#,
        #"{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true}"#,
        #"{"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}"#,
        ###"{"type": "WordPiece", "prefix": "##", "cleanup": true}"###, #"{"type": "BPEDecoder", "suffix": "</w>"}"#,
    ]
    static let postProcessors: [String] = [
        #"null"#, #"{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true}"#,
        #"{"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}], "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}], "special_tokens": {"<|endoftext|>": {"id": "<|endoftext|>", "ids": [0], "tokens": ["<|endoftext|>"]}}}"#,
        #"{"type": "RobertaProcessing", "sep": ["<|endoftext|>", 0], "cls": ["<|endoftext|>", 0], "trim_offsets": true, "add_prefix_space": false}"#,
    ]

    /// Replaces one stage of the tokenizer in `bytes` with a variant; nil
    /// when `bytes` is not a JSON object.
    static func swapComponent(_ bytes: [UInt8], rng: inout FuzzRandom) -> ([UInt8], String)? {
        guard case var .object(root)? = try? JSONParser.parse(bytes) else { return nil }
        let (key, options) = rng.pick([("normalizer", normalizers), ("pre_tokenizer", preTokenizers),
                                       ("decoder", decoders), ("post_processor", postProcessors)])
        let text = rng.pick(options)
        let value = parse(text)
        if let i = root.entries.firstIndex(where: { $0.key == key }) {
            root.entries[i].value = value
        } else {
            root.entries.append((key: key, value: value))
        }
        return (JSONValue.object(root).serializedBytes(), "\(key) = \(text.prefix(60))")
    }
}
