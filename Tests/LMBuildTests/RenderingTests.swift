import Testing

@testable import LMBuild

@Suite struct TextHistogramTests {
    @Test func bucketsCoverTheRangeWithoutEmptyTail() {
        // 22...120 in at most 12 buckets: width 9 gives 11 buckets, none past 120.
        let h = TextHistogram(counts: [22: 3, 60: 1, 120: 2], maxBuckets: 12)
        #expect(h.buckets.first?.low == 22)
        #expect(h.buckets.last?.high == 120)
        #expect(h.buckets.allSatisfy { $0.low <= $0.high })
        #expect(h.buckets.map(\.count).reduce(0, +) == 6)
        #expect(h.total == 6)
    }

    @Test func singleValueIsOneBucketAndBarsScaleToThePeak() {
        let h = TextHistogram([5, 5, 5])
        #expect(h.buckets == [.init(low: 5, high: 5, count: 3)])
        let two = TextHistogram(counts: [1: 4, 2: 2])
        let lines = two.render(barWidth: 8)
        #expect(lines[0].contains(String(repeating: "█", count: 8)))
        #expect(lines[1].contains(String(repeating: "█", count: 4)) && !lines[1].contains(String(repeating: "█", count: 5)))
        #expect(TextHistogram([Int]()).render() == ["  (no values)"])
    }
}

@Suite struct SequenceRendererTests {
    let decode: ([UInt32]) -> String = { ids in ids.map { "t\($0)" }.joined() }

    @Test func marksSegmentsMaskedSpansAndPadding() {
        let r = SequenceRenderer(color: false, padTokenId: 0)
        let text = r.render(
            tokens: [1, 2, 3, 4, 5, 0, 0], positions: [0, 1, 2, 0, 1, 0, 0],
            lossMask: [false, true, true, false, true, false, false], decode: decode)
        #expect(text == "│segment 1│⟪t1⟫t2t3│segment 2│⟪t4⟫t5<pad×2>")
    }

    @Test func withoutPadIdNothingIsPadding() {
        let r = SequenceRenderer(color: false, padTokenId: nil)
        #expect(r.render(tokens: [7, 0], positions: [0, 0], lossMask: [true, false], decode: decode)
                == "│segment 1│t7│segment 2│⟪t0⟫")
    }
}

@Suite struct DatasetStatsTests {
    @Test func countsPaddingSegmentsLossAndTopTokens() {
        var s = DatasetStats(padTokenId: 0, vocabSize: 8)
        s.add(tokens: [5, 6, 5, 0, 0] as [UInt32], positions: [0, 1, 0, 0, 0] as [UInt32],
              lossMask: [true, true, false, false, false])
        s.add(tokens: [5, 7, 7, 7, 7] as [UInt32], positions: [0, 1, 2, 3, 4] as [UInt32],
              lossMask: [true, true, true, true, true])
        #expect(s.sequences == 2 && s.tokens == 10 && s.padTokens == 2 && s.lossTokens == 7)
        #expect(s.sequenceLengths == [3: 1, 5: 1])
        #expect(s.documentLengths == [2: 1, 1: 1, 5: 1])
        #expect(s.documents == 3)
        #expect(s.packingEfficiency == 0.8)
        #expect(s.topTokens(2).map(\.id) == [7, 5])
    }
}

@Suite struct HumanFormatTests {
    @Test func humanNumbers() {
        #expect(LMBuild.Format.count(999) == "999")
        #expect(LMBuild.Format.count(12_345) == "12.3k")
        #expect(LMBuild.Format.count(1_234_567) == "1.23M")
        #expect(LMBuild.Format.bytes(512) == "512 B")
        #expect(LMBuild.Format.bytes(3 << 20) == "3.00 MiB")
        #expect(LMBuild.Format.duration(125) == "2m05s")
        #expect(LMBuild.Format.duration(7260) == "2h01m")
    }
}
