/// HF's `ByteLevel` decoder: maps each token's GPT-2 alphabet scalars back to
/// bytes, joins all tokens, and decodes the bytes as UTF-8 with U+FFFD for
/// malformed sequences (Rust's `String::from_utf8_lossy`; Swift's
/// `String(decoding:as:)` replaces the same maximal subparts: checked on
/// "é" + "ä¸" -> "\u{FFFD}\u{FFFD}" as Python `tokenizers` gives).
///
/// A token with any scalar outside the alphabet (an added token such as
/// "<|endoftext|>" written in plain text) contributes its own UTF-8 bytes,
/// as HF does.
public struct ByteLevelDecoder: TokenDecoder {
    /// Creates the decoder; its JSON options only concern offsets.
    public init() {}

    /// Returns one string: all tokens' bytes, decoded.
    public func decodeChain(_ tokens: [String]) -> [String] {
        var bytes: [UInt8] = []
        for token in tokens {
            let start = bytes.count
            var inAlphabet = true
            for scalar in token.unicodeScalars {
                guard let byte = ByteLevelAlphabet.byte(for: scalar) else {
                    inAlphabet = false
                    break
                }
                bytes.append(byte)
            }
            if !inAlphabet {
                bytes.removeSubrange(start...)
                bytes.append(contentsOf: token.utf8)
            }
        }
        return [String(decoding: bytes, as: UTF8.self)]
    }
}
