import LMPrep

/// A tokenizer for tests: whole strings map to id lists chosen by hand.
///
/// The ids are the real Mellum tokenizer's, read off the notebook's expected
/// arrays (e.g. "import numpy as" -> 653 9440 609, since the psm example is
/// `<fim_prefix>`=1, then those three, then `<fim_suffix>`=3 ...), so the
/// notebook's asserts can be checked without the Mellum vocabulary.
struct FakeEncoder: TextEncoder {
    struct UnknownText: Error, CustomStringConvertible {
        let text: String
        var description: String { "FakeEncoder has no ids for \(String(reflecting: text))" }
    }

    var pieces: [String: [UInt32]]
    var special: [String: UInt32]
    var eosTokenId: UInt32?

    func encodeText(_ text: String) throws -> [UInt32] {
        if let s = special[text] { return [s] }
        guard let ids = pieces[text] else { throw UnknownText(text: text) }
        return ids
    }

    func specialTokenId(_ token: String) throws -> UInt32? { special[token] }

    /// Mellum's special tokens at Mellum's ids.
    static let mellumSpecial: [String: UInt32] = [
        "<|endoftext|>": 0, "<fim_prefix>": 1, "<fim_middle>": 2, "<fim_suffix>": 3,
        "<system>": 19, "</system>": 20, "<user>": 21, "</user>": 22, "<assistant>": 23, "</assistant>": 24,
    ]

    /// Every string the notebook tokenizes, with Mellum's ids.
    static let mellum = FakeEncoder(
        pieces: [
            "A sample text": [59, 5875, 1378],
            "import numpy as": [653, 9440, 609],
            "\nimport pandas as pd": [225, 653, 17984, 609, 8559],
            "np": [3057],
            "Hi!": [4479, 27],
            "How can I help you?": [7166, 867, 391, 2739, 691, 57],
            "Hello, World!": [10626, 38, 8098, 27],
            "A test string": [59, 247, 110, 95, 109, 110, 987],
            "import numpy as np": [653, 9440, 609, 8559],
            "import pandas as pd": [653, 17984, 609, 8559],
            "Be brief.": [5001, 5002],
            "": [],
        ],
        special: mellumSpecial,
        eosTokenId: 0)

    /// The same pieces with the named special tokens removed.
    func without(_ tokens: String...) -> FakeEncoder {
        var copy = self
        for t in tokens { copy.special[t] = nil }
        return copy
    }
}
