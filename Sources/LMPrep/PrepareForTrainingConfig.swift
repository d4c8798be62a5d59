/// The notebook's `PrepareForTrainingTransformConfig`, as JSON:
///
/// ```json
/// {"type": "prepare_for_training", "processing_strategy": "pretrain",
///  "packing_strategy": "dense", "tokenizer_name": "JetBrains/Mellum-4b-base",
///  "seq_len": 8, "num_reduce_chunks": 2}
/// ```
///
/// Optional keys: `pad_token_id` (defaults to the tokenizer's EOS), `fim_kwargs`
/// (`{"fim_format": "spm"|"psm", "only_middle_not_masked": false}`), and
/// lmshard's own `content_field`, `prefix_field`, `middle_field`,
/// `suffix_field` to read differently named input columns. Unknown keys are
/// rejected (a misspelt `seq_len` must not silently fall back to anything),
/// and every value is range-checked; errors are `PrepError.invalidConfig`
/// naming the field, whatever decoder is used.
public struct PrepareForTrainingConfig: Hashable, Sendable {
    /// The `type` discriminator this config is registered under.
    public static let typeName = "prepare_for_training"

    /// The notebook's `ProcessingStrategy` literal.
    public enum Strategy: String, Hashable, Sendable, Codable, CaseIterable {
        /// `pretrain_processing`.
        case pretrain
        /// `fim_processing` with `fim_kwargs`.
        case fim
        /// `sft_processing`.
        case sft
    }

    /// Which `*_processing` function to apply.
    public var processingStrategy: Strategy
    /// How to pack a reduce group.
    public var packingStrategy: PackingStrategy
    /// Tokenizer to load: a hub id or a path to `tokenizer.json` or its folder.
    public var tokenizerName: String
    /// Length of every packed sequence (at least 2).
    public var seqLen: Int
    /// Padding id for no-incomplete packing; `nil` means the tokenizer's EOS.
    public var padTokenId: UInt32?
    /// `fim_kwargs`; only read by the `fim` strategy.
    public var fimOptions: FIMOptions
    /// Number of reduce groups (at least 1).
    public var numReduceChunks: Int
    /// Input column names.
    public var fields: InputFields

    /// A validated config.
    ///
    /// - Throws: `PrepError.invalidConfig` naming the first field out of range.
    public init(
        processingStrategy: Strategy, packingStrategy: PackingStrategy, tokenizerName: String, seqLen: Int,
        padTokenId: UInt32? = nil, fimOptions: FIMOptions = FIMOptions(), numReduceChunks: Int,
        fields: InputFields = InputFields()
    ) throws {
        self.processingStrategy = processingStrategy
        self.packingStrategy = packingStrategy
        self.tokenizerName = tokenizerName
        self.seqLen = seqLen
        self.padTokenId = padTokenId
        self.fimOptions = fimOptions
        self.numReduceChunks = numReduceChunks
        self.fields = fields
        try validate()
    }

    /// The processing strategy with its options.
    public var strategy: ProcessingStrategy {
        switch processingStrategy {
        case .pretrain: return .pretrain
        case .fim: return .fim(fimOptions)
        case .sft: return .sft
        }
    }

    /// The longest packed sequence: 16M tokens (2^24). A packer holds one
    /// sequence in memory, so an absurd value must be refused before it is
    /// allocated (2^40 aborted the process).
    public static let maximumSeqLen = 1 << 24
    /// The most reduce groups: each non-empty one is a shard, and shard
    /// names have five digits.
    public static let maximumReduceChunks = 1 << 16

    /// Checks ranges the types cannot express.
    ///
    /// `seq_len >= 2` because a 1-token sequence has no next token to predict.
    ///
    /// - Throws: `PrepError.invalidConfig` naming the field.
    public func validate() throws {
        guard seqLen >= 2 else {
            throw PrepError.invalidConfig(field: "seq_len", reason: "must be at least 2, got \(seqLen)")
        }
        guard seqLen <= Self.maximumSeqLen else {
            throw PrepError.invalidConfig(field: "seq_len", reason: "must be at most \(Self.maximumSeqLen), got \(seqLen)")
        }
        guard numReduceChunks >= 1 else {
            throw PrepError.invalidConfig(field: "num_reduce_chunks", reason: "must be at least 1, got \(numReduceChunks)")
        }
        guard numReduceChunks <= Self.maximumReduceChunks else {
            throw PrepError.invalidConfig(
                field: "num_reduce_chunks", reason: "must be at most \(Self.maximumReduceChunks), got \(numReduceChunks)")
        }
        guard !tokenizerName.isEmpty else {
            throw PrepError.invalidConfig(field: "tokenizer_name", reason: "must not be empty")
        }
        for (name, value) in [
            ("content_field", fields.content), ("prefix_field", fields.prefix), ("middle_field", fields.middle),
            ("suffix_field", fields.suffix),
        ] where value.isEmpty {
            throw PrepError.invalidConfig(field: name, reason: "must not be empty")
        }
    }
}
