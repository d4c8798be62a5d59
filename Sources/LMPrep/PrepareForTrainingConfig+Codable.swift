/// Decoding with field-named errors and unknown-key rejection that do not
/// depend on which `Decoder` is used (Foundation's, or LMJSON's).
extension PrepareForTrainingConfig: Codable {
    /// Accepts any key so unknown ones can be reported by name.
    struct Key: CodingKey {
        let stringValue: String
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    static let knownKeys: Set<String> = [
        "type", "processing_strategy", "packing_strategy", "tokenizer_name", "seq_len", "pad_token_id", "fim_kwargs",
        "num_reduce_chunks", "content_field", "prefix_field", "middle_field", "suffix_field",
    ]
    static let knownFIMKeys: Set<String> = ["fim_format", "only_middle_not_masked"]

    /// Decodes and validates.
    ///
    /// - Throws: `PrepError.invalidConfig` naming the field (`fim_kwargs.fim_format`
    ///   for nested ones) that is unknown, missing, mistyped or out of range.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        if let unknown = c.allKeys.map(\.stringValue).filter({ !Self.knownKeys.contains($0) }).sorted().first {
            throw PrepError.invalidConfig(field: unknown, reason: "unknown key")
        }
        if let type = try Self.optional(String.self, c, "type"), type != Self.typeName {
            throw PrepError.invalidConfig(field: "type", reason: "must be \"\(Self.typeName)\", got \"\(type)\"")
        }
        let processing = try Self.required(String.self, c, "processing_strategy")
        guard let strategy = Strategy(rawValue: processing) else {
            throw PrepError.invalidConfig(
                field: "processing_strategy", reason: "must be one of pretrain, fim, sft; got \"\(processing)\"")
        }
        let packing = try Self.required(String.self, c, "packing_strategy")
        guard let packingStrategy = PackingStrategy(rawValue: packing) else {
            throw PrepError.invalidConfig(
                field: "packing_strategy", reason: "must be one of dense, no_incomplete; got \"\(packing)\"")
        }
        let padTokenId = try Self.optional(Int64.self, c, "pad_token_id")
        if let pad = padTokenId, UInt32(exactly: pad) == nil {
            throw PrepError.invalidConfig(field: "pad_token_id", reason: "must be a token id in 0...\(UInt32.max), got \(pad)")
        }
        var fim = FIMOptions()
        if c.contains(Key("fim_kwargs")) {
            let f = try Self.wrap("fim_kwargs") { try c.nestedContainer(keyedBy: Key.self, forKey: Key("fim_kwargs")) }
            if let unknown = f.allKeys.map(\.stringValue).filter({ !Self.knownFIMKeys.contains($0) }).sorted().first {
                throw PrepError.invalidConfig(field: "fim_kwargs.\(unknown)", reason: "unknown key")
            }
            if let format = try Self.optional(String.self, f, "fim_format", prefix: "fim_kwargs.") {
                guard let parsed = FIMFormat(rawValue: format) else {
                    throw PrepError.invalidConfig(
                        field: "fim_kwargs.fim_format", reason: "must be one of spm, psm; got \"\(format)\"")
                }
                fim.format = parsed
            }
            if let only = try Self.optional(Bool.self, f, "only_middle_not_masked", prefix: "fim_kwargs.") {
                fim.onlyMiddleNotMasked = only
            }
        }
        let defaults = InputFields()
        try self.init(
            processingStrategy: strategy,
            packingStrategy: packingStrategy,
            tokenizerName: Self.required(String.self, c, "tokenizer_name"),
            seqLen: Self.required(Int.self, c, "seq_len"),
            padTokenId: padTokenId.map { UInt32($0) },
            fimOptions: fim,
            numReduceChunks: Self.required(Int.self, c, "num_reduce_chunks"),
            fields: InputFields(
                content: Self.optional(String.self, c, "content_field") ?? defaults.content,
                prefix: Self.optional(String.self, c, "prefix_field") ?? defaults.prefix,
                middle: Self.optional(String.self, c, "middle_field") ?? defaults.middle,
                suffix: Self.optional(String.self, c, "suffix_field") ?? defaults.suffix))
    }

    /// Encodes with the notebook's key names; default field names are omitted.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(Self.typeName, forKey: Key("type"))
        try c.encode(processingStrategy.rawValue, forKey: Key("processing_strategy"))
        try c.encode(packingStrategy.rawValue, forKey: Key("packing_strategy"))
        try c.encode(tokenizerName, forKey: Key("tokenizer_name"))
        try c.encode(seqLen, forKey: Key("seq_len"))
        try c.encodeIfPresent(padTokenId, forKey: Key("pad_token_id"))
        var f = c.nestedContainer(keyedBy: Key.self, forKey: Key("fim_kwargs"))
        try f.encode(fimOptions.format.rawValue, forKey: Key("fim_format"))
        try f.encode(fimOptions.onlyMiddleNotMasked, forKey: Key("only_middle_not_masked"))
        try c.encode(numReduceChunks, forKey: Key("num_reduce_chunks"))
        let defaults = InputFields()
        for (name, value, def) in [
            ("content_field", fields.content, defaults.content), ("prefix_field", fields.prefix, defaults.prefix),
            ("middle_field", fields.middle, defaults.middle), ("suffix_field", fields.suffix, defaults.suffix),
        ] where value != def {
            try c.encode(value, forKey: Key(name))
        }
    }

    private static func wrap<T>(_ field: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PrepError {
            throw error
        } catch DecodingError.keyNotFound {
            throw PrepError.invalidConfig(field: field, reason: "is required")
        } catch DecodingError.valueNotFound {
            throw PrepError.invalidConfig(field: field, reason: "must not be null")
        } catch DecodingError.typeMismatch(let type, _) {
            throw PrepError.invalidConfig(field: field, reason: "must be \(typeDescription(type))")
        } catch DecodingError.dataCorrupted(let context) {
            throw PrepError.invalidConfig(field: field, reason: context.debugDescription)
        }
    }

    private static func required<T: Decodable>(
        _ type: T.Type, _ c: KeyedDecodingContainer<Key>, _ key: String, prefix: String = ""
    ) throws -> T {
        guard c.contains(Key(key)) else { throw PrepError.invalidConfig(field: prefix + key, reason: "is required") }
        return try wrap(prefix + key) { try c.decode(T.self, forKey: Key(key)) }
    }

    private static func optional<T: Decodable>(
        _ type: T.Type, _ c: KeyedDecodingContainer<Key>, _ key: String, prefix: String = ""
    ) throws -> T? {
        // `null` means "not set", as `int | None = None` does in the notebook.
        guard c.contains(Key(key)), try !c.decodeNil(forKey: Key(key)) else { return nil }
        return try wrap(prefix + key) { try c.decode(T.self, forKey: Key(key)) }
    }

    private static func typeDescription(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Int64.Type: return "an integer"
        default: return "an object"
        }
    }
}
