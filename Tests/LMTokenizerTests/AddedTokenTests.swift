import Foundation
import LMJSON
import Testing
@testable import LMTokenizer

/// Added-token splitting, following HF's AddedVocabulary: leftmost-longest
/// matches, then single_word / lstrip / rstrip adjustments.
struct CoreAddedTokenTests {
    /// Vocabulary: single letters and the space; "<s>" is also a vocab token.
    static let vocab = ["a": 0, "b": 1, " ": 2, "<": 3, ">": 4, "s": 5, "<s>": 6, "x": 7]

    static func tokenizer(_ added: String) throws -> Tokenizer {
        try CoreBPETests.tokenizer(vocab: vocab, merges: "[]", addedTokens: "[" + added + "]")
    }

    static func token(_ content: String, _ id: Int, special: Bool = true, lstrip: Bool = false,
                      rstrip: Bool = false, singleWord: Bool = false) -> String {
        """
        {"id": \(id), "content": "\(content)", "single_word": \(singleWord), "lstrip": \(lstrip),
         "rstrip": \(rstrip), "normalized": false, "special": \(special)}
        """
    }

    @Test func leftmostLongestWins() throws {
        // "<eos>" and "<e" both start at 1; the longer one wins. Text around
        // the match goes through the model. HF numbers new added tokens from
        // the vocabulary size (8) in file order, whatever ids the file lists.
        let t = try Self.tokenizer(Self.token("<e", 20) + "," + Self.token("<eos>", 21))
        #expect(t.encode("a<eos>b") == [0, 9, 1])
        #expect(t.encode("a<ex") == [0, 8, 7])
    }

    @Test func lstripAndRstripSwallowWhitespace() throws {
        // lstrip takes the spaces before the token, rstrip those after.
        let l = try Self.tokenizer(Self.token("<m>", 8, lstrip: true))
        #expect(l.encode("a  <m> b") == [0, 8, 2, 1])
        let r = try Self.tokenizer(Self.token("<m>", 8, rstrip: true))
        #expect(r.encode("a  <m> b") == [0, 2, 2, 8, 1])
    }

    @Test func singleWordNeedsWordBoundaries() throws {
        // "ab" inside "xab" or "abx" touches a word character: not a match.
        let t = try CoreBPETests.tokenizer(
            vocab: Self.vocab, merges: "[]",
            addedTokens: "[" + Self.token("ab", 8, special: false, singleWord: true) + "]")
        #expect(t.encode("ab") == [8])
        #expect(t.encode("a ab b") == [0, 2, 8, 2, 1])
        #expect(t.encode("xab") == [7, 0, 1])
        #expect(t.encode("abx") == [0, 1, 7])
    }

    @Test func tokensInTheVocabularyKeepTheirIds() throws {
        // "<s>" is vocab id 6; the added entry claims 99 but HF keeps 6.
        let t = try Self.tokenizer(Self.token("<s>", 99))
        #expect(t.encode("a<s>") == [0, 6])
        #expect(t.tokenToId("<s>") == 6)
        #expect(t.specialTokens == ["<s>": 6])
        // Without the added entry, "<s>" is three characters for the model.
        let plain = try Self.tokenizer("")
        #expect(plain.encode("a<s>") == [0, 3, 5, 4])
    }

    @Test func vocabSizeCountsDistinctTokens() throws {
        // 8 vocab entries + "<eos>" (new) + "<s>" (already in the vocab).
        let t = try Self.tokenizer(Self.token("<eos>", 8) + "," + Self.token("<s>", 6))
        #expect(t.vocabSize == 9)
        // No tokenizer_config.json: "<eos>" is one of the fallback names.
        #expect(t.eosTokenId == 8)
        #expect(t.decode([0, 8, 1], skipSpecialTokens: true) == "a b")
        #expect(t.decode([0, 8, 1]) == "a <eos> b")
    }

    @Test func configNamesSpecialTokens() throws {
        let json = try JSONParser.parse(Data("""
        {"added_tokens": [\(Self.token("<eos>", 1))], "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}}
        """.utf8))
        let config = try JSONParser.parse(Data(#"{"eos_token": {"content": "<eos>"}, "bos_token": "a", "pad_token": null}"#.utf8))
        let t = try Tokenizer(json: json, source: "inline", config: config)
        #expect(t.eosTokenId == 1)
        #expect(t.bosTokenId == 0)
        #expect(t.padTokenId == nil)
        let bad = try JSONParser.parse(Data(#"{"eos_token": "<nope>"}"#.utf8))
        #expect(throws: TokenizerError.self) { _ = try Tokenizer(json: json, source: "inline", config: bad) }
    }

    @Test func textWithoutAddedTokensIsUntouched() throws {
        let t = try Self.tokenizer(Self.token("<eos>", 8))
        #expect(t.encode("ab ab") == [0, 1, 2, 0, 1])
        #expect(t.encode("") == [])
    }
}

/// Added-token edge cases, against Python `tokenizers` 0.23.3 on the same
/// inline tokenizer.json (vocab {"a": 0, " ": 1, "x": 2}, no pre-tokenizer).
struct AddedTokenEdgeTests {
    static func tokenizer(newlineId: Int = 4) throws -> Tokenizer {
        try CoreBPETests.tokenizer(
            vocab: ["a": 0, " ": 1, "x": 2], merges: "[]",
            addedTokens: """
                [{"id": 3, "content": "<e>", "rstrip": true, "special": true, "normalized": false},
                 {"id": \(newlineId), "content": "\\n", "special": false, "normalized": false}]
                """)
    }

    @Test func rstripDoesNotHideAWhitespaceAddedToken() throws {
        // "<e>" swallows "  \n  " by rstrip, but the "\n" token inside it is
        // still matched, and the gap after it restarts at its end.
        let t = try Self.tokenizer()
        #expect(t.encode("<e>  \n  x") == [3, 4, 1, 1, 2])
        #expect(t.encode("<e>\n") == [3, 4])
        #expect(t.encode("a<e> \n\n a") == [0, 3, 4, 4, 1, 0])
        #expect(t.encode("<e>  x") == [3, 2])
    }

    @Test func lstripTokenInsideAnRstripRunIsDropped() throws {
        // Python tokenizers 0.23.3 on the chatml_rstrip parity layout:
        // "<|im_end|> \t\t|" -> ["<|im_end|> \t\t", "|"]: the "\t\t" token
        // (lstrip) starts where "<|im_end|>" (rstrip) stopped, so it is empty.
        let t = try CoreBPETests.tokenizer(
            vocab: ["a": 0, " ": 1, "|": 2], merges: "[]",
            addedTokens: """
                [{"id": 3, "content": "<e>", "rstrip": true, "special": true, "normalized": false},
                 {"id": 4, "content": "\\t\\t", "lstrip": true, "special": false, "normalized": false},
                 {"id": 5, "content": "  ", "special": false, "normalized": false}]
                """)
        #expect(t.encode("<e> \t\t|") == [3, 2])
        #expect(t.encode("<e>\t\t|") == [3, 2])
        #expect(t.encode("a \t\t|") == [0, 4, 2])
        #expect(t.encode("<e>  \t\t|") == [3, 5, 4, 2])
    }

    @Test func fileIdsAreReassignedAsHFDoes() throws {
        // HF ignores the listed id: "\n" becomes vocab size + 1 = 4 whatever
        // the file says, even 3,000,000,000.
        let t = try Self.tokenizer(newlineId: 3_000_000_000)
        #expect(t.encode("a\na") == [0, 4, 0])
        #expect(t.tokenToId("\n") == 4)
    }
}
