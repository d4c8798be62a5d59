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

    /// HF's `wordpiece::cleanup` on one string (also used by `CTCDecoder`).
    static func cleanup(_ text: String) -> String {
        cleanups.reduce(text) { ReplacePattern.replaceLiteral($1.0, in: $0, with: $1.1) }
    }

    /// Returns the tokens with spacing restored.
    public func decodeChain(_ tokens: [String]) -> [String] {
        tokens.enumerated().map { i, token in
            var t = token
            if i != 0 {
                // Bytes, not `Character`s: "##" then a combining mark is
                // one Character in Swift but still starts with "##" in Rust.
                if t.utf8.starts(with: prefix.utf8) {
                    t = String(decoding: t.utf8.dropFirst(prefix.utf8.count), as: UTF8.self)
                } else {
                    t = " " + t
                }
            }
            return cleanup ? Self.cleanup(t) : t
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
