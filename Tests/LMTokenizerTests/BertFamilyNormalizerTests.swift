import LMJSON
import Testing

@testable import LMTokenizer

// Expected strings from Python `tokenizers` 0.23.3 (`normalize_str`).
struct BertFamilyNormalizerTests {
    static func bert(_ fields: String) throws -> any Normalizer {
        try makeComponent(
            try JSONParser.parse(Array(#"{"type": "BertNormalizer", \#(fields)}"#.utf8)), path: "normalizer",
            kind: "normalizer", factories: normalizerFactories)
    }

    @Test func bertDefaults() throws {
        // Tab -> " ", NUL and ZWSP (Cf) dropped, ideographs spaced, accents
        // stripped (strip_accents null follows lowercase), lowercased;
        // fullwidth Ａ has only a compatibility decomposition, so NFD keeps it.
        let n = try Self.bert(#""clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": true"#)
        #expect(try n.normalize("Héllo\tWÖRLD\u{0}\u{200B}你好ＡＢ\u{301}") == "hello world 你  好 ａｂ")
        // Pure ASCII takes the byte path: same rules.
        #expect(try n.normalize("A\tB\u{1}C\u{7F}d\r\n") == "a bcd  ")
    }

    @Test func bertCasedKeepsAccents() throws {
        let n = try Self.bert(#""clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": false"#)
        #expect(try n.normalize("Héllo\tWÖRLD\u{0}\u{200B}你好") == "Héllo WÖRLD 你  好 ")
        let strip = try Self.bert(#""clean_text": false, "handle_chinese_chars": false, "strip_accents": true, "lowercase": false"#)
        #expect(try strip.normalize("Héllo\u{0} naïve") == "Hello\u{0} naive")
    }

    @Test func bertStripsUnicode8NonspacingMarks() throws {
        // HF's categories are Unicode 8.0's: U+1734 and U+1171E were Mn then
        // (stripped), U+1885, U+1886, U+A9BD and U+111C9 were not (kept).
        let strip = try Self.bert(#""clean_text": false, "handle_chinese_chars": false, "strip_accents": true, "lowercase": false"#)
        #expect(try strip.normalize("a\u{1734}b\u{1171E}c") == "abc")
        #expect(try strip.normalize("\u{1885}\u{1886}\u{A9BD}\u{111C9}\u{301}") == "\u{1885}\u{1886}\u{A9BD}\u{111C9}")
    }

    @Test func bertTracksTheStart() throws {
        let n = try Self.bert(#""clean_text": true, "handle_chinese_chars": true, "strip_accents": true, "lowercase": true"#)
        #expect(try n.normalizeTrackingStart("\u{1}ab").keepsStart == false)
        #expect(try n.normalizeTrackingStart("\u{301}é").keepsStart == false)
        #expect(try n.normalizeTrackingStart("你a") == (" 你 a", true))
        #expect(try n.normalizeTrackingStart("Éa") == ("ea", true))
    }

    @Test func bertOrigins() throws {
        let n = try Self.bert(#""clean_text": true, "handle_chinese_chars": true, "strip_accents": true, "lowercase": true"#)
        // A dropped control takes its origin along; an ideograph's spaces share its origin.
        #expect(try n.normalizeTrackingOrigin("\u{1}ab", fromFirst: 2) == ("ab", 1))
        #expect(try n.normalizeTrackingOrigin("你a", fromFirst: 1) == (" 你 a", 3))
        // "É" decomposes to E + U+0301; the mark goes, "e" keeps the origin.
        #expect(try n.normalizeTrackingOrigin("Éa", fromFirst: 1) == ("ea", 1))
        let nmt = try ExtraJSON.normalizer(["type": .string("Nmt")])
        #expect(try nmt.normalizeTrackingOrigin("\u{1}\u{2}a", fromFirst: 2) == ("a", 0))
        let bytes = try ExtraJSON.normalizer(["type": .string("ByteLevel")])
        #expect(try bytes.normalizeTrackingOrigin("éa", fromFirst: 1) == ("Ã©a", 2))
    }

    @Test func bertRequiresItsFields() throws {
        #expect(throws: TokenizerError.self) { try Self.bert(#""clean_text": true"#) }
    }

    @Test func nmt() throws {
        let n = try ExtraJSON.normalizer(["type": .string("Nmt")])
        // U+0001 and U+007F dropped; tab, ZWSP and "▁" become " "; U+0085 stays.
        #expect(try n.normalize("a\u{1}b\tc\u{200B}d\u{2581}e\u{7F}f\u{85}g") == "ab c d ef\u{85}g")
        #expect(try n.normalizeTrackingStart("\u{1}a") == ("a", false))
    }

    @Test func byteLevel() throws {
        let n = try ExtraJSON.normalizer(["type": .string("ByteLevel")])
        #expect(try n.normalize("Hello 我") == "HelloĠæĪĳ")
        #expect(try n.normalize("") == "")
    }
}
