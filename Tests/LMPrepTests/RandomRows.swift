import TestSupport

extension TokenizedRowFactory {
    /// A random example: `length` ids below 50,000, positions `0..<length`
    /// (or random small values when `arbitraryPositions`, to reach equal
    /// neighbours and drops that real examples never have), random mask.
    static func random(length: Int, arbitraryPositions: Bool = false, using rng: inout SplitMix64) -> (
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
