import LMJSON
import Testing

@testable import LMTokenizer

/// Split / Replace regexes on Oniguruma. Every expected value was produced
/// by Python `tokenizers` 0.23.3 (`pre_tokenizers.Split(Regex(p), b)
/// .pre_tokenize_str(s)`, `normalizers.Replace(Regex(p), c).normalize_str(s)`)
/// and pasted as a literal; the comments say why HF gives it.
struct OnigRegexTests {
    static func split(_ pattern: String, _ behavior: String, _ text: String, invert: Bool = false) throws -> [String] {
        let pre = try makePreTokenizer(
            ExtraJSON.object([
                "type": .string("Split"), "pattern": ExtraJSON.object(["Regex": .string(pattern)]),
                "behavior": .string(behavior), "invert": .bool(invert),
            ]), path: "pre_tokenizer")
        return try ExtraJSON.pieces(pre, text)
    }

    static func replace(_ pattern: String, _ content: String, _ text: String) throws -> String {
        try ExtraJSON.normalizer([
            "type": .string("Replace"), "pattern": ExtraJSON.object(["Regex": .string(pattern)]),
            "content": .string(content),
        ]).normalize(text)
    }

    @Test func zeroWidthMatchesSplit() throws {
        // (?=\d) matches, empty, before each digit; MergedWithNext glues
        // each such match to what follows.
        #expect(try Self.split(#"(?=\d)"#, "MergedWithNext", "ab12c3") == ["ab", "1", "2c", "3"])
        // \b matches at the four word edges; Isolated keeps the text between.
        #expect(try Self.split(#"\b"#, "Isolated", "ab cd") == ["ab", " ", "cd"])
        #expect(try Self.split(#"\b"#, "MergedWithPrevious", "ab cd") == ["ab", " ", "cd"])
        // ^ matches at every line start in Oniguruma (Ruby semantics).
        #expect(try Self.split("^", "MergedWithNext", "ab\ncd\n") == ["ab\n", "cd\n"])
        // a* is empty before "b", then "aa"; the empty match right after
        // "aa" is skipped, the one at the end is kept (and dropped as empty).
        #expect(try Self.split("a*", "Isolated", "baac") == ["b", "aa", "c"])
    }

    @Test func replaceFollowsOniguruma() throws {
        #expect(try Self.replace("a*", "-", "baac") == "-b-c-")
        // $ matches before every newline and at the end.
        #expect(try Self.replace("$", "-", "a\nb\n") == "a-\nb-\n-")
        // . matches \r but not \n.
        #expect(try Self.replace(".", "-", "a\r\nb") == "--\n-")
        // \h is a hex digit (ICU: horizontal space).
        #expect(try Self.replace(#"\h"#, "-", "afgz09 \t") == "--gz-- \t")
        // HF never searches empty text.
        #expect(try Self.replace("^", "-", "") == "")
    }

    @Test func unicode16Properties() throws {
        // U+31350 (CJK Extension H, Unicode 15.0) is a letter to HF's
        // Oniguruma; the system library (Unicode 14.0) does not know it.
        #expect(try Self.split(#"\p{L}+"#, "Removed", "a\u{31350}b") == [])
        // U+1CCF0 (Unicode 16.0 outlined digit) is Nd, not a letter;
        // U+088F and U+323B0 (Unicode 17) are unassigned in both.
        #expect(try Self.split(#"\p{L}+"#, "Removed", "x\u{1CCF0}y\u{88F}z\u{323B0}") == ["\u{1CCF0}", "\u{88F}", "\u{323B0}"])
        #expect(try Self.split(#"\d"#, "Removed", "1\u{1CCF0}\u{11F50}x") == ["x"])
        #expect(try Self.split(#"\w+"#, "Removed", "a\u{31350}\u{1CCF0}") == [])
        // [[:punct:]] is \p{P} + \p{S} in HF's Oniguruma 6.9.10 (6.9.8: \p{P}).
        #expect(try Self.split("[[:punct:]]", "Removed", "a$b+c!d") == ["a", "b", "c", "d"])
        // Property names new in Unicode 15-16 compile.
        #expect(try Self.split(#"\p{Kawi}"#, "Removed", "a\u{11F04}b") == ["a", "b"])
        #expect(try Self.split(#"\p{Garay}+"#, "Isolated", "a\u{10D40}b") == ["a", "\u{10D40}", "b"])
    }

    @Test func invertedAndRemovedTiles() throws {
        // Invert: the gaps between words are what Removed drops.
        #expect(try Self.split(#"\w+"#, "Removed", "ab, cd", invert: true) == ["ab", "cd"])
        #expect(try Self.split(#"\s+"#, "Contiguous", " a  b ") == [" ", "a", "  ", "b", " "])
    }

    @Test func retryLimitFailsInsteadOfHanging() throws {
        // HF: "Onig: Regex search error: retry-limit-in-match over" after
        // ~0.6 s; without the limit this backtracks for minutes.
        let hostile = String(repeating: "a", count: 100) + "!"
        #expect(throws: TokenizerError.self) { try Self.split("(a|aa)+$", "Isolated", hostile) }
        do {
            _ = try Self.split("(a|aa)+$", "Isolated", hostile)
        } catch let error as TokenizerError {
            #expect(error.description.contains("retry-limit-in-match over"))
            #expect(error.description.contains("pre_tokenizer.pattern.Regex"))
        }
    }

    @Test func badPatternsAreRejectedAtLoad() {
        #expect(throws: TokenizerError.self) { try Self.split("(", "Isolated", "x") }
        #expect(throws: TokenizerError.self) { try Self.split(#"\p{NoSuchProperty}"#, "Isolated", "x") }
    }

    @Test func emptyLiteralMatchesBeforeEveryCharacter() throws {
        // HF escapes {"String": ""} into the regex "", which matches at each
        // character boundary: Removed keeps every character apart.
        let pre = try makePreTokenizer(
            ExtraJSON.object([
                "type": .string("Split"), "pattern": ExtraJSON.object(["String": .string("")]),
                "behavior": .string("Removed"), "invert": .bool(false),
            ]), path: "pre_tokenizer")
        #expect(try ExtraJSON.pieces(pre, "aé c") == ["a", "é", " ", "c"])
    }

    @Test func invalidUTF8NeverReachesTheEngine() throws {
        let pattern = try OnigPattern(#"\w+"#, path: "p")
        let bytes: [UInt8] = [0x61, 0xFF, 0x62]
        #expect(throws: TokenizerError.invalidUTF8(offset: 1, context: #"regex "\\w+" at p"#)) {
            try bytes.withUnsafeBufferPointer { try pattern.forEachMatch(inUnsafeBytes: $0) { _, _ in } }
        }
    }
}

/// The hand-written scanners give exactly Oniguruma's matches for the
/// patterns they stand for, on random and hostile strings.
struct ScannerOnigCrossCheckTests {
    static func matches(_ pattern: SplitPattern, _ text: String) throws -> [Range<Int>] {
        var out: [Range<Int>] = []
        var copy = text
        try copy.withUTF8 { t in try pattern.forEachMatch(inUnsafeBytes: t) { out.append($0..<$1) } }
        return out
    }

    /// Strings from the classes the patterns care about: letters of several
    /// scripts and Unicode versions, digits, contractions, whitespace and
    /// newline runs, marks, emoji, punctuation.
    static func randomStrings(count: Int, seed: UInt64) -> [String] {
        let atoms: [String] = [
            "a", "Z", "é", "ß", "Σ", "ж", "你", "\u{31350}", "\u{1CCF0}", "\u{88F}", "ſ", "İ", "0", "7", "٣", "½", "²", "Ⅻ",
            " ", "  ", "\t", "\n", "\r", "\r\n", "\u{A0}", "\u{3000}", "\u{2028}", "\u{85}", "\u{B}", "\u{C}",
            "'", "'s", "'S", "'ll", "'LL", "'ve", "'ſ", "'t", "'d", "'m", "'re", "’s", "!", ".", ",", "-", "_", "$", "<|", "|>",
            "\u{301}", "\u{200D}", "👍🏽", "🇯🇵", "\u{0}", "\u{1F}", "\u{7F}", "\u{FFFD}", "\u{10FFFF}",
        ]
        var state = seed
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: state >> 33)
        }
        return (0..<count).map { _ in
            (0..<(1 + next() % 24)).map { _ in atoms[next() % atoms.count] }.joined()
        }
    }

    @Test(arguments: [
        (GPT2Scanner.pattern, SplitPattern.gpt2),
        (LlamaScanner.llama3Pattern, SplitPattern.llama(LlamaScanner(maxDigits: 3))),
        (LlamaScanner.qwen2Pattern, SplitPattern.llama(LlamaScanner(maxDigits: 1))),
    ])
    func scannerAgreesWithOniguruma(source: String, scanner: SplitPattern) throws {
        let engine = SplitPattern.regex(try OnigPattern(source, path: "test"))
        for (i, text) in Self.randomStrings(count: 4000, seed: 42).enumerated() {
            let expected = try Self.matches(engine, text)
            let actual = try Self.matches(scanner, text)
            #expect(actual == expected, "string \(i): \(text.debugDescription)")
            if actual != expected { return }
        }
    }

    @Test func digitsThenGPT2AgreesWithDigitsThenOniguruma() throws {
        // StarCoder2: Digits(individual) isolates every numeric scalar, then
        // GPT-2's regex runs on each stretch between them.
        let engine = try OnigPattern(GPT2Scanner.pattern, path: "test")
        for text in Self.randomStrings(count: 2000, seed: 7) {
            var digitPieces = PieceList()
            var copy = text
            copy.withUTF8 { DigitsPreTokenizer(individualDigits: true).split(unsafeBytes: $0, into: &digitPieces) }
            var expected: [String] = []
            try digitPieces.forEachUnsafePiece { piece in
                try engine.forEachMatch(inUnsafeBytes: piece) { s, e in
                    expected.append(String(decoding: UnsafeBufferPointer(rebasing: piece[s..<e]), as: UTF8.self))
                }
            }
            let actual = try Self.matches(.digitsThenGPT2, text).map {
                String(decoding: Array(text.utf8)[$0], as: UTF8.self)
            }
            #expect(actual == expected, "\(text.debugDescription)")
            if actual != expected { return }
        }
    }
}
