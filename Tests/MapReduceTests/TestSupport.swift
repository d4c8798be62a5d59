import TestSupport
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
