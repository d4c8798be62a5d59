import Foundation
import LMJSON
import Testing
@testable import LMTokenizer

/// Unigram, WordPiece and WordLevel on tiny inline vocabularies whose
/// results can be worked by hand; each expected list was also checked
/// against Python `tokenizers` 0.23.3.
struct ModelTests {
    /// A tokenizer.json with `model`, no pre-tokenizer unless given.
    static func tokenizer(model: String, preTokenizer: String = "null", normalizer: String = "null") throws -> Tokenizer {
        let text = """
        {"version": "1.0", "added_tokens": [], "normalizer": \(normalizer), "pre_tokenizer": \(preTokenizer),
         "post_processor": null, "decoder": null, "model": \(model)}
        """
        return try Tokenizer(json: try JSONParser.parse(Data(text.utf8)), source: "inline")
    }

    static func unigram(_ vocab: [(String, Double)], unkId: String = "0", extra: String = "") throws -> Tokenizer {
        func quoted(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n") + "\""
        }
        let entries = vocab.map { "[\(quoted($0.0)), \($0.1)]" }.joined(separator: ", ")
        return try tokenizer(model: #"{"type": "Unigram", "unk_id": \#(unkId), "vocab": [\#(entries)]\#(extra)}"#)
    }

    // HF's doc example: "abcd" (10) beats every split of it; "acd" is
    // a + cd (0 + 1) rather than a c d (0); the two unknown x's fuse into
    // one <unk>.
    static let abcd: [(String, Double)] = [
        ("<unk>", 0), ("a", 0), ("b", 0), ("c", 0), ("d", 0), ("cd", 1), ("ab", 2), ("abc", 5), ("abcd", 10),
    ]

    @Test func unigramViterbi() throws {
        let t = try Self.unigram(Self.abcd)
        #expect(t.encode("abcdacdxx") == [8, 1, 5, 0])
        #expect(t.encode("") == [])
        #expect(t.idToToken(5) == "cd")
        #expect(t.tokenToId("abc") == 7)
    }

    @Test func doubleArrayTrieFindsEveryPrefixShortestFirst() throws {
        let keys: [(bytes: [UInt8], value: UInt32)] = [
            (Array("a".utf8), 0), (Array("ab".utf8), 1), (Array("abc".utf8), 2), (Array("b".utf8), 3),
            (Array("ab".utf8), 4),  // listed again: the later value wins
            ([], 5),  // never found
            ([0x00, 0xFF], 6), ([0xFF], 7), (Array("é".utf8), 8),
        ]
        let trie = DoubleArrayTrie(keys)
        func prefixes(_ text: [UInt8], from start: Int = 0) -> [[Int]] {
            var found: [[Int]] = []
            text.withUnsafeBufferPointer { t in trie.forEachPrefix(of: t, from: start) { found.append([$0, Int($1)]) } }
            return found
        }
        #expect(prefixes(Array("abcd".utf8)) == [[1, 0], [2, 4], [3, 2]])
        #expect(prefixes(Array("xabc".utf8), from: 1) == [[2, 0], [3, 4], [4, 2]])
        #expect(prefixes(Array("ba".utf8)) == [[1, 3]])
        #expect(prefixes(Array("c".utf8)) == [])
        #expect(prefixes([0x00, 0xFF, 0xFF]) == [[2, 6]])
        #expect(prefixes([0xFF, 0x00]) == [[1, 7]])
        #expect(prefixes(Array("é".utf8)) == [[2, 8]])
        #expect(prefixes([]) == [])
    }

    @Test func unigramTiesKeepTheFirstOffer() throws {
        // a + b = -2 = ab: "ab" reached end 2 first (from start 0), and the
        // later a+b offer is not strictly better.
        #expect(try Self.unigram([("<unk>", 0), ("a", -1), ("b", -1), ("ab", -2)]).encode("ab") == [3])
        // a + b = -1.5 = ab again, now with ab at id 2.
        #expect(try Self.unigram([("<unk>", 0), ("a", -1), ("ab", -1.5), ("b", -0.5)]).encode("ab") == [2])
    }

    @Test func unigramReadsScoresAsHFDoes() throws {
        // serde_json (no float_roundtrip) reads -7.3001184504120005 as
        // 73001184504120005 rounded to a double, then / 1e16: one ulp off
        // the correctly rounded value.
        #expect(SerdeFloat.parse("-7.3001184504120005") == -(Double(73_001_184_504_120_005 as UInt64) / 1e16))
        #expect(SerdeFloat.parse("-7.3001184504120005") != -7.3001184504120005)
        #expect(SerdeFloat.parse("1e-05") == 1 / 1e5)
        #expect(SerdeFloat.parse("-0.0")?.sign == .minus)
        #expect(SerdeFloat.parse("12") == 12)
        #expect(SerdeFloat.parse("1e400") == nil)
        #expect(SerdeFloat.parse("1.") == nil)
        // Scores from a Unigram trained by tokenizers 0.23: after "▁I", the
        // paths \n\n + \n and \n + \n\n differ only in the last bit, and
        // which wins depends on reading the scores the way HF does.
        let t = try Self.unigram([
            ("<unk>", 0), ("\n", -4.159166566689704), ("\n\n", -7.3001184504120005), ("I", -5.6741928314797025),
            ("▁", -1.827908101870296),
        ])
        #expect(t.encode("▁I\n\n\n") == [4, 3, 2, 1])
        #expect(t.encode("I\n\n\n") == [3, 1, 2])
    }

    @Test func unigramByteFallback() throws {
        // "é" (C3 A9) has no token: its bytes' tokens, ids 2 + 0xC3 and 2 + 0xA9.
        let bytes = (0..<256).map { (String(format: "<0x%02X>", $0), -5.0) }
        let t = try Self.unigram([("<unk>", 0), ("a", -1)] + bytes, extra: #", "byte_fallback": true"#)
        #expect(t.encode("aéa") == [1, 197, 171, 1])
    }

    @Test func unigramDecodesThroughByteFallback() throws {
        // SentencePiece's layout: spaces become "▁", "é" has no piece and is
        // spelled <0xC3> <0xA9> (ids 6 + 0xC3, 6 + 0xA9); the decoder chain
        // turns "▁" back into spaces, the byte tokens into "é", and drops
        // the first space.
        let bytes = (0..<256).map { String(format: "[\"<0x%02X>\", -10]", $0) }.joined(separator: ", ")
        let text = #"""
        {"normalizer": {"type": "Replace", "pattern": {"String": " "}, "content": "▁"},
         "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": false},
         "decoder": {"type": "Sequence", "decoders": [
             {"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"},
             {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
         "model": {"type": "Unigram", "unk_id": 0, "byte_fallback": true, "vocab": [
             ["<unk>", 0], ["▁", -2], ["▁hello", -3], ["▁wor", -4], ["ld", -4], ["!", -5], \#(bytes)]}}
        """#
        let t = try Tokenizer(json: try JSONParser.parse(Data(text.utf8)), source: "inline")
        let ids = t.encode("hello world! é")
        #expect(ids == [2, 3, 4, 5, 1, 201, 175])
        #expect(t.decode(ids) == "hello world! é")
    }

    @Test func unigramFusedStretchIsLookedUpWhole() throws {
        // Unknown x and y score 30 - 10 = 20 each, 40 together, more than
        // the token "xy" (30): the path takes two unknowns, they fuse into
        // "xy", and that string is a token.
        let t = try Self.unigram([("<unk>", 30), ("a", 30), ("xy", 30)])
        #expect(t.encode("axy") == [1, 2])
        // The literal "<unk>" (one token, -1) fuses with the unknown "é".
        let literal = try Self.unigram([("<unk>", -1), ("a", -1), ("<", -2), ("u", -2), ("n", -2), ("k", -2), (">", -2)])
        #expect(literal.encode("<unk>é") == [0])
    }

    @Test func unigramWithoutUnkIdRaisesLikeHF() throws {
        let t = try Self.unigram([("a", -1), ("b", -1)], unkId: "null")
        #expect(t.encode("ab") == [0, 1])
        #expect(try t.encodeChecked("ab") == [0, 1])
        // HF: "Encountered an unknown token but `unk_id` is missing".
        #expect(throws: TokenizerError.self) { try t.encodeChecked("abc") }
        // The failure does not leak into the next call.
        #expect(try t.encodeChecked("ba") == [1, 0])
    }

    @Test func unigramRejectsBadFiles() throws {
        #expect(throws: TokenizerError.self) { try Self.unigram([("a", -1)], unkId: "1") }
        #expect(throws: TokenizerError.self) {
            try Self.tokenizer(model: #"{"type": "Unigram", "unk_id": 0, "vocab": [["a", "x"]]}"#)
        }
    }

    static let wordPiece = #"""
    {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 8,
     "vocab": {"[UNK]": 0, "un": 1, "##aff": 2, "##able": 3, "a": 4, "##ff": 5, "##a": 6, "ff": 7}}
    """#

    @Test func wordPieceGreedyLongestMatch() throws {
        let t = try Self.tokenizer(model: Self.wordPiece, preTokenizer: #"{"type": "WhitespaceSplit"}"#)
        // a, then ##ff (longer ##ffa... absent), then ##able.
        #expect(t.encode("affable") == [4, 5, 3])
        // 9 characters > max_input_chars_per_word 8: the whole word is [UNK].
        #expect(t.encode("unaffable") == [0])
        // un ##aff, then "bl" has no ##b...: the whole word is [UNK], not a prefix of it.
        #expect(t.encode("unaffabl") == [0])
        #expect(t.encode("ff affable") == [7, 4, 5, 3])
        // The WordPiece decoder glues "##" pieces back on.
        let decoding = try Self.tokenizer(
            model: Self.wordPiece, preTokenizer: #"{"type": "WhitespaceSplit"}"#)
        #expect(decoding.decode([7, 4, 5, 3]) == "ff a ##ff ##able")  // no decoder: tokens joined by " "
        let text = ###"{"decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true}, "pre_tokenizer": {"type": "WhitespaceSplit"}, "model": \###(Self.wordPiece)}"###
        let withDecoder = try Tokenizer(json: try JSONParser.parse(Data(text.utf8)), source: "inline")
        #expect(withDecoder.decode(withDecoder.encode("ff affable")) == "ff affable")
    }

    @Test func wordLevelLooksUpWholePieces() throws {
        let t = try Self.tokenizer(
            model: #"{"type": "WordLevel", "unk_token": "<unk>", "vocab": {"<unk>": 0, "hello": 1, "world": 2}}"#,
            preTokenizer: #"{"type": "WhitespaceSplit"}"#)
        #expect(t.encode("hello there world") == [1, 0, 2])
        #expect(t.vocabSize == 3)
        // unk_token missing from the vocabulary: loads, raises on an unknown word.
        let noUnk = try Self.tokenizer(
            model: #"{"type": "WordLevel", "unk_token": "<unk>", "vocab": {"hello": 0}}"#,
            preTokenizer: #"{"type": "WhitespaceSplit"}"#)
        #expect(try noUnk.encodeChecked("hello hello") == [0, 0])
        #expect(throws: TokenizerError.self) { try noUnk.encodeChecked("hello there") }
    }

    @Test func singleWordAddedTokenBordersUseHFUnicodeVersion() throws {
        // A single_word added token needs non-word neighbours (Rust regex
        // \w, Unicode 16.0). U+088F is a letter only since Unicode 17, so
        // HF matches "hello" next to it; U+1C89 (Unicode 16) blocks it.
        let text = #"""
        {"added_tokens": [{"id": 1, "content": "hello", "single_word": true, "lstrip": false, "rstrip": false,
                           "normalized": true, "special": false}],
         "model": {"type": "WordLevel", "unk_token": "<unk>", "vocab": {"<unk>": 0}}}
        """#
        let t = try Tokenizer(json: try JSONParser.parse(Data(text.utf8)), source: "inline")
        #expect(t.encode("\u{88F}hello") == [0, 1])
        #expect(t.encode("hello\u{88F}") == [1, 0])
        #expect(t.encode("\u{1C89}hello") == [0])
    }

    @Test func modelTypeIsInferredInHFOrder() throws {
        // No "type": a map vocab with merges is BPE; with WordPiece's three
        // fields WordPiece (before WordLevel, whose fields are a subset);
        // with only unk_token WordLevel; a list vocab Unigram.
        let bpe = try Self.tokenizer(model: #"{"vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]}"#)
        #expect(bpe.model is BPEModel)
        #expect(bpe.encode("ab") == [2])
        let wp = try Self.tokenizer(model: #"""
            {"unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
             "vocab": {"[UNK]": 0, "a": 1, "##b": 2}}
            """#)
        #expect(wp.model is WordPieceModel)
        #expect(wp.encode("ab") == [1, 2])
        let wl = try Self.tokenizer(model: #"{"unk_token": "[UNK]", "vocab": {"[UNK]": 0, "ab": 1}}"#)
        #expect(wl.model is WordLevelModel)
        #expect(wl.encode("ab") == [1])
        let uni = try Self.tokenizer(model: #"{"unk_id": 0, "vocab": [["<unk>", 0], ["ab", -1]]}"#)
        #expect(uni.model is UnigramModel)
        #expect(uni.encode("ab") == [1])
        // A map vocab with nothing else fits no model; the error says why for each.
        #expect {
            try Self.tokenizer(model: #"{"vocab": {"a": 0}}"#)
        } throws: { error in
            "\(error)".contains("as BPE") && "\(error)".contains("as Unigram")
        }
        #expect(throws: TokenizerError.unsupportedComponent(path: "model", type: "Mystery")) {
            try Self.tokenizer(model: #"{"type": "Mystery", "vocab": {}}"#)
        }
    }

    @Test func byteLevelPiecesReachOtherModelsInGPT2Alphabet() throws {
        // ByteLevel turns " b" into "Ġb" before a non-BPE model, as in HF.
        let t = try Self.tokenizer(
            model: #"{"type": "WordLevel", "unk_token": "?", "vocab": {"?": 0, "a": 1, "Ġb": 2}}"#,
            preTokenizer: #"{"type": "ByteLevel", "add_prefix_space": false, "use_regex": true}"#)
        #expect(t.encode("a b c") == [1, 2, 0])
    }
}
