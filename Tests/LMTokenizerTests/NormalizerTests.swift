import LMJSON
import Testing

@testable import LMTokenizer

/// Builders shared by the Extra* tests: JSON literals written by hand.
enum ExtraJSON {
    static func object(_ entries: KeyValuePairs<String, JSONValue>) -> JSONValue {
        .object(JSONObject(entries.map { (key: $0.key, value: $0.value) }))
    }

    static func normalizer(_ entries: KeyValuePairs<String, JSONValue>) throws -> any Normalizer {
        try makeComponent(object(entries), path: "normalizer", kind: "normalizer", factories: normalizerFactories)
    }

    static func pieces(_ pre: any PreTokenizer, _ text: String) throws -> [String] {
        var out = PieceList()
        try Array(text.utf8).withUnsafeBufferPointer { try pre.split(unsafeBytes: $0, into: &out) }
        return (0..<out.count).map { String(decoding: out.bytes[out.range(at: $0)], as: UTF8.self) }
    }
}

// Every expected value below was produced by Python `tokenizers` 0.23.3
// (`tokenizers.normalizers.X().normalize_str(...)`) and pasted as a literal.
struct ExtraNormalizerTests {
    @Test func unicodeForms() throws {
        // NFKC folds the ligature and the circled digit and composes Å.
        #expect(try ExtraJSON.normalizer(["type": .string("NFKC")]).normalize("ﬁ①A\u{030A}") == "fi1Å")
        #expect(try ExtraJSON.normalizer(["type": .string("NFD")]).normalize("é") == "e\u{0301}")
        #expect(try ExtraJSON.normalizer(["type": .string("NFC")]).normalize("e\u{0301}") == "é")
        #expect(try ExtraJSON.normalizer(["type": .string("NFKD")]).normalize("ﬁ é") == "fi e\u{0301}")
        // ASCII passes through untouched.
        #expect(try ExtraJSON.normalizer(["type": .string("NFC")]).normalize("plain ascii") == "plain ascii")
    }

    @Test func lowercaseHasNoFinalSigmaAndUsesFullMappings() throws {
        // HF maps scalar by scalar: the last Σ becomes σ, not ς; İ becomes i + U+0307.
        let lower = try ExtraJSON.normalizer(["type": .string("Lowercase")])
        #expect(try lower.normalize("HeLLo ΣΑΣ İ") == "hello σασ i\u{0307}")
        #expect(try lower.normalize("ABC xyz 123") == "abc xyz 123")
    }

    @Test func replaceStringMatchesInsideGraphemes() throws {
        // A space followed by a combining mark is one Swift Character but HF
        // still replaces the space: "a \u{301}" -> "a▁\u{301}".
        let replace = try ExtraJSON.normalizer([
            "type": .string("Replace"), "pattern": ExtraJSON.object(["String": .string(" ")]), "content": .string("▁"),
        ])
        #expect(try replace.normalize("a \u{0301}") == "a▁\u{0301}")
        #expect(try replace.normalize(" a  b") == "▁a▁▁b")
        // Non-overlapping, left to right: "aaaaa" with "aa" -> "--a".
        let pairs = try ExtraJSON.normalizer([
            "type": .string("Replace"), "pattern": ExtraJSON.object(["String": .string("aa")]), "content": .string("-"),
        ])
        #expect(try pairs.normalize("aaaaa") == "--a")
    }

    @Test func replaceRegex() throws {
        let spaces = try ExtraJSON.normalizer([
            "type": .string("Replace"), "pattern": ExtraJSON.object(["Regex": .string("\\s+")]), "content": .string(" "),
        ])
        #expect(try spaces.normalize("a  \n b") == "a b")
        // Empty matches: HF gives "-b-c-" for `a*` on "baac".
        let star = try ExtraJSON.normalizer([
            "type": .string("Replace"), "pattern": ExtraJSON.object(["Regex": .string("a*")]), "content": .string("-"),
        ])
        #expect(try star.normalize("baac") == "-b-c-")
    }

    @Test func stripPrependAndSequence() throws {
        // White_Space only: U+00A0, U+3000 and U+0085 go, U+001F stays.
        let strip = try ExtraJSON.normalizer(["type": .string("Strip"), "strip_left": .bool(true), "strip_right": .bool(true)])
        #expect(try strip.normalize("\u{A0}\u{3000} a b\u{1F}\n\u{85}") == "a b\u{1F}")
        let left = try ExtraJSON.normalizer(["type": .string("Strip"), "strip_left": .bool(true), "strip_right": .bool(false)])
        #expect(try left.normalize("  a  ") == "a  ")
        // Prepend leaves empty text empty.
        let prepend = try ExtraJSON.normalizer(["type": .string("Prepend"), "prepend": .string("▁")])
        #expect(try prepend.normalize("") == "")
        #expect(try prepend.normalize("a") == "▁a")
        // Sequence: Strip, Prepend, Replace -> "▁a▁b▁\u{301}".
        let sequence = try ExtraJSON.normalizer([
            "type": .string("Sequence"),
            "normalizers": .array([
                ExtraJSON.object(["type": .string("Strip"), "strip_left": .bool(true), "strip_right": .bool(true)]),
                ExtraJSON.object(["type": .string("Prepend"), "prepend": .string("▁")]),
                ExtraJSON.object(["type": .string("Replace"), "pattern": ExtraJSON.object(["String": .string(" ")]), "content": .string("▁")]),
            ]),
        ])
        #expect(try sequence.normalize("  a b \u{0301} ") == "▁a▁b▁\u{0301}")
    }

    @Test func stripAccentsRemovesEveryMark() throws {
        // U+0903 is a spacing mark (Mc); HF removes it too.
        #expect(try ExtraJSON.normalizer(["type": .string("StripAccents")]).normalize("a\u{0301}b\u{0903}c") == "abc")
    }

    @Test func unicodeVersionsMatchHF() throws {
        // HF's normalization tables are Unicode 11.0: U+32FF (12.1) and U+A7F2
        // (14.0) keep their form, while U+3300 expands and e + U+301 composes.
        let nfkc = try ExtraJSON.normalizer(["type": .string("NFKC")])
        #expect(try nfkc.normalize("\u{32FF}\u{3300}") == "\u{32FF}アパート")
        #expect(try nfkc.normalize("\u{A7F2} e\u{301}") == "\u{A7F2} é")
        // StripAccents uses Unicode 9.0 marks: U+1CF2 goes, U+111C9 and U+0898 stay.
        let strip = try ExtraJSON.normalizer(["type": .string("StripAccents")])
        #expect(try strip.normalize("a\u{1CF2}b\u{111C9}c\u{898}d") == "ab\u{111C9}c\u{898}d")
    }

    @Test func errorsNameTheFieldPath() throws {
        #expect(throws: TokenizerError.invalidField(path: "normalizer.normalizers[1].prepend", reason: "missing string")) {
            _ = try ExtraJSON.normalizer([
                "type": .string("Sequence"),
                "normalizers": .array([ExtraJSON.object(["type": .string("NFC")]), ExtraJSON.object(["type": .string("Prepend")])]),
            ])
        }
        #expect(throws: TokenizerError.unsupportedComponent(path: "normalizer", type: "Fancy")) {
            _ = try ExtraJSON.normalizer(["type": .string("Fancy")])
        }
        #expect(throws: TokenizerError.self) {
            _ = try ExtraJSON.normalizer([
                "type": .string("Replace"), "pattern": ExtraJSON.object(["Regex": .string("(unclosed")]), "content": .string("x"),
            ])
        }
    }
}

/// How many leading scalars come from the input's first character (HF's
/// `offsets_original().0 == 0`, which Metaspace "first" tests), worked out
/// from HF's alignment rules in `NormalizedString::transform` / `replace`.
struct OriginTrackingTests {
    static func replace(_ pattern: String, _ content: String) throws -> any Normalizer {
        try ExtraJSON.normalizer([
            "type": .string("Replace"), "pattern": ExtraJSON.object(["String": .string(pattern)]),
            "content": .string(content),
        ])
    }

    @Test func nfkcThenDeletingReplaceKeepsTheOrigin() throws {
        // NFKC: "ﬁ" -> "fi", both from "ﬁ"; deleting "f" leaves "i", still from it.
        let sequence = NormalizerSequence([UnicodeNormalizer(.nfkc), try Self.replace("f", "")])
        let (text, fromFirst) = try sequence.normalizeTrackingOrigin("ﬁx", fromFirst: 1)
        #expect(text == "ix")
        #expect(fromFirst == 1)
    }

    @Test func replacementTakesTheOriginOfTheMatchsLastCharacter() throws {
        // "ab" -> "X": "X" comes from "b", not from the first character.
        #expect(try Self.replace("ab", "X").normalizeTrackingOrigin("abc", fromFirst: 1) == ("Xc", 0))
        // "a" -> "XY": both come from "a".
        #expect(try Self.replace("a", "XY").normalizeTrackingOrigin("abc", fromFirst: 1) == ("XYbc", 2))
        // Deleting the first character hands the start to "b", which is not it.
        #expect(try Self.replace("a", "").normalizeTrackingOrigin("abc", fromFirst: 1) == ("bc", 0))
    }

    @Test func prependAndStripMoveTheCount() throws {
        #expect(PrependNormalizer(prepend: "▁").normalizeTrackingOrigin("ab", fromFirst: 1) == ("▁ab", 2))
        #expect(StripNormalizer(left: true, right: true).normalizeTrackingOrigin("  ab ", fromFirst: 1) == ("ab", 0))
        #expect(LowercaseNormalizer().normalizeTrackingOrigin("İx", fromFirst: 1) == ("i\u{307}x", 2))
    }
}
