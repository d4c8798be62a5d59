import Testing
@testable import LMTokenizer

/// The hand-written scanners against the regexes they replace. Expected
/// splits are worked out from the regex alternatives (and agree with HF's
/// `pre_tokenizers.Split(Regex(p), "isolated").pre_tokenize_str`).
struct CoreScannerTests {
    static let gpt2 = SplitPattern.gpt2
    static let llama3 = SplitPattern.llama(LlamaScanner(maxDigits: 3))
    static let qwen2 = SplitPattern.llama(LlamaScanner(maxDigits: 1))

    static func pieces(_ pattern: SplitPattern, _ text: String) throws -> [String] {
        var out: [String] = []
        var copy = text
        try copy.withUTF8 { t in
            var previous = 0
            try pattern.forEachMatch(inUnsafeBytes: t) { s, e in
                #expect(s == previous, "matches must tile the text")
                out.append(String(decoding: UnsafeBufferPointer(rebasing: t[s..<e]), as: UTF8.self))
                previous = e
            }
            #expect(previous == t.count)
        }
        return out
    }

    @Test func lettersNewerThanUnicode16AreNotLetters() throws {
        // HF's Oniguruma knows Unicode 16.0. U+088F and U+16EA0 (Unicode 17
        // letters) are "other" there, so they join the run of "'" before
        // "ll" instead of ending before the contraction (found by the parity
        // tool's hostile strings); U+1C89 (Unicode 16) is a letter.
        #expect(CharClass.of(0x088F) == .other)
        #expect(CharClass.of(0x16EA0) == .other)
        #expect(CharClass.of(0x1C89) == .letter)
        #expect(try Self.pieces(Self.gpt2, "\u{088F}'lls") == ["\u{088F}'", "lls"])
        #expect(try Self.pieces(Self.gpt2, "a\u{1C89}b") == ["a\u{1C89}b"])
    }

    @Test func regexFallbackKnowsUnicode16AsOnigurumaDoes() throws {
        // Split patterns without a hand-written scanner run on Oniguruma
        // with HF's Unicode 16.0 properties: U+1C89 is \p{L}, U+088F (17.0)
        // is not.
        let letters = try SplitPattern.fromRegex("\\p{L}+", path: "pattern")
        var matches: [String] = []
        var text = "a\u{1C89}b\u{088F}c"
        try text.withUTF8 { t in
            try letters.forEachMatch(inUnsafeBytes: t) { s, e in
                matches.append(String(decoding: UnsafeBufferPointer(rebasing: t[s..<e]), as: UTF8.self))
            }
        }
        #expect(matches == ["a\u{1C89}b", "c"])
    }

    @Test func gpt2ContractionsAreLowercaseOnly() throws {
        // 's and 'm are contractions; 'S is not (no (?i:)), so ' starts an
        // "other" run and S a letter run; " '" is ` ?[^\s\p{L}\p{N}]+`.
        #expect(try Self.pieces(Self.gpt2, "I'm HERE'S 's 'S") == ["I", "'m", " HERE", "'", "S", " '", "s", " '", "S"])
        #expect(try Self.pieces(Self.gpt2, "a'bc''d") == ["a", "'", "bc", "''", "d"])
    }

    @Test func llamaContractionsIgnoreCase() throws {
        // (?i:'s|...) takes 'S and 'RE and 'Ve; Oniguruma folds ſ to s.
        #expect(try Self.pieces(Self.llama3, "I'm HERE'S 's 'S") == ["I", "'m", " HERE", "'S", " '", "s", " '", "S"])
        #expect(try Self.pieces(Self.llama3, "they'RE we'Ve") == ["they", "'RE", " we", "'Ve"])
        #expect(try Self.pieces(Self.llama3, "x'ſx") == ["x", "'ſ", "x"])
        // Not a contraction: `[^\r\n\p{L}\p{N}]?\p{L}+` glues ' to the letters.
        #expect(try Self.pieces(Self.llama3, "a'bc''d") == ["a", "'bc", "''", "d"])
    }

    @Test func digitRuns() throws {
        // GPT-2: ` ?\p{N}+` whole runs; Llama 3: \p{N}{1,3}; Qwen2: one digit.
        #expect(try Self.pieces(Self.gpt2, "1 12 1234567") == ["1", " 12", " 1234567"])
        #expect(try Self.pieces(Self.llama3, "1 12 1234567") == ["1", " ", "12", " ", "123", "456", "7"])
        #expect(try Self.pieces(Self.qwen2, "1 12 123") == ["1", " ", "1", "2", " ", "1", "2", "3"])
        #expect(try Self.pieces(Self.llama3, "12345") == ["123", "45"])
        #expect(try Self.pieces(Self.llama3, "1234") == ["123", "4"])
        #expect(try Self.pieces(Self.llama3, "123456") == ["123", "456"])
    }

    @Test func whitespaceRuns() throws {
        // `\s+(?!\S)` leaves the last space to lead the next word; at the end
        // of text the whole run is one piece.
        #expect(try Self.pieces(Self.gpt2, "a   b  \n") == ["a", "  ", " b", "  \n"])
        #expect(try Self.pieces(Self.gpt2, "  ") == ["  "])
        // NBSP is whitespace but not ' ', so it cannot lead "bar".
        #expect(try Self.pieces(Self.gpt2, "\tfoo  \u{a0}bar") == ["\t", "foo", "  ", "\u{a0}", "bar"])
        // Llama: a tab may lead letters (`[^\r\n\p{L}\p{N}]?\p{L}+`).
        #expect(try Self.pieces(Self.llama3, "\tfoo  \u{a0}bar") == ["\tfoo", "  ", "\u{a0}bar"])
    }

    @Test func carriageReturnMixes() throws {
        // GPT-2 has no newline rule: "\r\n\r\n " keeps all but the last space.
        #expect(try Self.pieces(Self.gpt2, "x\r\n\r\n  y\r\n") == ["x", "\r\n\r\n ", " y", "\r\n"])
        // Llama: `\s*[\r\n]+` stops at the run's last newline.
        #expect(try Self.pieces(Self.llama3, "x\r\n\r\n  y\r\n") == ["x", "\r\n\r\n", " ", " y", "\r\n"])
        // ` ?[^\s\p{L}\p{N}]+[\r\n]*` takes trailing newlines with punctuation.
        #expect(try Self.pieces(Self.llama3, "ok?\n\n") == ["ok", "?\n\n"])
        #expect(try Self.pieces(Self.gpt2, "ok?\n\n") == ["ok", "?", "\n\n"])
    }

    @Test func cjkCombiningMarksAndEmoji() throws {
        // U+0301 and U+093F are marks (class "other"), not letters.
        #expect(try Self.pieces(Self.gpt2, "中文123字 e\u{301}t\u{915}\u{93f}")
            == ["中文", "123", "字", " e", "\u{301}", "t\u{915}", "\u{93f}"])
        #expect(try Self.pieces(Self.llama3, "中文123字 e\u{301}t\u{915}\u{93f}")
            == ["中文", "123", "字", " e", "\u{301}t\u{915}", "\u{93f}"])
        #expect(try Self.pieces(Self.gpt2, "hi 😀👍🏽!! ok") == ["hi", " 😀👍🏽!!", " ok"])
    }

    /// StarCoder2's fused scan gives exactly the pieces of its two stages,
    /// Digits(individual_digits) then ByteLevel's GPT-2 split.
    @Test func digitsThenGPT2EqualsTheTwoStages() throws {
        let stages = SequencePreTokenizer(stages: [
            DigitsPreTokenizer(individualDigits: true), ByteLevelPreTokenizer(addPrefixSpace: false, useRegex: true),
        ])
        var texts = ["abc 12 x", "a12b３٣½²x", "  1  \n2\n ", "x = 0.5e10", "'s1's 1's", "1", " 1", "1 ", "\u{1D7D8}7 z", ""]
        var rng = SystemRandomNumberGenerator()
        let alphabet = ["a", "Z", "1", "9", " ", "  ", "\n", "'", "s", "٣", "½", "é", "中", ".", "\t", "😀"]
        for _ in 0..<2000 {
            texts.append((0..<Int.random(in: 1...12, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined())
        }
        for text in texts {
            var list = PieceList()
            var copy = text
            try copy.withUTF8 { try stages.split(unsafeBytes: $0, into: &list) }
            var expected: [String] = []
            list.forEachUnsafePiece { expected.append(String(decoding: $0, as: UTF8.self)) }
            #expect(try Self.pieces(.digitsThenGPT2, text) == expected, "\(text.debugDescription)")
        }
    }

    /// The ASCII table and the faster property order give the classes the
    /// plain definition gives (White_Space first, then the category, for
    /// scalars Unicode 16 had assigned).
    @Test func charClassesMatchTheDefinition() throws {
        func reference(_ v: UInt32) -> CharClass {
            guard let s = Unicode.Scalar(v), HFUnicodeVersion.isAssigned(s, by: 16, 0) else { return .other }
            if s.properties.isWhitespace { return .whitespace }
            switch s.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
            case .decimalNumber, .letterNumber, .otherNumber: return .number
            default: return .other
            }
        }
        for b in UInt8(0)..<0x80 { #expect(UTF8Scan.asciiClassOf(b) == reference(UInt32(b)), "\(b)") }
        var mismatches: [UInt32] = []
        for v in UInt32(0)..<0x1_0000 where CharClass.bmpTable[Int(v)] != reference(v) { mismatches.append(v) }
        for v in stride(from: UInt32(0x1_0000), to: 0x11_0000, by: 97) where CharClass.compute(v) != reference(v) {
            mismatches.append(v)
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test func recognisedPatternsSelectScanners() throws {
        guard case .gpt2 = try SplitPattern.fromRegex(GPT2Scanner.pattern, path: "p") else {
            Issue.record("GPT-2 pattern not recognised"); return
        }
        guard case let .llama(l) = try SplitPattern.fromRegex(LlamaScanner.qwen2Pattern, path: "p") else {
            Issue.record("Qwen2 pattern not recognised"); return
        }
        #expect(l.maxDigits == 1)
        guard case .regex = try SplitPattern.fromRegex(#"\d+"#, path: "p") else {
            Issue.record("unknown pattern should fall back to ICU"); return
        }
    }

    @Test func icuFallbackAgreesWithScanner() throws {
        // The same GPT-2 regex written with a redundant group is not
        // recognised, so ICU runs it; its splits must equal the scanner's.
        let onig = try SplitPattern.fromRegex("(?:" + GPT2Scanner.pattern + ")", path: "p")
        for text in ["I'm HERE'S 's", "a   b  \n", "中文123字 e\u{301}t", "x\r\n\r\n  y", "hi 😀👍🏽!! ok"] {
            #expect(try Self.pieces(onig, text) == Self.pieces(Self.gpt2, text), "\(text)")
        }
    }

    @Test func invalidUTF8DoesNotCrash() throws {
        let bytes: [UInt8] = [0x61, 0xFF, 0xC3, 0x20, 0x62, 0xE2, 0x82]
        for pattern in [Self.gpt2, Self.llama3] {
            var total = 0
            try bytes.withUnsafeBufferPointer { t in try pattern.forEachMatch(inUnsafeBytes: t) { s, e in total += e - s } }
            #expect(total == bytes.count)
        }
    }

    @Test func splitBehaviors() throws {
        // Pattern "-" on "a-b--c": tiles a | - | b | - | - | c.
        func run(_ b: SplitPreTokenizer.Behavior, invert: Bool = false) throws -> [String] {
            let p = SplitPreTokenizer(pattern: .literal(Array("-".utf8)), behavior: b, invert: invert)
            var out = PieceList()
            var text = "a-b--c"
            try text.withUTF8 { try p.split(unsafeBytes: $0, into: &out) }
            return (0..<out.count).map { String(decoding: out.bytes[out.range(at: $0)], as: UTF8.self) }
        }
        #expect(try run(.isolated) == ["a", "-", "b", "-", "-", "c"])
        #expect(try run(.removed) == ["a", "b", "c"])
        #expect(try run(.mergedWithPrevious) == ["a-", "b-", "-", "c"])
        #expect(try run(.mergedWithNext) == ["a", "-b", "-", "-c"])
        #expect(try run(.contiguous) == ["a", "-", "b", "--", "c"])
        // Inverted: the dashes become the kept tiles, each its own (the two
        // adjacent dashes were two matches, so they stay two pieces).
        #expect(try run(.removed, invert: true) == ["-", "-", "-"])
    }
}
