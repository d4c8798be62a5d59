import Foundation
import LMPrep
import LMShard

/// What a finished build reports: enough to tell at a glance whether the
/// data is what was intended (how much was skipped, how well it packed, how
/// much was thrown away) without opening the dataset.
public struct BuildSummary: Sendable {
    public let output: String
    /// Documents read from the inputs (JSONL rows and text files).
    public let documentsRead: Int
    /// Bad rows skipped under `--skip-bad-rows`, and the first few of them.
    public let documentsSkipped: Int
    public let firstSkipped: [RejectLog.Entry]
    public let packing: PackingStats
    public let manifest: DatasetManifest
    /// Uncompressed input bytes read.
    public let inputBytes: Int64
    public let elapsed: TimeInterval

    /// Real tokens / all token slots written.
    public var packingEfficiency: Double { packing.fillRatio }
    public var padFraction: Double { 1 - packing.fillRatio }

    /// The human-readable report printed after a build.
    public func render() -> String {
        let p = packing
        let seconds = max(elapsed, 1e-6)
        func percent(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }
        var lines = [
            "built \(output)",
            "  documents   \(documentsRead) read, \(documentsSkipped) skipped",
        ]
        for entry in firstSkipped {
            lines.append("              skipped \(entry.description)")
        }
        if documentsSkipped > firstSkipped.count {
            lines.append("              ... and \(documentsSkipped - firstSkipped.count) more")
        }
        lines += [
            "  tokens      \(p.tokensIn) tokenized, \(p.realTokensOut) packed",
            "  sequences   \(p.sequencesOut) x \(manifest.seqLen) tokens in \(manifest.shards.count) shards",
            "  packing     efficiency \(percent(packingEfficiency)) (real / all tokens), pad \(percent(padFraction))",
            "  dropped     \(p.droppedTooLongExamples) too-long documents (\(p.droppedTooLongTokens) tokens), "
                + "\(p.trailingTokensDropped) trailing tokens",
            "  time        \(LMBuild.Format.duration(elapsed)): "
                + String(format: "%.2f MB/s, ", Double(inputBytes) / seconds / 1e6)
                + "\(LMBuild.Format.count(Int(Double(p.tokensIn) / seconds))) tokens/s",
            "  output      \(LMBuild.Format.bytes(Int64(manifest.totals.bytes))) "
                + "(\(manifest.tokenDType) tokens, \(manifest.positionDType) positions)",
        ]
        return lines.joined(separator: "\n")
    }
}
