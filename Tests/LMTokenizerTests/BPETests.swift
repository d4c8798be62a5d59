import Foundation
import LMJSON
import Testing
@testable import LMTokenizer

/// BPE on tiny inline tokenizers whose merges can be followed by hand.
struct CoreBPETests {
    /// A tokenizer.json with no pre-tokenizer, so the whole text is one word.
    static func tokenizer(
        vocab: [String: Int], merges: String, extraModel: String = "", preTokenizer: String = "null",
        addedTokens: String = "[]", normalizer: String = "null"
    ) throws -> Tokenizer {
        let vocabJSON = vocab.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
        let text = """
        {"version": "1.0", "added_tokens": \(addedTokens), "normalizer": \(normalizer),
         "pre_tokenizer": \(preTokenizer), "post_processor": null, "decoder": null,
         "model": {"type": "BPE", "vocab": {\(vocabJSON)}, "merges": \(merges)\(extraModel)}}
        """
        return try Tokenizer(json: try JSONParser.parse(Data(text.utf8)), source: "inline")
    }

    static let abc = ["a": 0, "b": 1, "c": 2, "ab": 3, "bc": 4, "abc": 5]

    @Test func lowestRankMergesFirst() throws {
        // Ranks: "b c" = 0, "a b" = 1. In "abc" both pairs exist; b+c wins
        // by rank although a+b is further left, leaving a | bc (no "a bc").
        let t = try Self.tokenizer(vocab: Self.abc, merges: #"["b c", "a b"]"#)
        #expect(t.encode("abc") == [0, 4])
        // "abab": only a+b applies, at both positions -> ab ab.
        #expect(t.encode("abab") == [3, 3])
    }

    @Test func mergesInArrayForm() throws {
        // Same merges as pairs; then "ab c" (rank 2) completes abc.
        let t = try Self.tokenizer(vocab: Self.abc, merges: #"[["a", "b"], ["b", "c"], ["ab", "c"]]"#)
        // a+b (rank 0) first: ab c, then ab+c -> abc.
        #expect(t.encode("abc") == [5])
    }

    @Test func wholeWordHitOnlyWhenBPEWouldProduceIt() throws {
        // "abc" is in the vocabulary but merges only reach a | bc, so a
        // whole-word lookup must not short-circuit...
        let plain = try Self.tokenizer(vocab: Self.abc, merges: #"["b c", "a b"]"#)
        #expect(plain.encode("abc") == [0, 4])
        // ...unless ignore_merges says the vocabulary wins (Llama 3).
        let ignoring = try Self.tokenizer(vocab: Self.abc, merges: #"["b c", "a b"]"#, extraModel: #", "ignore_merges": true"#)
        #expect(ignoring.encode("abc") == [5])
        // "abcabc" is not in the vocabulary, so it merges: b+c twice -> a bc a bc.
        #expect(ignoring.encode("abcabc") == [0, 4, 0, 4])
    }

    @Test func tiesGoLeftmost() throws {
        // "aaa" with "a a": the leftmost pair merges, leaving aa | a.
        let t = try Self.tokenizer(vocab: ["a": 0, "aa": 1], merges: #"["a a"]"#)
        #expect(t.encode("aaa") == [1, 0])
    }

    @Test func longWordsUseTheHeapAndAgree() throws {
        // 100 a's (above the 48-symbol heap threshold): a+a pairs left to
        // right give 50 "aa", then aa+aa gives 25 "aaaa".
        let t = try Self.tokenizer(vocab: ["a": 0, "aa": 1, "aaaa": 2], merges: #"["a a", "aa aa"]"#)
        #expect(t.encode(String(repeating: "a", count: 100)) == [UInt32](repeating: 2, count: 25))
        // 101 a's: one trailing "a" is left over.
        #expect(t.encode(String(repeating: "a", count: 101)) == [UInt32](repeating: 2, count: 25) + [0])
        // 10 a's (scan path): 5 aa -> 2 aaaa + aa.
        #expect(t.encode(String(repeating: "a", count: 10)) == [2, 2, 1])
    }

    @Test func byteFallbackAndUnknown() throws {
        // "é" (C3 A9) is not in the vocabulary: byte_fallback emits <0xC3> <0xA9>.
        var vocab = ["a": 0, "<unk>": 1, "<0xC3>": 2, "<0xA9>": 3]
        let fb = try Self.tokenizer(vocab: vocab, merges: "[]", extraModel: #", "byte_fallback": true, "unk_token": "<unk>""#)
        #expect(fb.encode("aé") == [0, 2, 3])
        // Without fallback, each unknown character is <unk>; fuse_unk merges runs.
        vocab["<0xC3>"] = nil
        let unk = try Self.tokenizer(vocab: vocab, merges: "[]", extraModel: #", "unk_token": "<unk>""#)
        #expect(unk.encode("aééa") == [0, 1, 1, 0])
        let fused = try Self.tokenizer(vocab: vocab, merges: "[]", extraModel: #", "unk_token": "<unk>", "fuse_unk": true"#)
        #expect(fused.encode("aééa") == [0, 1, 0])
    }

    @Test func continuingSubwordPrefixAndSuffix() throws {
        // With prefix "@@", "ab" starts as a, @@b; merge "a @@b" -> "ab"
        // (the merged token drops the right side's prefix).
        let t = try Self.tokenizer(
            vocab: ["a": 0, "@@b": 1, "ab": 2, "b": 3], merges: #"["a @@b"]"#,
            extraModel: #", "continuing_subword_prefix": "@@""#)
        #expect(t.encode("ab") == [2])
        #expect(t.encode("b") == [3])
    }

    @Test func byteLevelVocabularyIsTranslated() throws {
        // "Ġ" is GPT-2's stand-in for the space byte; the model works on raw
        // bytes, so " a" finds "Ġa" without any string mapping at encode time.
        let t = try Self.tokenizer(
            vocab: ["a": 0, "Ġ": 1, "Ġa": 2], merges: #"["Ġ a"]"#,
            preTokenizer: #"{"type": "ByteLevel", "add_prefix_space": false, "use_regex": true}"#)
        #expect(t.encode("a a") == [0, 2])
        #expect(t.tokenToId("Ġa") == 2)
        #expect(t.idToToken(2) == "Ġa")
        // No decoder: HF joins the token strings with spaces.
        #expect(t.decode([0, 2]) == "a Ġa")
    }

    @Test func rejectsWhatItCannotReproduce() throws {
        #expect(throws: TokenizerError.self) {
            _ = try Self.tokenizer(vocab: Self.abc, merges: "[]", extraModel: #", "dropout": 0.1"#)
        }
        #expect(throws: TokenizerError.unsupportedComponent(path: "pre_tokenizer.pretokenizers[0]", type: "Fancy")) {
            _ = try Self.tokenizer(vocab: Self.abc, merges: "[]",
                                   preTokenizer: #"{"type": "Sequence", "pretokenizers": [{"type": "Fancy"}]}"#)
        }
        // A model type HF does not have is refused by name; a WordPiece
        // without its required fields names the first one missing.
        let mystery = #"{"model": {"type": "Mystery", "vocab": {}}}"#
        #expect(throws: TokenizerError.unsupportedComponent(path: "model", type: "Mystery")) {
            _ = try Tokenizer(json: try JSONParser.parse(Data(mystery.utf8)), source: "inline")
        }
        let wordPiece = #"{"model": {"type": "WordPiece", "vocab": {}}}"#
        #expect(throws: TokenizerError.invalidField(path: "model.unk_token", reason: "missing field")) {
            _ = try Tokenizer(json: try JSONParser.parse(Data(wordPiece.utf8)), source: "inline")
        }
        // A merge naming a token missing from the vocabulary.
        #expect(throws: TokenizerError.self) { _ = try Self.tokenizer(vocab: Self.abc, merges: #"["a z"]"#) }
        // Malformed JSON: the missing comma is noticed at byte 8, where "b"
        // starts, and a file that holds it is unreadable with that position.
        let parseError = #expect(throws: JSONParseError.self) {
            _ = try JSONParser.parse(Data(#"{"a": 1 "b": 2}"#.utf8))
        }
        #expect(parseError?.offset == 8)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lmtok-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("tokenizer.json")
        try Data(#"{"a": 1 "b": 2}"#.utf8).write(to: file)
        let loadError = #expect(throws: TokenizerError.self) { _ = try Tokenizer(contentsOf: file) }
        guard case let .unreadable(path, reason)? = loadError else {
            Issue.record("expected .unreadable, got \(String(describing: loadError))")
            return
        }
        #expect(path == file.path)
        #expect(reason.hasPrefix("not valid JSON at line 1, column 9"))
    }

    @Test func sha256IsOfTheBytesLoaded() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lmtok-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("tokenizer.json")
        let text = #"{"version": "1.0", "added_tokens": [], "normalizer": null, "pre_tokenizer": null, "post_processor": null, "decoder": null, "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}}"#
        try Data(text.utf8).write(to: file)
        // `sha256sum` of exactly those bytes.
        let expected = "9bba19d8fe3d38c8fdd329b915f621a59d629731ba05be56cf98addbb0d88e85"
        let hashed = try Tokenizer(contentsOf: dir, computingSHA256: true)
        #expect(hashed.sourceSHA256 == expected)
        #expect(try Tokenizer(contentsOf: file).sourceSHA256 == nil)
    }

    @Test func missingFileIsATypedError() {
        #expect(throws: TokenizerError.self) {
            _ = try Tokenizer(contentsOf: URL(fileURLWithPath: "no/such/tokenizer.json"))
        }
    }

    @Test func batchKeepsOrderAcrossThreads() throws {
        let t = try Self.tokenizer(vocab: Self.abc, merges: #"["b c", "a b"]"#)
        // Texts of different lengths so workers finish out of order.
        let texts = (0..<200).map { i in String(repeating: "abc", count: i % 17) + String(repeating: "b", count: i % 5) }
        let one = texts.map { t.encode($0) }
        #expect(t.encodeBatch(texts, threads: 3) == one)
        #expect(t.encodeBatch(texts, threads: 1) == one)
        #expect(t.encodeBatch([], threads: 4) == [])
    }

    @Test func addSpecialTokensRunsThePostProcessor() throws {
        // A TemplateProcessing that wraps a single sequence as <s> $A.
        let vocab = Self.abc.merging(["<s>": 6]) { a, _ in a }
        let vocabJSON = vocab.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
        let text = """
        {"added_tokens": [], "model": {"type": "BPE", "vocab": {\(vocabJSON)}, "merges": ["a b"]},
         "post_processor": {"type": "TemplateProcessing",
           "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
           "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
           "special_tokens": {"<s>": {"id": "<s>", "ids": [6], "tokens": ["<s>"]}}}}
        """
        let t = try Tokenizer(json: try JSONParser.parse(Data(text.utf8)), source: "inline")
        #expect(t.encode("abc") == [3, 2])
        #expect(t.encode("abc", addSpecialTokens: true) == [6, 3, 2])
        #expect(t.encodeBatch(["abc", "c"], addSpecialTokens: true, threads: 2) == [[6, 3, 2], [6, 2]])
    }
}

/// `continuing_subword_prefix` is stripped by bytes, as HF does.
struct SubwordPrefixTests {
    @Test func prefixBeforeACombiningMarkIsStillAPrefix() throws {
        // "##" + U+0E31 (a Thai combining vowel) is "#", "#ั" as Swift
        // Characters, so a grapheme comparison missed the prefix and refused
        // the merge "##คร ##ั". HF (Python tokenizers 0.23.3, models.BPE with
        // these vocab and merges): "ครั" -> [4], "ครัครั" -> [4, 7].
        let vocab = ["ค": 0, "##ร": 1, "##ั": 2, "คร": 3, "ครั": 4, "##ค": 5, "##คร": 6, "##ครั": 7]
        let t = try CoreBPETests.tokenizer(
            vocab: vocab, merges: ###"["ค ##ร", "คร ##ั", "##ค ##ร", "##คร ##ั"]"###,
            extraModel: ###", "continuing_subword_prefix": "##""###)
        #expect(t.encode("ครั") == [4])
        #expect(t.encode("ครัครั") == [4, 7])
    }
}
