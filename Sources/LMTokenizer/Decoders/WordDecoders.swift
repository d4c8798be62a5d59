/// HF's `Metaspace` decoder: the replacement character becomes a space,
/// except that in the first token every replacement is dropped when the
/// prepend scheme is not "never" (Python `tokenizers`:
/// ["▁▁a", "▁b▁"] -> "a b " with "always", "  a b " with "never").
public struct MetaspaceDecoder: TokenDecoder {
    /// The scalar that stands for a space.
    public let replacement: Unicode.Scalar
    /// The pre-tokenizer's prepend scheme.
    public let prependScheme: PrependScheme

    /// Creates the decoder.
    public init(replacement: Unicode.Scalar, prependScheme: PrependScheme) {
        self.replacement = replacement
        self.prependScheme = prependScheme
    }

    /// Returns each token with replacements turned back into spaces.
    public func decodeChain(_ tokens: [String]) -> [String] {
        tokens.enumerated().map { i, token in
            var view = String.UnicodeScalarView()
            for scalar in token.unicodeScalars {
                if scalar == replacement {
                    if i == 0 && prependScheme != .never { continue }
                    view.append(" ")
                } else {
                    view.append(scalar)
                }
            }
            return String(view)
        }
    }
}

/// HF's `WordPiece` decoder: tokens after the first get a space unless they
/// start with `prefix` ("##"), which is removed; with `cleanup`, each token
/// then gets HF's English tokenization cleanup (" ." -> ".", " n't" ->
/// "n't", ...), applied per token as HF does.
public struct WordPieceDecoder: TokenDecoder {
    /// The continuation prefix.
    public let prefix: String
    /// Whether to apply the cleanup replacements.
    public let cleanup: Bool

    /// Creates the decoder.
    public init(prefix: String = "##", cleanup: Bool = true) {
        self.prefix = prefix
        self.cleanup = cleanup
    }

    /// HF's `cleanup`, in HF's order.
    static let cleanups: [(String, String)] = [
        (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
        (" 'm", "'m"), (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
    ]

    /// Returns the tokens with spacing restored.
    public func decodeChain(_ tokens: [String]) -> [String] {
        tokens.enumerated().map { i, token in
            var t = token
            if i != 0 {
                if t.hasPrefix(prefix) { t = String(t.dropFirst(prefix.count)) } else { t = " " + t }
            }
            if cleanup {
                for (from, to) in Self.cleanups {
                    t = ReplacePattern.replaceLiteral(from, in: t, with: to)
                }
            }
            return t
        }
    }
}

/// HF's `BPEDecoder`: each token's `suffix` ("</w>") becomes a space, or
/// nothing in the last token.
public struct BPEWordDecoder: TokenDecoder {
    /// The end-of-word suffix.
    public let suffix: String

    /// Creates the decoder.
    public init(suffix: String = "</w>") { self.suffix = suffix }

    /// Returns the tokens with suffixes replaced.
    public func decodeChain(_ tokens: [String]) -> [String] {
        tokens.enumerated().map { i, token in
            ReplacePattern.replaceLiteral(suffix, in: token, with: i == tokens.count - 1 ? "" : " ")
        }
    }
}
