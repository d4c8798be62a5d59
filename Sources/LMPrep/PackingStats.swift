/// Counters a packer keeps so the CLI can report packing efficiency.
///
/// For a dense packer `tokensIn == realTokensOut + trailingTokensDropped`;
/// for a no-incomplete packer
/// `tokensIn == realTokensOut + droppedTooLongTokens` and
/// `sequencesOut * seqLen == realTokensOut + padTokensOut`.
/// Stats of several reduce groups add up with `+=`.
public struct PackingStats: Hashable, Sendable, Codable {
    /// Examples given to `add`.
    public var documentsIn = 0
    /// Tokens in those examples.
    public var tokensIn = 0
    /// Packed sequences emitted.
    public var sequencesOut = 0
    /// Tokens of examples in the emitted sequences (not padding).
    public var realTokensOut = 0
    /// Padding tokens in the emitted sequences (no-incomplete packing).
    public var padTokensOut = 0
    /// Examples longer than `seqLen`, dropped whole (no-incomplete packing).
    public var droppedTooLongExamples = 0
    /// Tokens of those examples.
    public var droppedTooLongTokens = 0
    /// Tokens left over after the last full sequence, dropped (dense packing).
    public var trailingTokensDropped = 0
    /// Examples cut by at least one sequence boundary (dense packing): their
    /// tokens start in one sequence and continue in the next.
    public var splitExamples = 0

    /// All zeros.
    public init() {}

    /// Fraction of emitted token slots holding real tokens (1 for dense
    /// packing); 1 when nothing was emitted.
    public var fillRatio: Double {
        let slots = realTokensOut + padTokensOut
        return slots == 0 ? 1 : Double(realTokensOut) / Double(slots)
    }

    /// Fraction of input tokens that reached the output; 1 for no input.
    public var keptTokenRatio: Double {
        tokensIn == 0 ? 1 : Double(realTokensOut) / Double(tokensIn)
    }

    /// Adds every counter of `other` into `stats`.
    public static func += (stats: inout PackingStats, other: PackingStats) {
        stats.documentsIn += other.documentsIn
        stats.tokensIn += other.tokensIn
        stats.sequencesOut += other.sequencesOut
        stats.realTokensOut += other.realTokensOut
        stats.padTokensOut += other.padTokensOut
        stats.droppedTooLongExamples += other.droppedTooLongExamples
        stats.droppedTooLongTokens += other.droppedTooLongTokens
        stats.trailingTokensDropped += other.trailingTokensDropped
        stats.splitExamples += other.splitExamples
    }

    /// Coding keys in the snake_case the notebook's configs use.
    enum CodingKeys: String, CodingKey {
        case documentsIn = "documents_in"
        case tokensIn = "tokens_in"
        case sequencesOut = "sequences_out"
        case realTokensOut = "real_tokens_out"
        case padTokensOut = "pad_tokens_out"
        case droppedTooLongExamples = "dropped_too_long_examples"
        case droppedTooLongTokens = "dropped_too_long_tokens"
        case trailingTokensDropped = "trailing_tokens_dropped"
        case splitExamples = "split_examples"
    }
}
