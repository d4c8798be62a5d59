import LMShard

/// Every random choice of a fuzz case comes from one `SplitMix64` seeded by
/// the run's seed and the case number, so any case can be regenerated
/// exactly (`lmshard-fuzz replay --seed S --case N`) from two integers.
struct FuzzRandom {
    private var rng: SplitMix64

    /// The generator of case `index` of the run seeded `seed`.
    init(seed: UInt64, index: Int) {
        // Two SplitMix64 steps decorrelate neighbouring cases.
        var mix = SplitMix64(seed: seed ^ (UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15))
        rng = SplitMix64(seed: mix.next() ^ mix.next())
    }

    mutating func next() -> UInt64 { rng.next() }

    /// Uniform in `0..<n` (`n > 0`).
    mutating func below(_ n: Int) -> Int {
        precondition(n > 0, "empty range")
        return Int(next() % UInt64(n))
    }

    /// True with probability `numerator / denominator`.
    mutating func chance(_ numerator: Int, in denominator: Int) -> Bool { below(denominator) < numerator }

    /// One element of a non-empty collection.
    mutating func pick<C: RandomAccessCollection>(_ c: C) -> C.Element where C.Index == Int {
        c[c.startIndex + below(c.count)]
    }
}
