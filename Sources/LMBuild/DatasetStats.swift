/// What `lmshard inspect` and the build summary report about packed data,
/// accumulated in one pass over the sequences.
///
/// Padding is recognised the way `no_incomplete` writes it: a trailing run of
/// `padTokenId` at position 0 with no loss. Documents are the segments that
/// start at each position 0 (the same rule the attention mask uses).
///
/// Memory is bounded whatever the data says: token counts live in a dense
/// array for ids below `min(vocabSize, denseLimit)` and in a dictionary for
/// the rest of the vocabulary (as large as the distinct ids seen, at most
/// the token count); ids outside the vocabulary are counted as damage, not
/// stored. (A dense array sized by the largest id seen allocated 16 GiB for
/// one damaged int32 id, or for a manifest `vocab_size` of 2^31 - 1.)
public struct DatasetStats: Sendable {
    /// Ids below this (and below `vocabSize`) are counted in a flat array:
    /// 8 MiB, enough for every vocabulary in common use (the largest are
    /// ~256k ids).
    public static let denseLimit = 1 << 20

    public let padTokenId: UInt32?
    /// Ids are valid below this; 0 means unknown (every id is counted).
    public let vocabSize: Int
    public private(set) var sequences = 0
    public private(set) var tokens = 0
    public private(set) var padTokens = 0
    public private(set) var lossTokens = 0
    /// Non-padding length of each sequence -> how many sequences have it.
    public private(set) var sequenceLengths: [Int: Int] = [:]
    /// Length of each packed document (segment) -> count.
    public private(set) var documentLengths: [Int: Int] = [:]
    /// Tokens (outside padding) whose id is not below `vocabSize`.
    public private(set) var outOfVocabulary = 0
    /// The first of them: its id as stored (an int32 id -1 reads as
    /// 4294967295) and the index of its sequence.
    public private(set) var firstOutOfVocabulary: (id: UInt32, sequence: Int)?
    /// Occurrences of ids below `denseCount` (padding excluded).
    private var dense: [Int]
    /// Occurrences of the other valid ids.
    private var sparse: [UInt32: Int] = [:]

    public init(padTokenId: UInt32?, vocabSize: Int = 0) {
        self.padTokenId = padTokenId
        self.vocabSize = max(0, vocabSize)
        dense = [Int](repeating: 0, count: min(vocabSize > 0 ? vocabSize : Self.denseLimit, Self.denseLimit))
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
            let t = tokens[tokens.startIndex + i]
            if Int(t) < dense.count {
                dense[Int(t)] += 1
            } else if vocabSize == 0 || Int(t) < vocabSize {
                sparse[t, default: 0] += 1
            } else {
                noteOutOfVocabulary(t)
            }
            if lossMask[lossMask.startIndex + i] { lossTokens += 1 }
            if i > 0 && positions[positions.startIndex + i] == 0 {
                documentLengths[i - segmentStart, default: 0] += 1
                segmentStart = i
            }
        }
        if end > 0 { documentLengths[end - segmentStart, default: 0] += 1 }
    }

    private mutating func noteOutOfVocabulary(_ id: UInt32) {
        // `add` counts the sequence before scanning it.
        if firstOutOfVocabulary == nil { firstOutOfVocabulary = (id, sequences - 1) }
        outOfVocabulary += 1
    }

    public var documents: Int { documentLengths.values.reduce(0, +) }

    /// Real tokens / all tokens.
    public var packingEfficiency: Double { tokens == 0 ? 0 : Double(tokens - padTokens) / Double(tokens) }
    public var padFraction: Double { tokens == 0 ? 0 : Double(padTokens) / Double(tokens) }
    public var lossFraction: Double { tokens == 0 ? 0 : Double(lossTokens) / Double(tokens) }

    /// How many times `id` occurs outside padding (0 for ids outside the vocabulary).
    public func count(of id: UInt32) -> Int {
        Int(id) < dense.count ? dense[Int(id)] : sparse[id] ?? 0
    }

    /// The `n` most frequent valid ids, most frequent first, ties by id.
    public func topTokens(_ n: Int) -> [(id: UInt32, count: Int)] {
        var all = dense.enumerated().lazy.filter { $0.element > 0 }.map { (id: UInt32($0.offset), count: $0.element) }
            + sparse.map { (id: $0.key, count: $0.value) }
        all.sort { $0.count != $1.count ? $0.count > $1.count : $0.id < $1.id }
        return Array(all.prefix(n))
    }
}
