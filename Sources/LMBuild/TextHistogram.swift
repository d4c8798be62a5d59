/// Text bar charts for `lmshard inspect`: a terminal is the debugger most
/// users have when a run looks wrong, so the shape of the data must show
/// without plotting tools.
public struct TextHistogram: Sendable, Equatable {
    public struct Bucket: Sendable, Equatable {
        /// Inclusive lower and upper bounds of the values counted here.
        public let low: Int
        public let high: Int
        public let count: Int
    }

    public let buckets: [Bucket]
    public let total: Int

    /// Buckets of equal width covering `min...max` of `values`, at most
    /// `maxBuckets` of them (fewer when the range is narrow). O(n).
    public init<S: Sequence>(_ values: S, maxBuckets: Int = 12) where S.Element == Int {
        var counts: [Int: Int] = [:]
        for v in values { counts[v, default: 0] += 1 }
        self.init(counts: counts, maxBuckets: maxBuckets)
    }

    /// The same from `value -> how many times it occurred`, so callers that
    /// scan millions of documents keep one counter per distinct length only.
    public init(counts: [Int: Int], maxBuckets: Int = 12) {
        total = counts.values.reduce(0, +)
        guard let lo = counts.keys.min(), let hi = counts.keys.max() else {
            buckets = []
            return
        }
        let span = hi - lo + 1
        let width = (span + max(1, min(maxBuckets, span)) - 1) / max(1, min(maxBuckets, span))
        // Recount: rounding the width up can leave trailing buckets past `hi`.
        let n = (span + width - 1) / width
        var sums = [Int](repeating: 0, count: n)
        for (v, c) in counts { sums[min(n - 1, (v - lo) / width)] += c }
        buckets = sums.enumerated().map { i, c in
            Bucket(low: lo + i * width, high: min(hi, lo + (i + 1) * width - 1), count: c)
        }
    }

    /// One line per bucket: `  low-high | ████▌      count`.
    public func render(barWidth: Int = 40) -> [String] {
        guard let peak = buckets.map(\.count).max(), peak > 0 else { return ["  (no values)"] }
        let labels = buckets.map { $0.low == $0.high ? "\($0.low)" : "\($0.low)-\($0.high)" }
        let labelWidth = labels.map(\.count).max() ?? 0
        // Eighth-block characters give 8x the resolution of whole blocks.
        let partials = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        return zip(labels, buckets).map { label, bucket in
            let eighths = bucket.count * barWidth * 8 / peak
            let bar = String(repeating: "█", count: eighths / 8) + partials[eighths % 8]
            let pad = String(repeating: " ", count: labelWidth - label.count)
            return "  \(pad)\(label) | \(bar)\(String(repeating: " ", count: max(0, barWidth - bar.count))) \(bucket.count)"
        }
    }
}
