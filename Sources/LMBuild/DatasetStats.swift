/// What `lmshard inspect` and the build summary report about packed data,
/// accumulated in one pass over the sequences.
///
/// Padding is recognised the way `no_incomplete` writes it: a trailing run of
/// `padTokenId` at position 0 with no loss. Documents are the segments that
/// start at each position 0 (the same rule the attention mask uses).
public struct DatasetStats: Sendable {
    public let padTokenId: UInt32?
    public private(set) var sequences = 0
    public private(set) var tokens = 0
    public private(set) var padTokens = 0
    public private(set) var lossTokens = 0
    /// Non-padding length of each sequence -> how many sequences have it.
    public private(set) var sequenceLengths: [Int: Int] = [:]
    /// Length of each packed document (segment) -> count.
    public private(set) var documentLengths: [Int: Int] = [:]
    /// Occurrences of each token id (padding excluded); grows to the largest id seen.
    public private(set) var tokenCounts: [Int] = []

    public init(padTokenId: UInt32?, vocabSize: Int = 0) {
        self.padTokenId = padTokenId
        tokenCounts = [Int](repeating: 0, count: max(0, vocabSize))
    }

    /// O(n) in the sequence length.
    public mutating func add<T: RandomAccessCollection, P: RandomAccessCollection, M: RandomAccessCollection>(
        tokens: T, positions: P, lossMask: M
    ) where T.Element == UInt32, P.Element == UInt32, M.Element == Bool, T.Index == Int, P.Index == Int, M.Index == Int {
        let n = tokens.count
        var end = n
        if let pad = padTokenId {
            while end > 1, tokens[tokens.startIndex + end - 1] == pad, positions[positions.startIndex + end - 1] == 0,
                  !lossMask[lossMask.startIndex + end - 1] {
                end -= 1
            }
        }
        sequences += 1
        self.tokens += n
        padTokens += n - end
        sequenceLengths[end, default: 0] += 1
        var segmentStart = 0
        for i in 0..<end {
            let t = Int(tokens[tokens.startIndex + i])
            if t >= tokenCounts.count { tokenCounts += [Int](repeating: 0, count: t + 1 - tokenCounts.count) }
            tokenCounts[t] += 1
            if lossMask[lossMask.startIndex + i] { lossTokens += 1 }
            if i > 0 && positions[positions.startIndex + i] == 0 {
                documentLengths[i - segmentStart, default: 0] += 1
                segmentStart = i
            }
        }
        if end > 0 { documentLengths[end - segmentStart, default: 0] += 1 }
    }

    public var documents: Int { documentLengths.values.reduce(0, +) }

    /// Real tokens / all tokens.
    public var packingEfficiency: Double { tokens == 0 ? 0 : Double(tokens - padTokens) / Double(tokens) }
    public var padFraction: Double { tokens == 0 ? 0 : Double(padTokens) / Double(tokens) }
    public var lossFraction: Double { tokens == 0 ? 0 : Double(lossTokens) / Double(tokens) }

    /// The `n` most frequent ids, most frequent first, ties by id.
    public func topTokens(_ n: Int) -> [(id: UInt32, count: Int)] {
        tokenCounts.enumerated().filter { $0.element > 0 }
            .sorted { $0.element != $1.element ? $0.element > $1.element : $0.offset < $1.offset }
            .prefix(n).map { (UInt32($0.offset), $0.element) }
    }
}
