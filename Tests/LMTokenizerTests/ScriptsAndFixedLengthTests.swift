import LMJSON
import Testing

@testable import LMTokenizer

// Expected pieces from Python `tokenizers` 0.23.3 (`pre_tokenize_str`).
struct ScriptsAndFixedLengthTests {
    func make(_ entries: KeyValuePairs<String, JSONValue>) throws -> any PreTokenizer {
        try makeComponent(ExtraJSON.object(entries), path: "pre_tokenizer", kind: "pre-tokenizer", factories: preTokenizerFactories)
    }

    @Test func unicodeScripts() throws {
        let scripts = try make(["type": .string("UnicodeScripts")])
        // Hiragana counts as Han; "。" is Common.
        #expect(try ExtraJSON.pieces(scripts, "どこで生れ。Yes") == ["どこで生れ", "。", "Yes"])
        // " " is Any: it never cuts and is not compared with, so the cut
        // after a space run comes before the next script; digits are Common.
        #expect(try ExtraJSON.pieces(scripts, "日本 語 abc 一 x1") == ["日本 語 ", "abc ", "一 ", "x", "1"])
        #expect(try ExtraJSON.pieces(scripts, "") == [])
        // Leading Any scalars are dropped; a piece of only Any gives nothing.
        #expect(try ExtraJSON.pieces(scripts, " hello") == ["hello"])
        #expect(try ExtraJSON.pieces(scripts, " a b") == ["a b"])
        #expect(try ExtraJSON.pieces(scripts, "  \u{9DA}") == [])
        #expect(UnicodeScriptsPreTokenizer.scriptClass(0x20) == 0)
        #expect(UnicodeScriptsPreTokenizer.scriptClass(0x3042) == UnicodeScriptsPreTokenizer.scriptClass(0x4E00))
    }

    @Test func fixedLength() throws {
        let five = try make(["type": .string("FixedLength"), "length": .int(5)])
        #expect(try ExtraJSON.pieces(five, "Hello world") == ["Hello", " worl", "d"])
        // Characters, not bytes.
        let three = try make(["type": .string("FixedLength"), "length": .int(3)])
        #expect(try ExtraJSON.pieces(three, "héllo") == ["hél", "lo"])
        // HF's default length is 5; 0 would panic in HF.
        #expect(try ExtraJSON.pieces(try make(["type": .string("FixedLength")]), "abcdefg") == ["abcde", "fg"])
        #expect(throws: TokenizerError.self) { try make(["type": .string("FixedLength"), "length": .int(0)]) }
    }

    @Test func ctcDecoder() throws {
        let ctc = try makeComponent(
            ExtraJSON.object(["type": .string("CTC"), "pad_token": .string("<pad>"),
                              "word_delimiter_token": .string("|"), "cleanup": .bool(true)]),
            path: "decoder", kind: "decoder", factories: decoderFactories)
        let tokens = "<pad> <pad> h e e l l <pad> l o o o <pad>".split(separator: " ").map(String.init)
        #expect(try ctc.decodeChain(tokens) == ["h", "e", "l", "l", "o"])
        // "|" becomes a space; " ." is cleaned up to ".".
        #expect(try ctc.decodeChain(["h", "i", "|", "t", "h", "e", "r", "e", "|", "|", "."]).joined() == "hi there .")
    }
}
