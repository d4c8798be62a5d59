import Testing

@testable import LMTokenizer

/// HF's NFC / NFD / NFKC / NFKD (its own tables, not Foundation's). Every
/// expected value is Python `tokenizers` 0.23.3's
/// `normalizers.X().normalize_str(input)`, pasted as a literal; the
/// per-code-point sweep over all of Unicode is tools/parity/test_unicode_sweep.py.
struct UnicodeNormalizationTests {
    static let inputs = [
        "\u{AC00}\u{11A8}", "\u{1100}\u{1161}\u{11A8}", "\u{AC01}\u{11A8}", "a\u{316}\u{301}\u{300}", "e\u{301}\u{327}",
        "\u{1E0B}\u{323}", "ﬁ①A\u{30A}", "\u{344}", "\u{958}", "\u{C5}\u{301}", "\u{B47}\u{B3E}", "\u{32FF}\u{301}",
        "\u{1100}\u{1100}\u{1161}",
    ]

    static let expected: [UnicodeNormalizer.Form: [String]] = [
        // LV + T composes to LVT (U+AC01); an LVT does not take a second T;
        // marks reorder by class (220 before 230) and the first 230 mark
        // composes past the 220 one; U+0958 and U+0344 are composition
        // exclusions; U+0B47 + U+0B3E is a starter + starter composition;
        // U+32FF is newer than HF's Unicode 11 tables, so nothing touches it.
        .nfc: [
            "\u{AC01}", "\u{AC01}", "\u{AC01}\u{11A8}", "\u{E1}\u{316}\u{300}", "\u{229}\u{301}", "\u{1E0D}\u{307}",
            "\u{FB01}\u{2460}\u{C5}", "\u{308}\u{301}", "\u{915}\u{93C}", "\u{1FA}", "\u{B4B}", "\u{32FF}\u{301}",
            "\u{1100}\u{AC00}",
        ],
        .nfd: [
            "\u{1100}\u{1161}\u{11A8}", "\u{1100}\u{1161}\u{11A8}", "\u{1100}\u{1161}\u{11A8}\u{11A8}", "a\u{316}\u{301}\u{300}",
            "e\u{327}\u{301}", "d\u{323}\u{307}", "\u{FB01}\u{2460}A\u{30A}", "\u{308}\u{301}", "\u{915}\u{93C}",
            "A\u{30A}\u{301}", "\u{B47}\u{B3E}", "\u{32FF}\u{301}", "\u{1100}\u{1100}\u{1161}",
        ],
        .nfkc: [
            "\u{AC01}", "\u{AC01}", "\u{AC01}\u{11A8}", "\u{E1}\u{316}\u{300}", "\u{229}\u{301}", "\u{1E0D}\u{307}",
            "fi1\u{C5}", "\u{308}\u{301}", "\u{915}\u{93C}", "\u{1FA}", "\u{B4B}", "\u{32FF}\u{301}", "\u{1100}\u{AC00}",
        ],
        .nfkd: [
            "\u{1100}\u{1161}\u{11A8}", "\u{1100}\u{1161}\u{11A8}", "\u{1100}\u{1161}\u{11A8}\u{11A8}", "a\u{316}\u{301}\u{300}",
            "e\u{327}\u{301}", "d\u{323}\u{307}", "fi1A\u{30A}", "\u{308}\u{301}", "\u{915}\u{93C}", "A\u{30A}\u{301}",
            "\u{B47}\u{B3E}", "\u{32FF}\u{301}", "\u{1100}\u{1100}\u{1161}",
        ],
    ]

    @Test(arguments: UnicodeNormalizer.Form.allCases)
    func matchesHF(form: UnicodeNormalizer.Form) {
        let normalizer = UnicodeNormalizer(form)
        for (input, want) in zip(Self.inputs, Self.expected[form]!) {
            let got = normalizer.normalize(input)
            #expect(Array(got.unicodeScalars) == Array(want.unicodeScalars), "\(form) of \(input.debugDescription)")
        }
    }

    @Test func asciiAndQuickCheckTextIsReturnedAsIs() {
        // ASCII, CJK and precomposed Latin pass every quick check.
        for text in ["plain ASCII", "中文字", "café"] {
            #expect(UnicodeNormalizer(.nfc).normalize(text) == text)
        }
    }
}
