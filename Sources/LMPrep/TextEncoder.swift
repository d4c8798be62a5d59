/// What the processing strategies need from a tokenizer, and nothing more.
///
/// A protocol rather than `LMTokenizer.Tokenizer` itself so the strategies
/// can be unit-tested with a tiny encoder whose ids are chosen by hand (the
/// notebook's expected arrays come from the real Mellum tokenizer, which the
/// tests don't have), and so other tokenizers can be plugged in.
public protocol TextEncoder: Sendable {
    /// Token ids for `text`, without any special tokens added (no BOS/EOS):
    /// what HF `tokenizers` returns for `encode(text, add_special_tokens=False)`.
    func encodeText(_ text: String) throws -> [UInt32]

    /// The id of `token` when `token` encodes to exactly one token, else `nil`.
    ///
    /// Mirrors the notebook's `assert len(tokenizer.encode(s)) == 1` checks:
    /// a tokenizer without `<fim_prefix>` as a special token splits it into
    /// several pieces and is rejected.
    func specialTokenId(_ token: String) throws -> UInt32?

    /// The end-of-sequence id appended to every example, if the tokenizer has one.
    var eosTokenId: UInt32? { get }
}

extension TextEncoder {
    /// The id of a special token the caller cannot work without.
    ///
    /// - Throws: `PrepError.missingSpecialToken` naming the token and `purpose`.
    func requireSpecialToken(_ token: String, for purpose: String) throws -> UInt32 {
        guard let id = try specialTokenId(token) else {
            throw PrepError.missingSpecialToken(token: token, purpose: purpose)
        }
        return id
    }

    /// The EOS id, or a typed error when the tokenizer has none.
    func requireEOS() throws -> UInt32 {
        guard let id = eosTokenId else { throw PrepError.missingEOSToken }
        return id
    }
}
