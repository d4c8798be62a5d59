import LMJSON
@testable import MapReduce

/// `{"k1": v1, ...}` with keys in the given order.
func row(_ entries: (String, JSONValue)...) -> JSONValue {
    .object(JSONObject(entries.map { (key: $0.0, value: $0.1) }))
}

/// The seed notebook's three-row test table.
let seedInput: [JSONValue] = [
    row(("content", .string("A String"))),
    row(("content", .string("abcc"))),
    row(("content", .string("BCD"))),
]

/// Deterministic pseudo-random numbers (SplitMix64), so property tests are
/// reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random text rows over a small alphabet that includes non-ASCII letters,
/// a combining mark, TAB and newline.
func randomRows(count: Int, seed: UInt64) -> [JSONValue] {
    var rng = SplitMix64(seed: seed)
    let alphabet: [String] = ["a", "b", "C", "d", " ", "é", "e\u{301}", "Σ", "ß", "\t", "\n", "😀", "z", "Z"]
    return (0..<count).map { _ in
        let n = Int.random(in: 0...20, using: &rng)
        let text = (0..<n).map { _ in alphabet.randomElement(using: &rng)! }.joined()
        return row(("id", .int(Int64.random(in: -5...5, using: &rng))), ("content", .string(text)))
    }
}
