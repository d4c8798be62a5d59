import Foundation
import LMJSON
import TestSupport
@testable import LMTokenizer

/// Small BPE `tokenizer.json` files trained in the test (greedy pair
/// counting, as `tokenizers`' BpeTrainer does), so the compiled form is
/// checked on real merge tables without shipping files.
enum CompiledFixtures {
    static let corpus = """
    The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs away.
    Tokenizers split text into pieces, and pieces into tokens: the tokens the model sees.
    def tokenize(text): return [vocab[piece] for piece in text.split()]  # 1234 5678 90
    Ünïcödé wörds, naïve café, 東京 and 北京, Привет мир, 🙂🙃 and tabs\tand\nnewlines.
    """

    /// Merges learned from `words` (each a list of initial symbols): at each
    /// step the most frequent adjacent pair, ties broken by the pair's text.
    /// `join` makes the merged symbol (the right side loses a `##` prefix
    /// in continuing-subword models).
    static func train(
        _ words: [[String]], merges count: Int, join: (String, String) -> String = { $0 + $1 }
    ) -> [(String, String)] {
        var words = words
        var merges: [(String, String)] = []
        for _ in 0..<count {
            var counts: [String: (Int, String, String)] = [:]
            for w in words where w.count > 1 {
                for i in 0..<(w.count - 1) {
                    let key = w[i] + "\u{0}" + w[i + 1]
                    counts[key, default: (0, w[i], w[i + 1])].0 += 1
                }
            }
            guard let best = counts.max(by: { ($0.value.0, $1.key) < ($1.value.0, $0.key) }) else { break }
            let (a, b) = (best.value.1, best.value.2)
            merges.append((a, b))
            words = words.map { w in
                var out: [String] = []
                var i = 0
                while i < w.count {
                    if i + 1 < w.count && w[i] == a && w[i + 1] == b {
                        out.append(join(a, b))
                        i += 2
                    } else {
                        out.append(w[i])
                        i += 1
                    }
                }
                return out
            }
        }
        return merges
    }

    static func quoted(_ s: String) -> String { JSONValue.string(s).serialized() }

    /// A GPT-2 layout: ByteLevel pre-tokenizer and decoder, every byte a
    /// token, `<|endoftext|>` special. `ignoreMerges` as Llama 3.
    static func byteLevel(merges count: Int = 300, ignoreMerges: Bool = false) -> String {
        let alphabet = ByteLevelAlphabet.byteToScalar.map { String($0) }
        let words = corpus.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { w in
            Array((" " + w).utf8).map { alphabet[Int($0)] }
        }
        let merges = train(words, merges: count)
        var vocab = alphabet
        for (a, b) in merges where !vocab.contains(a + b) { vocab.append(a + b) }
        return tokenizerJSON(
            vocab: vocab, merges: merges, model: ignoreMerges ? #""ignore_merges": true"# : "",
            normalizer: "null",
            preTokenizer: #"{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}"#,
            decoder: #"{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true}"#,
            added: [("<|endoftext|>", true)])
    }

    /// A Llama 2 / SentencePiece layout: Metaspace, `<unk>`, byte fallback
    /// tokens, characters of the corpus only, so other text falls back.
    static func byteFallback(merges count: Int = 200) -> String {
        let words = corpus.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { w in
            ("▁" + w).map { String($0) }
        }
        let merges = train(words, merges: count)
        var vocab = ["<unk>", "<s>", "</s>"] + (0..<256).map { "<0x" + String($0, radix: 16, uppercase: true).leftPadded(to: 2) + ">" }
        for w in words { for s in w where !vocab.contains(s) { vocab.append(s) } }
        for (a, b) in merges where !vocab.contains(a + b) { vocab.append(a + b) }
        return tokenizerJSON(
            vocab: vocab, merges: merges, model: #""unk_token": "<unk>", "byte_fallback": true, "fuse_unk": true"#,
            normalizer: "null",
            preTokenizer: #"{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": false}"#,
            decoder: #"{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": false}"#,
            added: [("<s>", true), ("</s>", true)])
    }

    /// A WordPiece-style BPE: `##` continuing-subword prefix, `<unk>`.
    static func subwordPrefix(merges count: Int = 150) -> String {
        let words = corpus.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { w in
            w.enumerated().map { $0.offset == 0 ? String($0.element) : "##" + String($0.element) }
        }
        let merges = train(words, merges: count, join: { $0 + $1.dropFirst(2) })
        var vocab = ["<unk>"]
        for w in words { for s in w where !vocab.contains(s) { vocab.append(s) } }
        for (a, b) in merges {
            let merged = a + b.dropFirst(2)
            if !vocab.contains(merged) { vocab.append(merged) }
        }
        return tokenizerJSON(
            vocab: vocab, merges: merges, model: ###""unk_token": "<unk>", "continuing_subword_prefix": "##""###,
            normalizer: #"{"type": "NFC"}"#, preTokenizer: #"{"type": "Whitespace"}"#,
            decoder: ###"{"type": "WordPiece", "prefix": "##", "cleanup": true}"###, added: [])
    }

    static func tokenizerJSON(
        vocab: [String], merges: [(String, String)], model: String, normalizer: String, preTokenizer: String,
        decoder: String, added: [(String, Bool)]
    ) -> String {
        let vocabJSON = vocab.enumerated().map { "\(quoted($0.element)): \($0.offset)" }.joined(separator: ", ")
        let mergesJSON = merges.map { quoted($0.0 + " " + $0.1) }.joined(separator: ", ")
        let addedJSON = added.enumerated().map { i, t in
            "{\"id\": \(vocab.count + i), \"content\": \(quoted(t.0)), \"single_word\": false, \"lstrip\": false, "
                + "\"rstrip\": false, \"normalized\": false, \"special\": \(t.1)}"
        }.joined(separator: ", ")
        return """
        {"version": "1.0", "truncation": null, "padding": null, "added_tokens": [\(addedJSON)],
         "normalizer": \(normalizer), "pre_tokenizer": \(preTokenizer), "post_processor": null, "decoder": \(decoder),
         "model": {"type": "BPE", "dropout": null\(model.isEmpty ? "" : ", " + model), "vocab": {\(vocabJSON)}, "merges": [\(mergesJSON)]}}
        """
    }

    /// The corpus lines, their words, and seeded random strings mixing
    /// ASCII, controls, accents, CJK, emoji and the special tokens.
    static func texts(count: Int = 300) -> [String] {
        var texts = corpus.split(separator: "\n").map(String.init)
        texts += corpus.split(separator: " ").map(String.init)
        let pool: [Unicode.Scalar] = Array("abcdefgh xyzTHE  \t\n0123456789.,;:!?#_-()[]{}'\"".unicodeScalars)
            + ["é", "ö", "ß", "東", "京", "🙂", "\u{301}", "\u{200D}", "\u{0}", "\u{7F}", "\u{FEFF}", "Ω", "ж"]
        var rng = SplitMix64(seed: 15)
        for _ in 0..<count {
            var s = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...40, using: &rng) { s.append(pool.randomElement(using: &rng)!) }
            var text = String(s)
            if Int.random(in: 0..<5, using: &rng) == 0 { text += ["<|endoftext|>", "<s>", "</s>"].randomElement(using: &rng)! }
            texts.append(text)
        }
        return texts
    }
}
