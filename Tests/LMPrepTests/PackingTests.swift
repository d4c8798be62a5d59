import TestSupport
import Testing

@testable import LMPrep

/// The notebook's `examples`: lengths 5, 2, 2, 1, positions `arange`, mask all true.
let notebookExamples = [
    TokenizedRow(inputIds: [1, 2, 3, 4, 5]),
    TokenizedRow(inputIds: [0, 1]),
    TokenizedRow(inputIds: [10, 10]),
    TokenizedRow(inputIds: [11]),
]

func packAll<P: SequencePacker>(_ packer: inout P, _ rows: [TokenizedRow]) -> [TokenizedRow] {
    var out: [TokenizedRow] = []
    for r in rows { packer.add(r) { out.append($0) } }
    packer.finish { out.append($0) }
    return out
}

@Suite struct PositionFixTests {
    @Test func docstringExamples() {
        #expect(rebasedPositions([2, 3, 4, 0, 1, 2, 3]) == [0, 1, 2, 0, 1, 2, 3])
        #expect(rebasedPositions([4, 0, 1, 0]) == [0, 0, 1, 0])
    }

    @Test func edgeCases() {
        #expect(rebasedPositions([]) == [])
        // Equal neighbours do not start a segment: [3,3,4] is one segment based at 3.
        #expect(rebasedPositions([3, 3, 4]) == [0, 0, 1])
        #expect(rebasedPositions([5, 2, 2, 7, 1]) == [0, 0, 0, 5, 0])
    }
}

@Suite struct DensePackerTests {
    @Test func notebookAssert() {
        // Concatenation: ids 1 2 3 4 5 0 1 10 10 11, positions 0 1 2 3 4 0 1 0 1 0.
        // Cut by 4: [1 2 3 4], [5 0 1 10], remainder [10 11] dropped.
        // Second piece's raw positions [4 0 1 0] rebase to [0 0 1 0].
        var packer = DensePacker(seqLen: 4)
        let result = packAll(&packer, notebookExamples)
        #expect(result.count == 2)
        #expect(result[0].inputIds == [1, 2, 3, 4])
        #expect(result[1].inputIds == [5, 0, 1, 10])
        #expect(result[0].positionIds == [0, 1, 2, 3])
        #expect(result[1].positionIds == [0, 0, 1, 0])
        #expect(result.allSatisfy { $0.lossMask == [true, true, true, true] })
        var expected = PackingStats()
        expected.documentsIn = 4
        expected.tokensIn = 10
        expected.sequencesOut = 2
        expected.realTokensOut = 8
        expected.trailingTokensDropped = 2
        // [1..5] is cut after 4 and [10,10] after its first 10.
        expected.splitExamples = 2
        #expect(packer.stats == expected)
    }

    @Test func streamsSequencesAsTheyFill() {
        // One example of 9 tokens at seqLen 4 emits two sequences during `add`.
        var packer = DensePacker(seqLen: 4)
        var emitted = 0
        packer.add(TokenizedRow(inputIds: Array(0..<9))) { _ in emitted += 1 }
        #expect(emitted == 2)
        packer.finish { _ in emitted += 1 }
        #expect(emitted == 2)
        #expect(packer.stats.trailingTokensDropped == 1)
    }

    /// Non-streaming reference: concatenate everything, then cut and rebase.
    static func reference(_ rows: [TokenizedRow], seqLen: Int) -> [TokenizedRow] {
        let ids = rows.flatMap(\.inputIds)
        let positions = rows.flatMap(\.positionIds)
        let mask = rows.flatMap(\.lossMask)
        return stride(from: 0, to: ids.count - seqLen + 1, by: seqLen).map { s in
            TokenizedRow(
                inputIds: Array(ids[s..<s + seqLen]),
                positionIds: rebasedPositions(Array(positions[s..<s + seqLen])),
                lossMask: Array(mask[s..<s + seqLen]))
        }
    }

    @Test(arguments: [1, 2, 3, 7, 16, 64])
    func matchesConcatenateThenCut(seqLen: Int) {
        var rng = SplitMix64(seed: UInt64(seqLen) * 7919)
        for trial in 0..<40 {
            let rows = (0..<Int.random(in: 0...12, using: &rng)).map { _ in
                let r = TokenizedRowFactory.random(
                    length: Int.random(in: 0...(2 * seqLen + 3), using: &rng), arbitraryPositions: trial % 2 == 1,
                    using: &rng)
                return TokenizedRow(inputIds: r.ids, positionIds: r.positions, lossMask: r.mask)
            }
            var packer = DensePacker(seqLen: seqLen)
            let packed = packAll(&packer, rows)
            #expect(packed == Self.reference(rows, seqLen: seqLen), "seqLen \(seqLen) trial \(trial)")
            #expect(packed.allSatisfy { $0.count == seqLen })

            let total = rows.reduce(0) { $0 + $1.count }
            let s = packer.stats
            #expect(s.documentsIn == rows.count && s.tokensIn == total)
            #expect(s.sequencesOut == total / seqLen && s.realTokensOut == total / seqLen * seqLen)
            #expect(s.trailingTokensDropped == total % seqLen && s.padTokensOut == 0)
            // Split examples: a boundary k*seqLen falls strictly inside [start, end).
            var start = 0
            var splits = 0
            for r in rows {
                let end = start + r.count
                let firstBoundary = (start / seqLen + 1) * seqLen
                if firstBoundary < end && firstBoundary <= total / seqLen * seqLen { splits += 1 }
                start = end
            }
            #expect(s.splitExamples == splits, "seqLen \(seqLen) trial \(trial)")

            // With arange positions, positions restart at 0 exactly at sequence
            // starts and at example starts, and count up by one otherwise.
            if trial % 2 == 0 {
                var starts = Set<Int>()
                var offset = 0
                for r in rows {
                    if r.count > 0 { starts.insert(offset) }
                    offset += r.count
                }
                for (k, seq) in packed.enumerated() {
                    for (j, p) in seq.positionIds.enumerated() {
                        let global = k * seqLen + j
                        if j == 0 || starts.contains(global) {
                            #expect(p == 0)
                        } else {
                            #expect(p == seq.positionIds[j - 1] + 1)
                        }
                    }
                }
            }
        }
    }
}

@Suite struct NoIncompletePackerTests {
    @Test func notebookAssert() {
        // [1..5] is longer than 4: dropped. [0,1]+[10,10] fill one sequence;
        // [11] would not fit after them, so it starts the next, padded with 0s.
        var packer = NoIncompletePacker(seqLen: 4, padTokenId: 0)
        let result = packAll(&packer, notebookExamples)
        #expect(result.count == 2)
        #expect(result[0].inputIds == [0, 1, 10, 10])
        #expect(result[0].positionIds == [0, 1, 0, 1])
        #expect(result[0].lossMask == [true, true, true, true])
        #expect(result[1].inputIds == [11, 0, 0, 0])
        #expect(result[1].positionIds == [0, 0, 0, 0])
        #expect(result[1].lossMask == [true, false, false, false])
        var expected = PackingStats()
        expected.documentsIn = 4
        expected.tokensIn = 10
        expected.sequencesOut = 2
        expected.realTokensOut = 5
        expected.padTokensOut = 3
        expected.droppedTooLongExamples = 1
        expected.droppedTooLongTokens = 5
        #expect(packer.stats == expected)
        #expect(packer.stats.fillRatio == 5.0 / 8.0)
    }

    /// Non-streaming reference: group whole examples greedily, then pad each group.
    static func reference(_ rows: [TokenizedRow], seqLen: Int, pad: UInt32) -> [TokenizedRow] {
        var groups: [[TokenizedRow]] = []
        var current: [TokenizedRow] = []
        var fill = 0
        for r in rows where r.count <= seqLen {
            if fill + r.count > seqLen {
                groups.append(current)
                current = []
                fill = 0
            }
            current.append(r)
            fill += r.count
        }
        if fill > 0 { groups.append(current) }
        return groups.filter { $0.reduce(0) { $0 + $1.count } > 0 }.map { g in
            let n = g.reduce(0) { $0 + $1.count }
            return TokenizedRow(
                inputIds: g.flatMap(\.inputIds) + Array(repeating: pad, count: seqLen - n),
                positionIds: g.flatMap(\.positionIds) + Array(repeating: 0, count: seqLen - n),
                lossMask: g.flatMap(\.lossMask) + Array(repeating: false, count: seqLen - n))
        }
    }

    @Test(arguments: [1, 2, 5, 8, 33])
    func matchesGroupThenPad(seqLen: Int) {
        var rng = SplitMix64(seed: UInt64(seqLen) * 104_729)
        let pad: UInt32 = 77_777  // outside the random ids' range, so pads are recognisable
        for trial in 0..<40 {
            let rows = (0..<Int.random(in: 0...12, using: &rng)).map { _ in
                let r = TokenizedRowFactory.random(length: Int.random(in: 0...(seqLen + 2), using: &rng), using: &rng)
                return TokenizedRow(inputIds: r.ids, positionIds: r.positions, lossMask: r.mask)
            }
            var packer = NoIncompletePacker(seqLen: seqLen, padTokenId: pad)
            let packed = packAll(&packer, rows)
            #expect(packed == Self.reference(rows, seqLen: seqLen, pad: pad), "seqLen \(seqLen) trial \(trial)")

            let kept = rows.filter { $0.count <= seqLen }
            let s = packer.stats
            #expect(s.tokensIn == rows.reduce(0) { $0 + $1.count })
            #expect(s.droppedTooLongExamples == rows.count - kept.count)
            #expect(s.tokensIn == s.realTokensOut + s.droppedTooLongTokens)
            #expect(s.sequencesOut * seqLen == s.realTokensOut + s.padTokensOut)
            #expect(s.splitExamples == 0 && s.trailingTokensDropped == 0)
            // Every sequence: real tokens, then a tail of pads with position 0
            // and mask false; the real tokens are whole examples in order.
            var realIds: [UInt32] = []
            for seq in packed {
                #expect(seq.count == seqLen)
                let real = seq.inputIds.firstIndex(of: pad) ?? seqLen
                #expect(real > 0)
                #expect(seq.inputIds[real...].allSatisfy { $0 == pad })
                #expect(seq.positionIds[real...].allSatisfy { $0 == 0 })
                #expect(seq.lossMask[real...].allSatisfy { !$0 })
                realIds += seq.inputIds[..<real]
            }
            #expect(realIds == kept.flatMap(\.inputIds))
        }
    }
}
