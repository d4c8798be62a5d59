import Foundation
import LMIO
import LMPrep
import LMShard

/// The finalize step of every build: checks that the staged work is
/// complete and intact, writes `manifest.json` and publishes the staging
/// directory as the dataset. The local build and `--stage finalize` both
/// end here, so their manifests are one code's output.
///
/// Checked before anything is written, each failure naming what is wrong:
/// - every split of the plan was mapped (its map receipt, or rows fed on
///   stdin covering its file), and no receipt is for something the plan
///   does not have;
/// - per reduce group, the documents the maps emitted equal the documents
///   its reducer packed (`documents_in`), every group with documents has
///   exactly one receipt (the same receipt given twice is fine: a retried
///   reducer's output appended to the same file), and no receipt is for an
///   empty group;
/// - every shard's five files exist with its receipt's sizes and, with
///   `rehashing`, whole-file XXH3s (re-read);
/// - nothing else is in the staging directory (hidden `*.tmp` leftovers of
///   killed attempts are removed, and reported).
struct Finalizer {
    let build: PreparedBuild
    let staging: BuildStaging
    /// Where leftovers removed are reported (stderr), if anywhere.
    let report: ((String) -> Void)?

    /// Finalizes with `receipts` (in any order, duplicates allowed).
    ///
    /// - Parameters:
    ///   - rehashing: re-read every shard file to check its XXH3 (receipts
    ///     from other processes); the local build, whose receipts come from
    ///     the writer that just hashed the files or from shards verified
    ///     when kept, checks sizes only.
    ///   - source: names the receipts in messages.
    /// - Throws: `BuildError` naming the missing or damaged piece; nothing
    ///   is written then.
    func finalize(receipts: [ShardReceipt], source: String, rehashing: Bool, started: Date) throws -> BuildSummary {
        let plan = build.plan
        let byGroup = try Self.unique(receipts, groups: plan.numReduceChunks ?? 0, source: source)
        let maps = try staging.mapReceipts()
        try checkCoverage(maps)

        var emitted: [Int: Int] = [:]
        for receipt in maps.values {
            for (group, count) in receipt.emittedByGroup { emitted[group, default: 0] += count }
        }
        for (group, count) in emitted.sorted(by: { $0.key < $1.key }) {
            guard let receipt = byGroup[group] else {
                throw BuildError.receipts(
                    source: source,
                    message: "no receipt for reduce group \(group) (\(count) documents mapped): its reduce task did not finish")
            }
            guard receipt.packing.documentsIn == count else {
                throw BuildError.receipts(
                    source: source,
                    message: "reduce group \(group) packed \(receipt.packing.documentsIn) documents, the maps emitted \(count) (a partition fed twice, or lines lost in the shuffle)")
            }
        }
        for group in byGroup.keys.sorted() where emitted[group] == nil {
            throw BuildError.receipts(source: source, message: "a receipt for reduce group \(group), which no map emitted into")
        }
        let ordered = byGroup.keys.sorted().compactMap { byGroup[$0] }
        for receipt in ordered { try staging.verify(receipt, rehashing: rehashing) }
        try checkNothingExtra(shards: Set(ordered.compactMap(\.name)))

        var packing = PackingStats()
        for receipt in ordered { packing += receipt.packing }
        guard packing.sequencesOut > 0 else {
            throw BuildError.empty(
                "no sequences were produced: \(packing.documentsIn) documents gave \(packing.tokensIn) tokens; "
                    + "with seq_len \(build.config.seqLen) and \(build.config.packingStrategy.rawValue) packing nothing fits "
                    + "(try a smaller --seq-len or more input)")
        }
        guard let tokenizer = plan.tokenizer else { throw BuildError.plan(file: build.planName, message: "has no tokenizer") }
        let manifest = DatasetManifest(
            tokenizer: .init(name: tokenizer.name, sha256: tokenizer.sha256), vocabSize: tokenizer.vocabSize,
            eosId: tokenizer.eosID, padId: tokenizer.padID, seqLen: build.config.seqLen, config: plan.config,
            shards: ordered.compactMap(\.shard))
        try BuildPlanner.checkOutput(staging.output, overwrite: plan.overwrite)
        try staging.removeBookkeeping()
        try staging.commit(manifest: manifest, replacing: plan.overwrite)

        let skipped = RejectLog()
        for receipt in maps.values {
            skipped.merge(
                count: receipt.skipped,
                first: receipt.firstSkipped.map {
                    RejectLog.Entry(file: $0.file, line: $0.line, reason: $0.reason, fileIndex: receipt.file, offset: $0.offset)
                })
        }
        let (skippedCount, firstSkipped) = skipped.snapshot
        return BuildSummary(
            output: staging.output.path, documentsRead: maps.values.reduce(0) { $0 + $1.documentsRead },
            documentsSkipped: skippedCount, firstSkipped: firstSkipped, packing: packing, manifest: manifest,
            inputBytes: maps.values.reduce(0) { $0 + $1.bytesRead }, elapsed: Date().timeIntervalSince(started))
    }

    /// One receipt per group; the same receipt twice counts once.
    static func unique(_ receipts: [ShardReceipt], groups: Int, source: String) throws -> [Int: ShardReceipt] {
        var byGroup: [Int: ShardReceipt] = [:]
        for receipt in receipts {
            guard receipt.group >= 0 && receipt.group < groups else {
                throw BuildError.receipts(
                    source: source, message: "a receipt for reduce group \(receipt.group); the plan has groups 0..<\(groups)")
            }
            if let earlier = byGroup[receipt.group], earlier != receipt {
                throw BuildError.receipts(source: source, message: "two different receipts for reduce group \(receipt.group)")
            }
            byGroup[receipt.group] = receipt
        }
        return byGroup
    }

    /// Every split mapped once: by its own receipt, or (for rows an engine
    /// fed on stdin) by stdin receipts that cover its file.
    private func checkCoverage(_ maps: [String: MapReceipt]) throws {
        let plan = build.plan
        var fedFiles: [Int: [MapReceipt]] = [:]
        for (id, receipt) in maps {
            if let split = plan.split(id) {
                guard receipt.file == split.file, receipt.start == split.start, receipt.end == split.end else {
                    throw BuildError.staging(
                        path: staging.mapReceiptPath(id), message: "does not describe split \(id) of the plan")
                }
            } else if id.hasPrefix("stdin-"), receipt.file >= 0, receipt.file < plan.files.count {
                fedFiles[receipt.file, default: []].append(receipt)
            } else {
                throw BuildError.staging(path: staging.mapReceiptPath(id), message: "is for a split the plan does not have")
            }
        }
        for split in plan.splits where maps[split.id] == nil {
            let file = plan.files[split.file]
            guard var fed = fedFiles[split.file] else {
                let range = split.end.map { "bytes \(split.start)..<\($0)" } ?? (split.start > 0 ? "bytes \(split.start)..<end" : "whole file")
                throw BuildError.staging(
                    path: staging.mapReceiptPath(split.id),
                    message: "is missing: split \(split.id) (\(file.name), \(range)) was never mapped")
            }
            fed.sort { $0.start < $1.start }
            var covered: Int64 = 0
            for r in fed where r.start == covered { covered = r.end ?? covered }
            let complete = file.inputFormat == .jsonl ? covered >= (file.size ?? 0) : fed.first?.start == 0
            guard complete, fed.first?.start == 0 else {
                throw BuildError.staging(
                    path: staging.receiptsDirectory,
                    message: "the rows fed on stdin for \(file.name) do not cover it (stdin receipts reach byte \(covered) of \(file.size ?? 0))")
            }
        }
        for (file, fed) in fedFiles where plan.splits.contains(where: { $0.file == file && maps[$0.id] != nil }) {
            throw BuildError.staging(
                path: staging.mapReceiptPath(fed[0].split),
                message: "\(plan.files[file].name) was mapped both as splits and from stdin")
        }
    }

    /// Fails on anything in the staging directory that is neither a shard
    /// named by a receipt nor bookkeeping; removes hidden temporary files
    /// that killed attempts left (`.NAME.ATTEMPT.EXT.tmp`, `.NAME.tmp-PID-N`).
    private func checkNothingExtra(shards: Set<String>) throws {
        for (directory, allowed) in [(staging.path, true), (staging.receiptsDirectory, false)] {
            for name in try FileSystem.directoryEntries(directory).sorted() {
                let path = directory + "/" + name
                if Self.isTemporary(name) {
                    try FileSystem.removeTree(path)
                    report?("lmshard: removed \(path), left by an attempt that did not finish\n")
                    continue
                }
                if allowed {
                    if name == BuildStaging.planFileName || name == "receipts" || name == ".work" { continue }
                    if let dot = name.lastIndex(of: "."), shards.contains(String(name[..<dot])),
                        ShardFile(rawValue: String(name[name.index(after: dot)...])) != nil
                    {
                        continue
                    }
                } else if (name.hasPrefix("map-") || name.hasPrefix("shard-")) && name.hasSuffix(".json") {
                    continue
                }
                throw BuildError.staging(path: path, message: "is not part of the dataset (no receipt names it)")
            }
        }
    }

    /// Temporary names lmshard writes through: `.X.tmp`, `.X.ATTEMPT.EXT.tmp`, `.X.tmp-PID-RANDOM`.
    static func isTemporary(_ name: String) -> Bool {
        name.hasPrefix(".") && (name.hasSuffix(".tmp") || name.contains(".tmp-"))
    }
}
