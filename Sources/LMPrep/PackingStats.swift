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

    /// One line for a CLI report, e.g. `4 examples (23 tokens) -> 2 sequences:
    /// 16 real + 0 pad tokens (fill 100.0%, kept 69.6%); dropped: 7 trailing
    /// tokens, 0 too-long examples (0 tokens); 1 example split`.
    public var summary: String {
        func percent(_ x: Double) -> String {
            let tenths = Int((x * 1000).rounded())
            return "\(tenths / 10).\(tenths % 10)%"
        }
        return "\(documentsIn) examples (\(tokensIn) tokens) -> \(sequencesOut) sequences: "
            + "\(realTokensOut) real + \(padTokensOut) pad tokens (fill \(percent(fillRatio)), kept \(percent(keptTokenRatio))); "
            + "dropped: \(trailingTokensDropped) trailing tokens, \(droppedTooLongExamples) too-long examples "
            + "(\(droppedTooLongTokens) tokens); \(splitExamples) \(splitExamples == 1 ? "example" : "examples") split"
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
