import LMJSON
import Testing

@testable import LMTokenizer

// Expected pieces come from Python `tokenizers` 0.23.3
// (`pre_tokenizers.X().pre_tokenize_str(...)`), pasted as literals.
struct ExtraPreTokenizerTests {
    func make(_ entries: KeyValuePairs<String, JSONValue>) throws -> any PreTokenizer {
        try makeComponent(ExtraJSON.object(entries), path: "pre_tokenizer", kind: "pre-tokenizer", factories: preTokenizerFactories)
    }

    @Test func digitsUseUnicodeNumeric() throws {
        // Fullwidth, Arabic-Indic, fractions and superscripts are all numeric.
        let individual = try make(["type": .string("Digits"), "individual_digits": .bool(true)])
        #expect(try ExtraJSON.pieces(individual, "a12b３٣½²x") == ["a", "1", "2", "b", "３", "٣", "½", "²", "x"])
        let runs = try make(["type": .string("Digits"), "individual_digits": .bool(false)])
        #expect(try ExtraJSON.pieces(runs, "a12b３٣½²x") == ["a", "12", "b", "３٣½²", "x"])
        #expect(try ExtraJSON.pieces(runs, "") == [])
    }

    @Test func whitespaceWordClass() throws {
        let ws = try make(["type": .string("Whitespace")])
        #expect(
            try ExtraJSON.pieces(ws, "héllo wörld_1 !!?? 你好 a\u{301}b ½ ²")
                == ["héllo", "wörld_1", "!!??", "你好", "a\u{301}b", "½", "²"])
        // ZWJ joins words; ½² and · are not word scalars; U+001F is not space.
        #expect(
            try ExtraJSON.pieces(ws, "a½²b ab·c x\u{200D}y \u{A0}z\u{2028}q \u{1F}w x_y a-b")
                == ["a", "½²", "b", "ab", "·", "c", "x\u{200D}y", "z", "q", "\u{1F}", "w", "x_y", "a", "-", "b"])
    }

    @Test func whitespaceSplit() throws {
        // ZWSP and U+001F/U+001C are not White_Space; U+0085 is.
        let split = try make(["type": .string("WhitespaceSplit")])
        #expect(try ExtraJSON.pieces(split, "a\u{A0}b\u{200B}c\u{2028}d\u{1F}e\u{1C}f\u{85}g") == ["a", "b\u{200B}c", "d\u{1F}e\u{1C}f", "g"])
        #expect(try ExtraJSON.pieces(split, "   ") == [])
    }

    @Test func punctuationBehaviors() throws {
        #expect(try ExtraJSON.pieces(try make(["type": .string("Punctuation")]), "a,b..c¿d") == ["a", ",", "b", ".", ".", "c", "¿", "d"])
        #expect(try ExtraJSON.pieces(try make(["type": .string("Punctuation"), "behavior": .string("Contiguous")]), "a,,b..c¿d$+<") == ["a", ",,", "b", "..", "c", "¿", "d", "$+<"])
        #expect(try ExtraJSON.pieces(try make(["type": .string("Punctuation"), "behavior": .string("Removed")]), "a,b..c") == ["a", "b", "c"])
        #expect(try ExtraJSON.pieces(try make(["type": .string("Punctuation"), "behavior": .string("MergedWithPrevious")]), "a,b..c!") == ["a,", "b.", ".", "c!"])
        #expect(try ExtraJSON.pieces(try make(["type": .string("Punctuation"), "behavior": .string("MergedWithNext")]), "!a,b..c") == ["!a", ",b", ".", ".c"])
        #expect(throws: TokenizerError.invalidField(path: "pre_tokenizer.behavior", reason: "unknown split behavior Sideways")) {
            _ = try make(["type": .string("Punctuation"), "behavior": .string("Sideways")])
        }
    }

    @Test func unicodeVersionsMatchHF() throws {
        // HF's punctuation table is Unicode 8.0: U+061D (added in 14.0) is not
        // punctuation, U+166D (Po in 8.0, So now) still is.
        #expect(try ExtraJSON.pieces(try make(["type": .string("Punctuation")]), "a\u{61D}b\u{166D}c") == ["a\u{61D}b", "\u{166D}", "c"])
        // Oniguruma's \w is Unicode 16.0: U+088F (added in 17.0) is not a word
        // character, U+31350 (CJK Extension H, 15.0) is.
        #expect(try ExtraJSON.pieces(try make(["type": .string("Whitespace")]), "a\u{88F}b \u{31350}x") == ["a", "\u{88F}", "b", "\u{31350}x"])
    }

    @Test func charDelimiterSplit() throws {
        // HF: CharDelimiterSplit("é") on "aébééc é" gives a|b|"c " (empty pieces dropped).
        let split = try make(["type": .string("CharDelimiterSplit"), "delimiter": .string("é")])
        #expect(try ExtraJSON.pieces(split, "aébééc é") == ["a", "b", "c "])
        #expect(throws: TokenizerError.invalidField(path: "pre_tokenizer.delimiter", reason: "missing string")) {
            _ = try make(["type": .string("CharDelimiterSplit")])
        }
    }

    @Test func bertPreTokenizer() throws {
        #expect(try ExtraJSON.pieces(try make(["type": .string("BertPreTokenizer")]), "Hello, world!  x") == ["Hello", ",", "world", "!", "x"])
    }

    @Test func metaspaceSchemes() throws {
        let always = try make(["type": .string("Metaspace"), "replacement": .string("▁"), "prepend_scheme": .string("always"), "split": .bool(true)])
        #expect(try ExtraJSON.pieces(always, "Hey  friend! ▁x") == ["▁Hey", "▁", "▁friend!", "▁", "▁x"])
        let never = try make(["type": .string("Metaspace"), "replacement": .string("▁"), "prepend_scheme": .string("never"), "split": .bool(true)])
        #expect(try ExtraJSON.pieces(never, "Hey  friend!") == ["Hey", "▁", "▁friend!"])
        let unsplit = try make(["type": .string("Metaspace"), "replacement": .string("▁"), "prepend_scheme": .string("always"), "split": .bool(false)])
        #expect(try ExtraJSON.pieces(unsplit, "Hey  friend!") == ["▁Hey▁▁friend!"])
        // Older files: add_prefix_space true means "always".
        let legacy = try make(["type": .string("Metaspace"), "replacement": .string("▁"), "add_prefix_space": .bool(true)])
        #expect(try ExtraJSON.pieces(legacy, "Hey friend") == ["▁Hey", "▁friend"])
    }

    @Test func metaspaceFirstNeedsTheStartFlag() throws {
        // HF: Metaspace(prepend_scheme="first") gives ["▁Hey", "▁friend"] on
        // "Hey friend", but after WhitespaceSplit only the split at offset 0
        // gets the prefix: ["▁Hey", "friend"].
        let first = try #require(
            try make(["type": .string("Metaspace"), "replacement": .string("▁"), "prepend_scheme": .string("first")]) as? MetaspacePreTokenizer)
        func run(_ text: String, startsInput: Bool) -> [String] {
            var out = PieceList()
            Array(text.utf8).withUnsafeBufferPointer { first.split(unsafeBytes: $0, startsInput: startsInput, into: &out) }
            return (0..<out.count).map { String(decoding: out.bytes[out.range(at: $0)], as: UTF8.self) }
        }
        #expect(run("Hey friend", startsInput: true) == ["▁Hey", "▁friend"])
        #expect(run("Hey", startsInput: true) + run("friend", startsInput: false) == ["▁Hey", "friend"])
        // Through the protocol the stored flag decides (default: not the start).
        #expect(try ExtraJSON.pieces(first, "friend") == ["friend"])
        var flagged = first
        flagged.pieceStartsInput = true
        #expect(try ExtraJSON.pieces(flagged, "friend") == ["▁friend"])
    }

    @Test func utf8DecoderNeverTrapsOnBadBytes() {
        // Truncated and stray bytes decode as one-byte U+FFFD.
        let bytes: [UInt8] = [0xE4, 0xBD, 0x41, 0x80, 0xF0, 0x9F, 0x98, 0x80]
        var scalars: [Unicode.Scalar] = []
        bytes.withUnsafeBufferPointer { buffer in
            var i = 0
            while i < buffer.count {
                let (s, n) = UTF8Scalars.scalar(inUnsafeBytes: buffer, at: i)
                scalars.append(s)
                i += n
            }
        }
        #expect(scalars == ["\u{FFFD}", "\u{FFFD}", "A", "\u{FFFD}", "😀"])
    }
}

/// Stages after ByteLevel in a Sequence see GPT-2's byte-mapped text, as in
/// HF; pieces come back as raw bytes (lmshard's vocabulary is in bytes).
/// Expected pieces: Python `tokenizers` 0.23.3 `pre_tokenize_str`, mapped
/// back to bytes by hand ("Ġ" = 0x20, "Â" = 0xC2, "½" = 0xBD).
struct ByteLevelInSequenceTests {
    static func byteLevel() -> JSONValue {
        ExtraJSON.object(["type": .string("ByteLevel"), "add_prefix_space": .bool(false), "use_regex": .bool(true)])
    }

    static func pieces(_ stages: [JSONValue], _ text: String) throws -> [[UInt8]] {
        let pre = try makePreTokenizer(
            ExtraJSON.object(["type": .string("Sequence"), "pretokenizers": .array(stages)]), path: "pre_tokenizer")
        var out = PieceList()
        try Array(text.utf8).withUnsafeBufferPointer { try pre.split(unsafeBytes: $0, into: &out) }
        return (0..<out.count).map { Array(out.bytes[out.range(at: $0)]) }
    }

    @Test func digitsAfterByteLevelSeeTheMappedHalf() throws {
        // HF: [("ĠÂ"), ("½"), ("Ġcup")]: "½" (C2 BD) is "Â½" after ByteLevel,
        // and only "½" is numeric, so the space keeps the first byte.
        let digits = ExtraJSON.object(["type": .string("Digits"), "individual_digits": .bool(true)])
        #expect(try Self.pieces([Self.byteLevel(), digits], " ½ cup") == [[0x20, 0xC2], [0xBD], Array(" cup".utf8)])
    }

    @Test func falconLayout() throws {
        // HF: x | = | 123 | 45 | ĠÂ | ½ | !
        let stages: [JSONValue] = [
            ExtraJSON.object(["type": .string("Punctuation"), "behavior": .string("Isolated")]),
            Self.byteLevel(),
            ExtraJSON.object(["type": .string("Digits"), "individual_digits": .bool(false)]),
            ExtraJSON.object([
                "type": .string("Split"), "pattern": ExtraJSON.object(["Regex": .string("[0-9][0-9][0-9]")]),
                "behavior": .string("Isolated"), "invert": .bool(false),
            ]),
        ]
        #expect(
            try Self.pieces(stages, "x=12345 ½!")
                == [[0x78], [0x3D], Array("123".utf8), Array("45".utf8), [0x20, 0xC2], [0xBD], [0x21]])
    }

    @Test func aSecondByteLevelIsRefused() {
        #expect(throws: TokenizerError.self) { try Self.pieces([Self.byteLevel(), Self.byteLevel()], "x") }
    }
}
