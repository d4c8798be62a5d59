import Testing

@testable import LMPrep

/// Expected values computed with Python: `hashlib.sha256(f"{a.shape}-{a.dtype}".encode()
/// + a.tobytes()).digest()` for `a = np.array(ids, dtype=np.uint32)`, then
/// `int.from_bytes(digest, "big") % count`.
@Suite struct ArrayHashTests {
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let ids: [UInt32]
        let digest: String
        /// Remainders for counts 1, 2, 7, 1000, 4294967311, 9223372036854775783.
        let remainders: [Int]
        var testDescription: String { "\(ids)" }
    }

    static let counts = [1, 2, 7, 1000, 4_294_967_311, 9_223_372_036_854_775_783]

    static let cases = [
        // Empty: NumPy's shape prints as "(0,)".
        Case(
            ids: [], digest: "8cd1937cfa9c0c82d19615bb2a50d79fac635905e04ddc73f407cf8d5cd193af",
            remainders: [0, 1, 5, 319, 3_930_901_096, 8_733_362_982_013_218_657]),
        Case(
            ids: [0], digest: "5421fb213b8ec956833ac6dbdd325679cdcedbc8674759ecf79d420fc43d8d52",
            remainders: [0, 0, 5, 842, 3_872_559_406, 2_614_380_476_069_477_652]),
        Case(
            ids: [1, 2, 3], digest: "b4d1c34c3981b7548c45756067f98dc5bed54d8ff5fe8e6578260f3cbd011ce6",
            remainders: [0, 0, 5, 846, 4_020_468_689, 5_432_944_108_035_212_088]),
        // "Hello, World!" + EOS with Mellum's ids: group 0 of 2, as the notebook's test needs.
        Case(
            ids: [10626, 38, 8098, 27, 0], digest: "a500e3aaaed30ee60c982c282889cc41bc8b3e1947cf0015bbc8579b49e2ea56",
            remainders: [0, 0, 1, 446, 2_146_812_056, 2_830_255_057_297_985_837]),
        // All bits set: checks the little-endian byte layout of large ids.
        Case(
            ids: [.max, .max, .max], digest: "b884287946008ffd7e9d59b6799e92ad65c9e7e5327cde4a1af0e52d1b713663",
            remainders: [0, 1, 1, 115, 2_814_361_889, 5_139_409_240_297_667_491]),
    ]

    @Test(arguments: cases)
    func matchesPython(_ c: Case) {
        #expect(Self.hex(arrayHash(c.ids)) == c.digest)
        #expect(Self.counts.map { reduceChunk(of: c.ids, count: $0) } == c.remainders)
    }

    @Test func notebookGroups() {
        // The four rows of the notebook's PrepareForTraining test, with EOS:
        // "Hello, World!" and "import pandas as pd" land in group 0, the others in 1.
        #expect(reduceChunk(of: [10626, 38, 8098, 27, 0], count: 2) == 0)
        #expect(reduceChunk(of: [653, 17984, 609, 8559, 0], count: 2) == 0)
        #expect(reduceChunk(of: [59, 247, 110, 95, 109, 110, 987, 0], count: 2) == 1)
        #expect(reduceChunk(of: [653, 9440, 609, 8559, 0], count: 2) == 1)
    }
}
