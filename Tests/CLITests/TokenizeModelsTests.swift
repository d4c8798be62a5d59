import Foundation
import TestSupport
import Testing

/// `lmshard tokenize` with the WordPiece and Unigram models, as a user runs it.
@Suite struct TokenizeModelsTests {
    /// Writes `json` as tokenizer.json in a fresh folder; returns the file's path.
    static func write(_ json: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lmshard-models-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("tokenizer.json")
        try Data(json.utf8).write(to: file)
        return file.path
    }

    /// BERT's layout: "Hello, Worlds!" is lowercased, split into hello , worlds !,
    /// and "worlds" is world ##s; "," is not in the vocabulary ([UNK] = 1).
    @Test func bertStyleWordPiece() throws {
        let path = try Self.write(#"""
        {"added_tokens": [{"id": 2, "content": "[CLS]", "special": true}, {"id": 3, "content": "[SEP]", "special": true}],
         "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
                        "strip_accents": null, "lowercase": true},
         "pre_tokenizer": {"type": "BertPreTokenizer"},
         "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]},
         "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
         "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                   "max_input_chars_per_word": 100,
                   "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "hello": 4, "world": 5, "!": 6, "##s": 7}}}
        """#)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let input = Data("{\"text\": \"Hello, Worlds!\"}\n{\"text\": \"[CLS]hello\"}\n".utf8)
        let plain = try CLI.run(["tokenize", "--tokenizer", path], stdin: input)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stdout == "{\"ids\":[4,1,5,7,6]}\n{\"ids\":[2,4]}\n")
        let special = try CLI.run(["tokenize", "--tokenizer", path, "--add-special-tokens"], stdin: input)
        #expect(special.status == 0, "\(special.stderr)")
        #expect(special.stdout == "{\"ids\":[2,4,1,5,7,6,3]}\n{\"ids\":[2,2,4,3]}\n")
    }

    /// A Unigram without unk_id cannot encode an unknown character; HF
    /// raises, so lmshard stops with the line number instead of writing ids.
    @Test func unigramWithoutUnknownTokenFailsOnUnknownText() throws {
        let path = try Self.write(#"""
        {"model": {"type": "Unigram", "unk_id": null, "vocab": [["a", -1.0], ["b", -2.0], ["ab", -1.5]]}}
        """#)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let ok = try CLI.run(["tokenize", "--tokenizer", path], stdin: Data("{\"text\": \"abba\"}\n".utf8))
        #expect(ok.status == 0, "\(ok.stderr)")
        // ab (-1.5) beats a + b (-3); then b, a.
        #expect(ok.stdout == "{\"ids\":[2,1,0]}\n")
        let bad = try CLI.run(["tokenize", "--tokenizer", path], stdin: Data("{\"text\": \"ab\"}\n{\"text\": \"abc\"}\n".utf8))
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("<stdin>:2: cannot encode \"abc\""), "\(bad.stderr)")
    }
}
