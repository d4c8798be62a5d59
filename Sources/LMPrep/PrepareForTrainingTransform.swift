import LMJSON
import MapReduce

/// The notebook's `PrepareForTrainingTransform`: map tokenizes each row with
/// the processing strategy and keys it by
/// `array_hash(input_ids) % num_reduce_chunks`; reduce packs each group's
/// examples, in input order, with the packing strategy.
///
/// Under a runner that orders groups by key and values by input (as the
/// MapReduce runners do), the output equals the notebook's `run`: groups
/// `0, 1, ...`, each group's sequences in packing order.
public struct PrepareForTrainingTransform: MapReduceTransform {
    /// A JSON object row (`content`, or `prefix`/`middle`/`suffix`).
    public typealias Input = JSONValue
    /// The reduce group.
    public typealias Key = ReduceChunkKey
    /// One tokenized example.
    public typealias Value = TokenizedRow
    /// One packed sequence of `seq_len` tokens.
    public typealias Output = TokenizedRow

    /// The validated config.
    public let config: PrepareForTrainingConfig
    /// The id written into padding (config's `pad_token_id`, else EOS).
    public let padTokenId: UInt32
    /// Where each reduce group's packing counters are added, if anywhere.
    public let stats: PackingStatsAccumulator?
    private let processor: any RowProcessor

    /// Builds the transform over an already loaded tokenizer.
    ///
    /// - Throws: `PrepError.missingSpecialToken` when the tokenizer lacks a
    ///   token the strategy needs, `.missingEOSToken` when it has no EOS (and
    ///   no `pad_token_id` is set), `.invalidConfig` for an invalid config.
    public init(config: PrepareForTrainingConfig, encoder: any TextEncoder, stats: PackingStatsAccumulator? = nil) throws {
        try config.validate()
        self.config = config
        self.stats = stats
        processor = try config.strategy.makeProcessor(encoder: encoder, fields: config.fields)
        if let pad = config.padTokenId {
            padTokenId = pad
        } else {
            padTokenId = try encoder.requireEOS()
        }
    }

    /// Tokenizes `row` and emits it under its reduce group.
    ///
    /// - Throws: `PrepError` for a malformed row (missing or mistyped field,
    ///   bad conversation turn).
    public func map(_ row: JSONValue, emit: (ReduceChunkKey, TokenizedRow) throws -> Void) throws {
        let example = try processor.process(row)
        try emit(ReduceChunkKey(reduceChunk(of: example.inputIds, count: config.numReduceChunks)), example)
    }

    /// Packs the group's examples as they stream in.
    public func reduce<S: ValueStream>(
        key: ReduceChunkKey, values: inout S, emit: (TokenizedRow) throws -> Void
    ) throws where S.Element == TokenizedRow {
        let groupStats = try Self.pack(&values, config: config, padTokenId: padTokenId, emit: emit)
        stats?.add(groupStats)
    }

    /// Packs one group's examples, in the order they stream in, with the
    /// config's packing strategy, and returns the group's counters: the
    /// reduce step without a tokenizer, for a distributed reducer that has
    /// only the group's tokenized rows.
    public static func pack<S: ValueStream>(
        _ values: inout S, config: PrepareForTrainingConfig, padTokenId: UInt32, emit: (TokenizedRow) throws -> Void
    ) throws -> PackingStats where S.Element == TokenizedRow {
        switch config.packingStrategy {
        case .dense:
            var packer = DensePacker(seqLen: config.seqLen)
            return try pack(&packer, &values, emit)
        case .noIncomplete:
            var packer = NoIncompletePacker(seqLen: config.seqLen, padTokenId: padTokenId)
            return try pack(&packer, &values, emit)
        }
    }

    /// Generic over the packer so each strategy's `add` is called directly
    /// (an enum wrapper would copy the packer's buffers on every mutation).
    private static func pack<P: SequencePacker, S: ValueStream>(
        _ packer: inout P, _ values: inout S, _ emit: (TokenizedRow) throws -> Void
    ) throws -> PackingStats where S.Element == TokenizedRow {
        while let example = try values.next() {
            try packer.add(example, emit: emit)
        }
        try packer.finish(emit: emit)
        return packer.stats
    }
}
