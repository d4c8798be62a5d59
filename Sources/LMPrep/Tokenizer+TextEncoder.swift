import LMTokenizer

/// lmshard's own tokenizer as the strategies' encoder.
extension Tokenizer: TextEncoder {
    /// `encode(text, addSpecialTokens: false)`, as HF's
    /// `encode(text, add_special_tokens=False)`; throws where HF raises (a
    /// regex giving up on the text, a model without an unknown token), so the row is reported, not the
    /// process stopped.
    public func encodeText(_ text: String) throws -> [UInt32] {
        try encodeChecked(text, addSpecialTokens: false)
    }

    /// The id `token` encodes to when that is exactly one id: the notebook's
    /// `len(tokenizer.encode(token)) == 1` check.
    public func specialTokenId(_ token: String) throws -> UInt32? {
        let ids = try encodeChecked(token, addSpecialTokens: false)
        return ids.count == 1 ? ids[0] : nil
    }
}
