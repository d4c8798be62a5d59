import Foundation
import LMJSON
import LMShard
import LMTokenizer
import TestSupport
import Testing

@testable import LMBuild

/// One shard of int32 or uint16 sequences with a manifest naming `tokenizerName`.
private func writeDataset(_ dir: URL, rows: [[UInt32]], vocab: Int, tokenizerName: String = "t",
                          sha256: String = String(repeating: "ab", count: 32)) throws {
    let seqLen = rows.map(\.count).max() ?? 1
    var w = try ShardWriter(directory: dir, name: "s", tokenDType: .forVocabulary(size: vocab),
                            positionDType: .forSequenceLength(seqLen), blockSize: 64)
    for r in rows {
        try w.append(tokens: r, positions: r.indices.map { UInt32($0) }, lossMask: r.map { _ in true })
    }
    try DatasetManifest(tokenizer: .init(name: tokenizerName, sha256: sha256), vocabSize: vocab, eosId: nil, padId: nil,
                        seqLen: seqLen, config: .null, shards: [try w.finish()]).write(to: dir)
}

/// The repository's sample tokenizer (`sample/tokenizer/tokenizer.json`).
private let sampleTokenizer = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("sample/tokenizer/tokenizer.json")

@Suite struct InspectMemoryTests {
    /// A manifest `vocab_size` of 2^31 - 1 used to allocate a 16 GiB count
    /// array; ids far apart cost one dictionary entry each.
    @Test func hugeVocabularyCountsSparsely() throws {
        var s = DatasetStats(padTokenId: nil, vocabSize: Int(Int32.max))
        s.add(tokens: [5, 2_000_000_000, 5, 1 << 20] as [UInt32], positions: [0, 1, 2, 3] as [UInt32],
              lossMask: [true, true, true, true])
        #expect(s.count(of: 5) == 2 && s.count(of: 2_000_000_000) == 1 && s.count(of: 1 << 20) == 1)
        #expect(s.topTokens(3).map(\.id) == [5, 1 << 20, 2_000_000_000])
        #expect(s.outOfVocabulary == 0)
    }

    /// Ids at or above `vocab_size` (a negative int32 id reads as >= 2^31)
    /// are damage: counted, the first remembered, never stored.
    @Test func idsOutsideTheVocabularyAreCountedAsDamage() throws {
        var s = DatasetStats(padTokenId: nil, vocabSize: 1000)
        s.add(tokens: [1, 2] as [UInt32], positions: [0, 1] as [UInt32], lossMask: [true, true])
        s.add(tokens: [3, 4_000_000_000, UInt32(bitPattern: -1), 3] as [UInt32], positions: [0, 1, 2, 3] as [UInt32],
              lossMask: [true, true, true, true])
        #expect(s.outOfVocabulary == 2)
        #expect(s.firstOutOfVocabulary?.id == 4_000_000_000 && s.firstOutOfVocabulary?.sequence == 1)
        #expect(s.topTokens(5).map(\.id) == [3, 1, 2])
        #expect(s.count(of: 4_000_000_000) == 0)
    }

    /// The whole inspect report over an int32 dataset whose one id is -1 and
    /// whose manifest claims the largest vocabulary there is.
    @Test func reportOnAHostileInt32Dataset() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try writeDataset(dir.url, rows: [[7, 8, 9], [6, 7, 7]], vocab: 100_000)
        // The writer refuses -1; the damage comes later (readers do not check values).
        var bin = try Data(contentsOf: dir.url.appendingPathComponent("s.bin"))
        bin.replaceSubrange(12..<16, with: [0xFF, 0xFF, 0xFF, 0xFF])
        try bin.write(to: dir.url.appendingPathComponent("s.bin"))
        let report = try DatasetReport(dataset: ShardedDataset(directory: dir.url), sampleCount: 1)
        #expect(report.stats.outOfVocabulary == 1)
        let text = report.renderText(tokenText: { _ in nil }, render: { _ in "" })
        #expect(text.contains("damage      1 token ids outside the vocabulary 0..<100000 (first: id -1 in sequence 1)"), "\(text)")
        #expect(report.stats.topTokens(1).map(\.id) == [7] && report.stats.count(of: 7) == 3)
        let json = report.json(tokenText: { _ in nil }, decode: nil)
        guard case let .object(o) = json else { Issue.record("not an object"); return }
        #expect(o["out_of_vocabulary_tokens"] == .int(1))

        // The largest vocabulary a manifest may claim: counts stay bounded.
        let big = try TempDir()
        defer { big.remove() }
        try writeDataset(big.url, rows: [[7, 2_147_483_646, 9]], vocab: Int(Int32.max))
        let r = try DatasetReport(dataset: ShardedDataset(directory: big.url))
        #expect(r.stats.count(of: 2_147_483_646) == 1 && r.stats.outOfVocabulary == 0)
    }
}

@Suite struct InspectTokenizerTests {
    func sha256(_ url: URL) throws -> String {
        try #require(Tokenizer(contentsOf: url, computingSHA256: true).sourceSHA256)
    }

    /// A hub id or a path outside the dataset is never loaded on the
    /// manifest's word; the error says how to pass it.
    @Test func namesOutsideTheDatasetAreNotLoaded() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        for name in ["JetBrains/Mellum-4b-base", sampleTokenizer.path, "../outside/tokenizer.json", "~/tok.json"] {
            try writeDataset(dir.url, rows: [[1, 2]], vocab: 100, tokenizerName: name, sha256: try sha256(sampleTokenizer))
            let manifest = try DatasetManifest.read(from: dir.url)
            #expect(throws: InspectTokenizer.Failure.self, "\(name)") {
                try InspectTokenizer.load(explicit: nil, manifest: manifest, directory: dir.url)
            }
            do {
                _ = try InspectTokenizer.load(explicit: nil, manifest: manifest, directory: dir.url)
            } catch let e as InspectTokenizer.Failure {
                #expect("\(e)".hasSuffix("--decode --tokenizer \(name.hasPrefix("~") ? "'\(name)'" : name)"), "\(e)")
            }
        }
    }

    /// A symlink inside the dataset that leads out of it is refused too.
    @Test func symlinkOutOfTheDatasetIsRefused() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try writeDataset(dir.url, rows: [[1, 2]], vocab: 100, tokenizerName: "tok.json", sha256: try sha256(sampleTokenizer))
        try FileManager.default.createSymbolicLink(atPath: dir.path("tok.json"), withDestinationPath: sampleTokenizer.path)
        #expect(InspectTokenizer.shippedFile(name: "tok.json", directory: dir.url) == nil)
        #expect(throws: InspectTokenizer.Failure.self) {
            try InspectTokenizer.load(explicit: nil, manifest: DatasetManifest.read(from: dir.url), directory: dir.url)
        }
    }

    /// A tokenizer shipped inside the dataset is used when its sha256 is the
    /// manifest's, refused otherwise; `--tokenizer` always loads, with a
    /// warning when the hash differs.
    @Test func shippedTokenizerAndExplicitOne() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let sha = try sha256(sampleTokenizer)
        try dir.write("tokenizer.json", try Data(contentsOf: sampleTokenizer))
        try writeDataset(dir.url, rows: [[1, 2]], vocab: 100, tokenizerName: "JetBrains/Mellum-4b-base", sha256: sha)
        let manifest = try DatasetManifest.read(from: dir.url)
        let (t, warning) = try InspectTokenizer.load(explicit: nil, manifest: manifest, directory: dir.url)
        #expect(t.sourceSHA256 == sha && warning == nil)

        try writeDataset(dir.url, rows: [[1, 2]], vocab: 100, tokenizerName: "tokenizer.json",
                         sha256: String(repeating: "0", count: 64))
        let other = try DatasetManifest.read(from: dir.url)
        #expect(throws: InspectTokenizer.Failure.self) { try InspectTokenizer.load(explicit: nil, manifest: other, directory: dir.url) }
        let explicit = try InspectTokenizer.load(explicit: sampleTokenizer.path, manifest: other, directory: dir.url)
        #expect(explicit.warning?.hasPrefix("warning: tokenizer \(sampleTokenizer.path) has sha256 \(sha.prefix(12))...") == true)
    }
}
