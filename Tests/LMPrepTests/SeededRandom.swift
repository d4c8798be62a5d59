/// SplitMix64: a small deterministic generator so property tests replay the
/// same cases on every machine.
struct SeededRandom: RandomNumberGenerator {
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

extension TokenizedRowFactory {
    /// A random example: `length` ids below 50,000, positions `0..<length`
    /// (or random small values when `arbitraryPositions`, to reach equal
    /// neighbours and drops that real examples never have), random mask.
    static func random(length: Int, arbitraryPositions: Bool = false, using rng: inout SeededRandom) -> (
        ids: [UInt32], positions: [UInt32], mask: [Bool]
    ) {
        let ids = (0..<length).map { _ in UInt32.random(in: 0..<50_000, using: &rng) }
        let positions =
            arbitraryPositions
            ? (0..<length).map { _ in UInt32.random(in: 0...3, using: &rng) }
            : (0..<length).map { UInt32($0) }
        let mask = (0..<length).map { _ in Bool.random(using: &rng) }
        return (ids, positions, mask)
    }
}

enum TokenizedRowFactory {}
