import LMJSON
import Testing

@testable import LMTokenizer

// Expected strings come from Python `tokenizers` 0.23.3
// (`decoders.X().decode([...])`), pasted as literals.
struct ExtraDecoderTests {
    func decode(_ json: JSONValue, _ tokens: [String]) throws -> String {
        let decoder = try makeComponent(json, path: "decoder", kind: "decoder", factories: decoderFactories)
        return try decoder.decodeChain(tokens).joined()
    }

    @Test func byteAlphabetIsABijection() {
        // Space is "Ġ" (U+0120), newline "Ċ" (U+010A), "!" maps to itself.
        #expect(ByteLevelAlphabet.byteToScalar[0x20] == "Ġ")
        #expect(ByteLevelAlphabet.byteToScalar[0x0A] == "Ċ")
        #expect(ByteLevelAlphabet.byteToScalar[0x21] == "!")
        #expect(Set(ByteLevelAlphabet.byteToScalar).count == 256)
        for byte in 0...255 {
            #expect(ByteLevelAlphabet.byte(for: ByteLevelAlphabet.byteToScalar[byte]) == UInt8(byte))
        }
        #expect(ByteLevelAlphabet.byte(for: "€") == nil)
        #expect(ByteLevelAlphabet.byte(for: "\u{20}") == nil)
        // Vocabulary strings back to raw bytes, as the core does at load time.
        #expect(ByteLevelAlphabet.bytes(of: "ĠhiĊ") == [0x20, 0x68, 0x69, 0x0A])
        #expect(ByteLevelAlphabet.bytes(of: "Ġ€") == nil)
    }

    @Test func byteLevelIsLossyLikeRust() throws {
        let byteLevel = ExtraJSON.object(["type": .string("ByteLevel"), "add_prefix_space": .bool(true)])
        // "é" is byte 0xE9 and "ä¸" bytes E4 B8: invalid, then truncated -> two U+FFFD.
        #expect(try decode(byteLevel, ["Ġhello", "Ċ", "é", "ä¸"]) == " hello\n\u{FFFD}\u{FFFD}")
        // Tokens outside the alphabet (added tokens) keep their own bytes.
        #expect(try decode(byteLevel, ["<|endoftext|>", "Ġ€"]) == "<|endoftext|>Ġ€")
        // Round trip through the alphabet for every byte of a UTF-8 string.
        let text = "naïve 日本語 😀\r\n"
        let token = String(String.UnicodeScalarView(text.utf8.map { ByteLevelAlphabet.byteToScalar[Int($0)] }))
        #expect(try decode(byteLevel, [token]) == text)
    }

    @Test func byteFallbackChecksWholeRuns() throws {
        let fallback = ExtraJSON.object(["type": .string("ByteFallback")])
        // E4 BD alone is invalid (2 x U+FFFD); E4 BD A0 FF 41 is one invalid run (5 x U+FFFD);
        // "<0x4>" is not a byte token.
        #expect(
            try decode(fallback, ["<0xE4>", "<0xBD>", "a", "<0xE4>", "<0xBD>", "<0xA0>", "<0xFF>", "<0x41>", "<0x4>"])
                == "\u{FFFD}\u{FFFD}a\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}<0x4>")
        #expect(try decode(fallback, ["<0xE4>", "<0xBD>", "<0xA0>"]) == "你")
    }

    @Test func stripDecoder() throws {
        func strip(_ start: Int64, _ stop: Int64) -> JSONValue {
            ExtraJSON.object(["type": .string("Strip"), "content": .string("▁"), "start": .int(start), "stop": .int(stop)])
        }
        #expect(try decode(strip(1, 1), ["▁▁"]) == "")
        #expect(try decode(strip(1, 1), ["a▁▁"]) == "a▁")
        #expect(try decode(strip(1, 1), ["▁a▁"]) == "a")
        // HF panics here; lmshard gives the empty string.
        #expect(try decode(strip(1, 1), ["▁"]) == "")
        #expect(try decode(strip(0, 3), ["▁▁"]) == "")
    }

    @Test func sentencePieceChain() throws {
        // Replace ▁ -> " ", ByteFallback, Fuse, Strip(" ", 1, 0): the first
        // byte token became " <0xE4>" and is no longer a byte token.
        let chain = ExtraJSON.object([
            "type": .string("Sequence"),
            "decoders": .array([
                ExtraJSON.object(["type": .string("Replace"), "pattern": ExtraJSON.object(["String": .string("▁")]), "content": .string(" ")]),
                ExtraJSON.object(["type": .string("ByteFallback")]),
                ExtraJSON.object(["type": .string("Fuse")]),
                ExtraJSON.object(["type": .string("Strip"), "content": .string(" "), "start": .int(1), "stop": .int(0)]),
            ]),
        ])
        #expect(try decode(chain, ["▁Hello", "▁<0xE4>", "<0xBD>", "<0xA0>", "!"]) == "Hello <0xE4>\u{FFFD}\u{FFFD}!")
    }

    @Test func metaspaceDecoder() throws {
        func metaspace(_ scheme: String) -> JSONValue {
            ExtraJSON.object(["type": .string("Metaspace"), "replacement": .string("▁"), "prepend_scheme": .string(scheme), "split": .bool(true)])
        }
        #expect(try decode(metaspace("always"), ["▁▁a", "▁b▁"]) == "a b ")
        #expect(try decode(metaspace("never"), ["▁▁a", "▁b▁"]) == "  a b ")
        #expect(try decode(metaspace("always"), ["▁Hey", "▁friend!"]) == "Hey friend!")
    }

    @Test func wordPieceAndBPE() throws {
        let wordPiece = ExtraJSON.object(["type": .string("WordPiece"), "prefix": .string("##"), "cleanup": .bool(true)])
        // Cleanup is per token, so " do" + " not" never becomes "don't".
        #expect(
            try decode(wordPiece, ["hello", "##a", ",", "do", "not", "isn", "'", "t", "."])
                == "helloa, do not isn ' t.")
        let bpe = ExtraJSON.object(["type": .string("BPEDecoder"), "suffix": .string("</w>")])
        #expect(try decode(bpe, ["he", "llo</w>", "wor", "ld</w>"]) == "hello world")
    }

    @Test func unknownDecoderIsRejected() throws {
        #expect(throws: TokenizerError.unsupportedComponent(path: "decoder.decoders[0]", type: "Fancy")) {
            _ = try decode(ExtraJSON.object(["type": .string("Sequence"), "decoders": .array([ExtraJSON.object(["type": .string("Fancy")])])]), [])
        }
        #expect(throws: TokenizerError.invalidField(path: "decoder.content", reason: "expected exactly one character, got \"ab\"")) {
            _ = try decode(ExtraJSON.object(["type": .string("Strip"), "content": .string("ab"), "start": .int(1), "stop": .int(0)]), [])
        }
    }
}
