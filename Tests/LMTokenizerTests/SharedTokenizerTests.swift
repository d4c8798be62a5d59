import Foundation
import Testing
@testable import LMTokenizer

/// The shared real tokenizers against ids from Python `tokenizers`
/// (Fixtures/*.ids, made by tools/parity/make_fixtures.py) on llama.cpp's
/// 46 reference strings. Needs LMSHARD_SHARED (the folder holding
/// tokenizers/); skipped when it is unset.
struct CoreSharedTokenizerTests {
    static let shared = ProcessInfo.processInfo.environment["LMSHARD_SHARED"]
    static let names = ["gpt2", "starcoder2", "qwen2", "llama3", "mellum-layout"]
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// llama.cpp's format: strings separated by "\n__ggml_vocab_test__\n",
    /// the file's final newline not part of the last string.
    static func inputs(_ root: String) throws -> [String] {
        var text = try String(contentsOfFile: root + "/tokenizers/mellum-golden/inputs.txt", encoding: .utf8)
        if text.hasSuffix("\n") { text.removeLast() }
        return text.components(separatedBy: "\n__ggml_vocab_test__\n")
    }

    // Skipped unless LMSHARD_SHARED names the shared test-data folder.
    @Test(.enabled(if: shared != nil, "set LMSHARD_SHARED to the shared test-data folder"), arguments: names)
    func goldenStringsMatchHF(name: String) throws {
        let root = try #require(Self.shared)
        let tok = try Tokenizer(contentsOf: URL(fileURLWithPath: root + "/tokenizers/" + name))
        let texts = try Self.inputs(root)
        let expected = try String(contentsOf: Self.fixtures.appendingPathComponent(name + ".ids"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            .map { $0.split(separator: " ").compactMap { UInt32($0) } }
        #expect(texts.count == 46)
        try #require(expected.count == texts.count)
        for (i, text) in texts.enumerated() {
            #expect(tok.encode(text) == expected[i], "string \(i): \(text.debugDescription)")
        }
        // The batch path (several threads) gives the same ids in order.
        #expect(tok.encodeBatch(texts, threads: 2) == expected)
    }

    // Skipped unless LMSHARD_SHARED names the shared test-data folder.
    @Test(.enabled(if: shared != nil, "set LMSHARD_SHARED to the shared test-data folder"))
    func mellumLayoutSpecialsAndRoundTrip() throws {
        let root = try #require(Self.shared)
        let tok = try Tokenizer(contentsOf: URL(fileURLWithPath: root + "/tokenizers/mellum-layout/tokenizer.json"))
        // Mellum's ids, from the README table.
        #expect(tok.eosTokenId == 0)
        #expect(tok.tokenToId("<fim_prefix>") == 1)
        #expect(tok.specialTokens["<assistant>"] == 23)
        #expect(tok.encode("<user>Hi!</user>") == [21] + tok.encode("Hi!") + [22])
        // Byte-level BPE round-trips any text through decode.
        for text in ["def f(x):\n    return x ** 2\n", "naïve café 中文 😀", "  \t\r\n"] {
            #expect(tok.decode(tok.encode(text)) == text)
        }
        // Invalid UTF-8 bytes still encode, one byte token each at worst.
        let bad: [UInt8] = [0x61, 0xFF, 0xFE, 0x62]
        var ids: [UInt32] = []
        bad.withUnsafeBufferPointer { tok.encode(unsafeUTF8: $0, into: &ids) }
        #expect(ids.count >= 3)
    }

    // Skipped unless LMSHARD_SHARED names the shared test-data folder.
    @Test(.enabled(if: shared != nil, "set LMSHARD_SHARED to the shared test-data folder"))
    func vocabSizesAndSpecialIds() throws {
        let root = try #require(Self.shared)
        // (vocab size as HF's get_vocab_size(True), eos, bos). No
        // tokenizer_config.json here, so ids come from the fallback names;
        // Qwen2's plain "<s>" vocabulary entry must not pass for a BOS.
        let expected: [String: (Int, UInt32?, UInt32?)] = [
            "gpt2": (50257, 50256, nil), "starcoder2": (49152, 0, nil), "qwen2": (151936, 151643, nil),
            "llama3": (128256, 128001, 128000), "mellum-layout": (32768, 0, nil),
        ]
        for (name, (size, eos, bos)) in expected {
            let tok = try Tokenizer(contentsOf: URL(fileURLWithPath: root + "/tokenizers/" + name))
            #expect(tok.vocabSize == size, "\(name)")
            #expect(tok.eosTokenId == eos, "\(name)")
            #expect(tok.bosTokenId == bos, "\(name)")
        }
    }
}
