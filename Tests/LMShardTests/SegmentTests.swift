import Testing
@testable import LMShard

@Suite struct SegmentTests {
    @Test func notebookAttentionMask() {
        // The notebook's assert: positions [0,1,2,0,1] are two documents (3 + 2 tokens),
        // each causal, never attending across.
        let mask = PackedSegments.attentionMask(positions: [0, 1, 2, 0, 1] as [UInt32])
        let T = true, F = false
        #expect(mask == [
            T, F, F, F, F,
            T, T, F, F, F,
            T, T, T, F, F,
            F, F, F, T, F,
            F, F, F, T, T,
        ])
    }

    @Test func segmentsAndVarlen() {
        // Padding tokens have position 0: [0,1,0,0] is a 2-token doc and two 1-token pads.
        let p: [UInt32] = [0, 1, 0, 0]
        #expect(PackedSegments.segmentIds(positions: p) == [0, 0, 1, 2])
        let (cu, m) = PackedSegments.cuSeqlens(positions: p)
        #expect(cu == [0, 2, 3, 4])
        #expect(m == 2)
        // A row that starts mid-document (position 5) still opens a segment at index 0.
        #expect(PackedSegments.cuSeqlens(positions: [5, 6, 0] as [UInt32]).cuSeqlens == [0, 2, 3])
        #expect(PackedSegments.cuSeqlens(positions: [UInt32]()).cuSeqlens == [0])
    }

    @Test func maskAgreesWithSegmentIds() {
        // Property: mask[i][j] == (j <= i && seg[i] == seg[j]) on random position rows.
        var rng = LMShard.SplitMix64(seed: 7)
        for _ in 0..<20 {
            let n = Int(rng.next() % 12) + 1
            var pos: [UInt32] = []
            var next: UInt32 = 0
            for _ in 0..<n {
                if rng.next() % 4 == 0 { next = 0 }
                pos.append(next)
                next += 1
            }
            let seg = PackedSegments.segmentIds(positions: pos)
            let mask = PackedSegments.attentionMask(positions: pos)
            for i in 0..<n { for j in 0..<n { #expect(mask[i * n + j] == (j <= i && seg[i] == seg[j])) } }
        }
    }
}
