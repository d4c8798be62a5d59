import Foundation
import LMJSON
import Testing
@testable import LMTokenizer

/// Metaspace `prepend_scheme: "first"` through the whole tokenizer: only the
/// stretch that starts the input gets "▁" (HF's `offsets_original().0 == 0`).
/// Expected ids come from Python `tokenizers` on the same tokenizer.json.
struct CoreMetaspaceFirstTests {
    static let vocab: [String: Int] = [
        "▁": 0, "H": 1, "e": 2, "y": 3, "f": 4, "r": 5, "i": 6, "n": 7, "d": 8, "!": 9, " ": 10,
        "▁H": 11, "▁He": 12, "▁Hey": 13, "fr": 14, "fri": 15, "frie": 16, "frien": 17, "friend": 18,
        "▁friend": 19, "<s>": 20, "\u{0301}": 21,
    ]
    static let merges = #"["▁ H", "▁H e", "▁He y", "f r", "fr i", "fri e", "frie n", "frien d", "▁ friend"]"#
    static let added = """
        [{"id": 20, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false,
          "normalized": false, "special": true}]
        """

    static func metaspace(_ scheme: String, split: Bool = true) -> String {
        #"{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "\#(scheme)", "split": \#(split)}"#
    }

    static func tokenizer(_ preTokenizer: String) throws -> Tokenizer {
        try CoreBPETests.tokenizer(vocab: vocab, merges: merges, preTokenizer: preTokenizer, addedTokens: added)
    }

    @Test func firstPrefixesOnlyTheStartOfTheInput() throws {
        for split in [true, false] {
            let t = try Self.tokenizer(Self.metaspace("first", split: split))
            #expect(t.encode("Hey friend!") == [13, 19, 9])
            // After an added token the stretch does not start the input.
            #expect(t.encode("<s>Hey friend") == [20, 1, 2, 3, 19])
            #expect(t.encode("Hey<s>friend") == [13, 20, 18])
            #expect(t.encode("friend<s> Hey") == [19, 20, 13])
            #expect(t.encode(" Hey") == [13])
            #expect(t.encode("!Hey friend") == [0, 9, 1, 2, 3, 19])
            #expect(t.encode("  Hey friend") == [0, 13, 19])
            #expect(t.encode("") == [])
        }
    }

    @Test func alwaysPrefixesEveryStretch() throws {
        let t = try Self.tokenizer(Self.metaspace("always"))
        #expect(t.inputStartAware == nil)
        #expect(t.encode("Hey friend!") == [13, 19, 9])
        #expect(t.encode("<s>Hey friend") == [20, 13, 19])
        #expect(t.encode("Hey<s>friend") == [13, 20, 19])
        #expect(t.encode("friend<s> Hey") == [19, 20, 13])
    }

    @Test func sequencePassesTheFlagThrough() throws {
        // WhitespaceSplit first: only the split at offset 0 gets "▁", and
        // none when leading whitespace was dropped.
        let ws = try Self.tokenizer(#"{"type": "Sequence", "pretokenizers": [{"type": "WhitespaceSplit"}, \#(Self.metaspace("first"))]}"#)
        #expect(ws.inputStartAware != nil)
        #expect(ws.encode("Hey friend!") == [13, 18, 9])
        #expect(ws.encode("<s>Hey friend") == [20, 1, 2, 3, 18])
        #expect(ws.encode("Hey<s>friend") == [13, 20, 18])
        #expect(ws.encode(" Hey") == [1, 2, 3])
        #expect(ws.encode("friend<s> Hey") == [19, 20, 1, 2, 3])
        #expect(ws.encode("!Hey friend") == [0, 9, 1, 2, 3, 18])
        #expect(ws.encode("  Hey friend") == [1, 2, 3, 18])

        // Punctuation(Removed) first: a leading "!" is dropped, so "Hey" no
        // longer starts the input.
        let punct = try Self.tokenizer(
            #"{"type": "Sequence", "pretokenizers": [{"type": "Punctuation", "behavior": "Removed"}, \#(Self.metaspace("first"))]}"#)
        #expect(punct.encode("Hey friend!") == [13, 19])
        #expect(punct.encode("<s>Hey friend") == [20, 1, 2, 3, 19])
        #expect(punct.encode("!Hey friend") == [1, 2, 3, 19])
        #expect(punct.encode("  Hey friend") == [0, 13, 19])

        // Nested Sequence behaves as the flat one.
        let nested = try Self.tokenizer(
            #"{"type": "Sequence", "pretokenizers": [{"type": "Sequence", "pretokenizers": [{"type": "WhitespaceSplit"}]}, {"type": "Sequence", "pretokenizers": [\#(Self.metaspace("first"))]}]}"#)
        #expect(nested.encode("Hey friend!") == [13, 18, 9])
        #expect(nested.encode(" Hey") == [1, 2, 3])
    }

    @Test func batchAgreesWithSingleEncode() throws {
        let t = try Self.tokenizer(Self.metaspace("first"))
        let texts = ["Hey friend!", "<s>Hey friend", "Hey<s>friend", "friend<s> Hey"]
        #expect(t.encodeBatch(texts, threads: 2) == texts.map { t.encode($0) })
    }

    /// HF tests the offset in the *original* text: a normalizer that deletes
    /// leading characters (Strip, StripAccents, Replace with "") moves the
    /// stretch off offset 0, one that puts characters in front (Prepend, a
    /// non-empty Replace) does not. Expected ids: Python `tokenizers`.
    @Test func normalizerThatDeletesTheStartTurnsThePrefixOff() throws {
        let cases: [(normalizers: [String], expected: [(String, [UInt32])])] = [
            // strip
            ([#"{"type": "Strip", "strip_left": true, "strip_right": true}"#], [
                ("Hey friend", [13, 19]),
                ("  Hey friend", [1, 2, 3, 19]),
                ("!Hey friend", [0, 9, 1, 2, 3, 19]),
                ("!!Hey", [0, 9, 9, 1, 2, 3]),
                ("\u{0301}Hey", [0, 21, 1, 2, 3]),
                ("<s> Hey", [20, 1, 2, 3]),
                (" <s>Hey", [20, 1, 2, 3]),
            ]),
            // replaceBang, as a literal and as a regex
            ([#"{"type": "Replace", "pattern": {"String": "!"}, "content": ""}"#, #"{"type": "Replace", "pattern": {"Regex": "!+"}, "content": ""}"#], [
                ("Hey friend", [13, 19]),
                ("  Hey friend", [0, 13, 19]),
                ("!Hey friend", [1, 2, 3, 19]),
                ("!!Hey", [1, 2, 3]),
                ("\u{0301}Hey", [0, 21, 1, 2, 3]),
                ("<s> Hey", [20, 13]),
                (" <s>Hey", [0, 20, 1, 2, 3]),
            ]),
            // replaceBangKeep
            ([#"{"type": "Replace", "pattern": {"String": "!"}, "content": "e"}"#], [
                ("Hey friend", [13, 19]),
                ("  Hey friend", [0, 13, 19]),
                ("!Hey friend", [0, 2, 1, 2, 3, 19]),
                ("!!Hey", [0, 2, 2, 1, 2, 3]),
                ("\u{0301}Hey", [0, 21, 1, 2, 3]),
                ("<s> Hey", [20, 13]),
                (" <s>Hey", [0, 20, 1, 2, 3]),
            ]),
            // stripAccents
            ([#"{"type": "StripAccents"}"#], [
                ("Hey friend", [13, 19]),
                ("  Hey friend", [0, 13, 19]),
                ("!Hey friend", [0, 9, 1, 2, 3, 19]),
                ("!!Hey", [0, 9, 9, 1, 2, 3]),
                ("\u{0301}Hey", [1, 2, 3]),
                ("<s> Hey", [20, 13]),
                (" <s>Hey", [0, 20, 1, 2, 3]),
            ]),
            // prepend, alone and before Strip (which then finds nothing to strip)
            ([#"{"type": "Prepend", "prepend": "!"}"#, #"{"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "!"}, {"type": "Strip", "strip_left": true, "strip_right": false}]}"#], [
                ("Hey friend", [0, 9, 1, 2, 3, 19]),
                ("  Hey friend", [0, 9, 0, 13, 19]),
                ("!Hey friend", [0, 9, 9, 1, 2, 3, 19]),
                ("!!Hey", [0, 9, 9, 9, 1, 2, 3]),
                ("\u{0301}Hey", [0, 9, 21, 1, 2, 3]),
                ("<s> Hey", [20, 9, 13]),
                (" <s>Hey", [0, 9, 0, 20, 9, 1, 2, 3]),
            ]),
            // stripThenPrepend
            ([#"{"type": "Sequence", "normalizers": [{"type": "Strip", "strip_left": true, "strip_right": false}, {"type": "Prepend", "prepend": "!"}]}"#], [
                ("Hey friend", [0, 9, 1, 2, 3, 19]),
                ("  Hey friend", [9, 1, 2, 3, 19]),
                ("!Hey friend", [0, 9, 9, 1, 2, 3, 19]),
                ("!!Hey", [0, 9, 9, 9, 1, 2, 3]),
                ("\u{0301}Hey", [0, 9, 21, 1, 2, 3]),
                ("<s> Hey", [20, 9, 1, 2, 3]),
                (" <s>Hey", [20, 9, 1, 2, 3]),
            ]),
        ]
        for (normalizers, expected) in cases {
            for normalizer in normalizers {
                let t = try CoreBPETests.tokenizer(
                    vocab: Self.vocab, merges: Self.merges, preTokenizer: Self.metaspace("first"),
                    addedTokens: Self.added, normalizer: normalizer)
                for (text, ids) in expected {
                    #expect(t.encode(text) == ids, "\(normalizer) on \(text.debugDescription)")
                }
            }
        }
    }
}
