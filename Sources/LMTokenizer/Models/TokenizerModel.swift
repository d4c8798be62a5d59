/// The model stage of a tokenizer: one pre-tokenized piece in, ids out.
///
/// HF `tokenizers` has four models (`models/mod.rs`): BPE, WordPiece,
/// WordLevel and Unigram. `Tokenizer` keeps a concrete `BPEModel` for its
/// hot path (byte-level BPE is what lmshard is mostly run with, and a call
/// through an existential per piece would cost it a dynamic dispatch and the
/// inlining of the piece cache); every model, BPE included, also answers
/// through this protocol, which the other three only use.
protocol TokenizerModel: Sendable {
    /// HF's `get_vocab_size()` for the model alone.
    var vocabCount: Int { get }

    /// HF's `token_to_id` on the model: the id of a vocabulary string.
    func tokenToId(_ token: String) -> UInt32?

    /// HF's `id_to_token` on the model: the vocabulary string of an id.
    func idToToken(_ id: UInt32) -> String?

    /// Appends the ids of one piece (UTF-8 bytes, never empty).
    ///
    /// Returns false where HF raises instead of returning ids: an unknown
    /// character or word while the model has no unknown token to stand
    /// for it (Unigram without `unk_id`, WordPiece or WordLevel whose
    /// `unk_token` is not in the vocabulary). Nothing is appended then.
    func encode(piece: UnsafeBufferPointer<UInt8>, scratch: ModelScratch, into out: inout [UInt32]) -> Bool
}
