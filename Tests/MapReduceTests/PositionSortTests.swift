import Foundation
import TestSupport
import Testing
@testable import MapReduce

@Suite struct InputPositionTests {
    @Test func textIsFixedWidthAndSortsLikePositions() throws {
        let p = InputPosition(file: 12, offset: 3_456, emit: 7)
        #expect(p.description == "0000000012:00000000000000003456:0000000007")
        #expect(InputPosition(text: Array(p.description.utf8)) == p)
        let max = InputPosition(file: 9_999_999_999, offset: UInt64.max, emit: 9_999_999_999)
        #expect(max.description == "9999999999:18446744073709551615:9999999999")
        #expect(InputPosition(text: Array(max.description.utf8)) == max)
        // 18446744073709551616 does not fit an offset.
        #expect(InputPosition(text: Array("0000000000:18446744073709551616:0000000000".utf8)) == nil)
        var rng = SplitMix64(seed: 3)
        let positions = (0..<500).map { _ in
            InputPosition(
                file: UInt64.random(in: 0...3, using: &rng), offset: UInt64.random(in: 0...1 << 40, using: &rng),
                emit: UInt64.random(in: 0...2, using: &rng))
        }
        let byText = positions.sorted { Array($0.description.utf8).lexicographicallyPrecedes(Array($1.description.utf8)) }
        #expect(byText == positions.sorted())
    }
}

@Suite struct Base64Tests {
    @Test func agreesWithFoundationAndRefusesNonCanonicalText() {
        var rng = SplitMix64(seed: 11)
        for n in 0..<70 {
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var text: [UInt8] = []
            Base64.encode(bytes, into: &text)
            #expect(text == Array(Data(bytes).base64EncodedData()))
            var back: [UInt8] = [9, 9]
            #expect(text.withUnsafeBytes { Base64.decode($0, into: &back) })
            #expect(back == bytes)
        }
        // "AB==" has non-zero bits under the padding; "A===" and "AB=C" are not base64.
        for bad in ["AB==", "A===", "AB=C", "ABC", "AB\tC", "AB C"] {
            var out: [UInt8] = []
            #expect(!Array(bad.utf8).withUnsafeBytes { Base64.decode($0, into: &out) }, "\(bad)")
        }
    }
}

@Suite struct PositionSorterTests {
    /// Values added in a shuffled order come back in position order, the
    /// same whether they stay in memory or spill to many runs (more than
    /// the merge fan-in, so merged in passes); the run files are removed.
    @Test(arguments: [1 << 30, 2_000, 300])
    func sortsAnyOrderWithinAnyBudget(budget: Int) throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        var rng = SplitMix64(seed: 5)
        let positions = (0..<2_000).map { InputPosition(file: UInt64($0 % 3), offset: UInt64($0 * 7), emit: 0) }
        let sorter = PositionSorter(directory: tmp.path("runs"), memoryBudget: budget)
        for p in positions.shuffled(using: &rng) { try sorter.add(p, value: Array("v\(p.offset)".utf8)) }
        #expect(!sorter.isInOrder)
        let values = try sorter.sorted()
        var got: [InputPosition] = []
        while let (p, v) = try values.next() {
            #expect(v == Array("v\(p.offset)".utf8))
            got.append(p)
        }
        #expect(got == positions.sorted())
        sorter.reset()
        #expect(!FileManager.default.fileExists(atPath: tmp.path("runs")))
    }
}
