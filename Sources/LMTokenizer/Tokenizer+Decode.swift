extension Tokenizer {
    /// HF's `decode`: ids -> token strings (added-token content or the
    /// original vocabulary string; unknown ids are skipped), then the decoder
    /// chain joined with "", or, with no decoder, the tokens joined by " ".
    /// Decoding is for display: if a decoder's regex gives up (Oniguruma's
    /// retry limit, where HF fails), the tokens are returned joined as they
    /// are.
    public func decode(_ ids: [UInt32], skipSpecialTokens: Bool = false) -> String {
        var tokens: [String] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            if let added = addedById[id] {
                if skipSpecialTokens && added.special { continue }
                tokens.append(added.content)
            } else if let s = idToToken(id) {
                tokens.append(s)
            }
        }
        guard let decoder else { return tokens.joined(separator: " ") }
        return ((try? decoder.decodeChain(tokens)) ?? tokens).joined()
    }
}
