import Foundation
import LMJSON
import LMShard

/// `lmshard inspect`: what is in a dataset, as text for a terminal or as
/// JSON for scripts. Answers "what did my model actually see?": how full the
/// sequences are, how long the packed documents were, which tokens dominate,
/// and (with samples) the sequences themselves with segment starts, masked
/// spans and padding marked.
public struct DatasetReport {
    public struct Sample {
        public let index: Int
        /// The first `maximumSampleTokens` tokens of the sequence, at most.
        public let tokens: [UInt32]
        public let positions: [UInt32]
        public let lossMask: [Bool]
        /// Tokens of the sequence past the ones shown.
        public let omittedTokens: Int
    }

    /// Longest prefix of a sample copied out of the shards: 9 MiB of ids,
    /// positions and flags, whatever length a (possibly hostile) index gives
    /// a sequence; longer rows are shown cut, with the rest counted.
    public static let maximumSampleTokens = 1 << 20

    public let directory: String
    public let manifest: DatasetManifest
    public let stats: DatasetStats
    public let samples: [Sample]
    public let topN: Int

    /// Reads every sequence once, through zero-copy views of the maps:
    /// O(tokens) time, memory bounded by `DatasetStats` and the samples.
    ///
    /// - Parameter sampleCount: sequences to show, spread evenly over the
    ///   dataset (first, ..., last) so one look covers every shard.
    public init(dataset: ShardedDataset, sampleCount: Int = 0, topN: Int = 10) throws {
        directory = dataset.directory.path
        manifest = dataset.manifest
        self.topN = topN
        var stats = DatasetStats(padTokenId: manifest.padId.map { UInt32($0) }, vocabSize: manifest.vocabSize)
        for i in 0..<dataset.count {
            try dataset.withSequence(at: i) { t, p, m in
                stats.add(tokens: t, positions: p, lossMask: m.lazy.map { $0 != 0 })
            }
        }
        self.stats = stats
        let count = dataset.count
        let k = min(max(0, sampleCount), count)
        var picked: [Int] = []
        for j in 0..<k {
            let index = k == 1 ? 0 : j * (count - 1) / (k - 1)
            if picked.last != index { picked.append(index) }
        }
        samples = try picked.map { i in
            try dataset.withSequence(at: i) { t, p, m in
                let shown = min(t.count, Self.maximumSampleTokens)
                return Sample(index: i, tokens: Array(t.prefix(shown)), positions: Array(p.prefix(shown)),
                              lossMask: m.prefix(shown).map { $0 != 0 }, omittedTokens: t.count - shown)
            }
        }
    }

    /// The terminal report. `tokenText` names a token id (nil when no
    /// tokenizer is at hand); `render` draws one sample.
    public func renderText(tokenText: (UInt32) -> String?, render: (Sample) -> String) -> String {
        let m = manifest
        func percent(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }
        var lines = [
            "dataset     \(directory)",
            "format      \(m.format) v\(m.formatVersion); tokens \(m.tokenDType), positions \(m.positionDType), "
                + "loss mask \(m.lossMaskDType)",
            "tokenizer   \(m.tokenizer.name) (sha256 \(m.tokenizer.sha256.prefix(12))..., vocab \(m.vocabSize), "
                + "eos \(m.eosId.map(String.init) ?? "none"), pad \(m.padId.map(String.init) ?? "none"))",
            "config      \(m.config.serialized())",
            "totals      \(m.totals.sequences) sequences x \(m.seqLen) tokens = \(m.totals.tokens) tokens, "
                + "\(m.totals.shards) shards, \(Format.bytes(Int64(m.totals.bytes)))",
            "content     \(stats.documents) documents, packing efficiency \(percent(stats.packingEfficiency)), "
                + "pad \(percent(stats.padFraction)), loss on \(percent(stats.lossFraction)) of tokens",
        ]
        if let bad = stats.firstOutOfVocabulary {
            lines.append("damage      \(stats.outOfVocabulary) token ids outside the vocabulary 0..<\(m.vocabSize) "
                         + "(first: \(displayedId(bad.id)) in sequence \(bad.sequence)); lmshard verify locates them")
        }
        lines += ["", "shards"]
        let nameWidth = m.shards.map(\.name.count).max() ?? 0
        for s in m.shards {
            lines.append("  \(s.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0))  "
                + "\(s.sequences) sequences, \(s.tokens) tokens")
        }
        lines += ["", "sequence length without padding (sequences)"]
        lines += TextHistogram(counts: stats.sequenceLengths).render()
        lines += ["", "packed document length in tokens (documents)"]
        lines += TextHistogram(counts: stats.documentLengths).render()
        lines += ["", "top \(topN) tokens"]
        for (id, count) in stats.topTokens(topN) {
            let name = tokenText(id).map { "  " + String(reflecting: $0) } ?? ""
            lines.append(String(format: "  %8d  %6.2f%%  ", id, Double(count) / Double(max(1, stats.tokens - stats.padTokens)) * 100)
                + "\(count)\(name)")
        }
        for sample in samples {
            lines += ["", "sequence \(sample.index)", render(sample)]
            if sample.omittedTokens > 0 { lines.append("(\(sample.omittedTokens) more tokens not shown)") }
        }
        return lines.joined(separator: "\n")
    }

    /// A stored id as the file means it: int32 ids are signed.
    private func displayedId(_ id: UInt32) -> String {
        manifest.tokenType == .int32 ? "id \(Int32(bitPattern: id))" : "id \(id)"
    }

    /// The same report as one JSON object.
    public func json(tokenText: (UInt32) -> String?, decode: (([UInt32]) -> String)?) -> JSONValue {
        func histogram(_ counts: [Int: Int]) -> JSONValue {
            .array(TextHistogram(counts: counts).buckets.map { b in
                var o = JSONObject()
                o["low"] = .int(Int64(b.low))
                o["high"] = .int(Int64(b.high))
                o["count"] = .int(Int64(b.count))
                return .object(o)
            })
        }
        var root = JSONObject()
        root["directory"] = .string(directory)
        root["manifest"] = (try? JSONValueEncoder().encode(manifest)) ?? .null
        root["sequences"] = .int(Int64(stats.sequences))
        root["tokens"] = .int(Int64(stats.tokens))
        root["pad_tokens"] = .int(Int64(stats.padTokens))
        root["loss_tokens"] = .int(Int64(stats.lossTokens))
        root["documents"] = .int(Int64(stats.documents))
        root["packing_efficiency"] = .double(stats.packingEfficiency)
        root["out_of_vocabulary_tokens"] = .int(Int64(stats.outOfVocabulary))
        root["sequence_length_histogram"] = histogram(stats.sequenceLengths)
        root["document_length_histogram"] = histogram(stats.documentLengths)
        root["top_tokens"] = .array(stats.topTokens(topN).map { id, count in
            var o = JSONObject()
            o["id"] = .int(Int64(id))
            o["count"] = .int(Int64(count))
            if let text = tokenText(id) { o["token"] = .string(text) }
            return .object(o)
        })
        root["samples"] = .array(samples.map { s in
            var o = JSONObject()
            o["index"] = .int(Int64(s.index))
            o["input_ids"] = .array(s.tokens.map { .int(Int64($0)) })
            o["position_ids"] = .array(s.positions.map { .int(Int64($0)) })
            o["loss_mask"] = .array(s.lossMask.map { .bool($0) })
            if s.omittedTokens > 0 { o["omitted_tokens"] = .int(Int64(s.omittedTokens)) }
            if let decode { o["text"] = .string(decode(s.tokens)) }
            return .object(o)
        })
        return .object(root)
    }
}
