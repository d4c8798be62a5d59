/// Per-thread buffers every model reuses across pieces, so encoding a
/// batch allocates only while they grow.
///
/// `bpe` also holds the piece -> ids cache, which the other models share
/// (`Tokenizer.encodeWithModel`): a model's ids depend on the piece's bytes
/// alone, and Unigram's Viterbi or WordPiece's greedy search cost far more
/// than a cache probe. Stored `var`s of a class pay a dynamic exclusivity
/// check per access, hence `@exclusivity(unchecked)`: a scratch is only ever
/// used by the one thread that holds it.
final class ModelScratch {
    /// BPE's merge buffers and the shared piece cache.
    let bpe = BPEScratch()
    /// A piece rewritten into GPT-2's byte alphabet before the model sees it.
    @exclusivity(unchecked) var mapped: [UInt8] = []
    /// A WordPiece key (prefix + part of the word).
    @exclusivity(unchecked) var bytes: [UInt8] = []
    /// Unigram's best path per byte offset: score, start offset (-1: none
    /// yet) and token id of its last node.
    @exclusivity(unchecked) var bestScore: [Double] = []
    @exclusivity(unchecked) var bestStart: [Int32] = []
    @exclusivity(unchecked) var bestId: [UInt32] = []
    /// Offsets: char starts of a WordPiece word, or the path Unigram
    /// backtracks.
    @exclusivity(unchecked) var offsets: [Int32] = []
    /// Hashes of a WordPiece key's prefixes (`ByteStringTable.prefixHashes`).
    @exclusivity(unchecked) var hashes: [Int] = []
}
