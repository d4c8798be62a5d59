import Foundation
import LMIO
import LMJSON
import LMPrep
import MapReduce

/// `lmshard build`: raw text in, a verified shard dataset out.
///
/// The local build runs the four steps of a distributed build in one
/// process, through the same code: plan (`BuildPlanner`), map
/// (`DocumentMapper`, on every core), the local runner's disk-spilling
/// shuffle in place of an engine's, reduce (`ShardReducer`: each group
/// packed and written as one shard, `shard-00000` for group 0, ... by the
/// worker that reduces it) and finalize (`Finalizer`: checks, manifest,
/// publish). It writes the same receipts into the same staging directory
/// as the distributed stages, so both give byte-identical datasets, and
/// output is identical for any number of workers.
///
/// Nothing half-written ever looks valid: shards are written into the
/// plan's hidden staging directory next to the output (`BuildStaging`),
/// `manifest.json` is written last, and only then is the staging directory
/// renamed into place. A killed build leaves the staging directory, and the
/// same command started again resumes: it reuses the spill files if the
/// map phase had finished and every shard whose receipt still verifies,
/// and redoes the rest. A build that fails on its input or settings removes
/// the staging directory (rerunning it needs a change, which makes a new
/// plan anyway).
public struct Builder {
    public let request: BuildRequest

    public init(request: BuildRequest) { self.request = request }

    /// Runs the build.
    ///
    /// - Throws: `BuildError` (bad row, bad setting, unusable output),
    ///   `InputError`, or the shard writer's and runner's errors; in every
    ///   case the output directory is left as it was.
    public func run() throws -> BuildSummary {
        let started = Date()
        let build = try BuildPlanner(request: request).plan()
        let plan = build.plan
        let resumable = !plan.files.contains { $0.path == InputFile.stdinName }
        let staging = try BuildStaging.openOrResume(plan: plan)
        var keep = false
        var succeeded = false
        defer { if !succeeded && !keep { staging.discard() } }
        let receipts: [ShardReceipt]
        do {
            receipts = try mapAndReduce(build, staging: staging, resumable: resumable)
        } catch let error as InputFailure {
            throw error.underlying
        } catch let error as BuildError {
            throw error
        } catch {
            keep = resumable  // a write failure, a kill: a rerun resumes
            throw error
        }
        let finalizer = Finalizer(build: build, staging: staging, report: { StandardError.write($0) })
        let summary = try finalizer.finalize(receipts: receipts, source: staging.path, rehashing: false, started: started)
        succeeded = true
        return summary
    }

    /// The map and reduce steps on the local runner: receipts of every group.
    private func mapAndReduce(_ build: PreparedBuild, staging: BuildStaging, resumable: Bool) throws -> [ShardReceipt] {
        let plan = build.plan
        let files = build.inputFiles
        let allSized = files.allSatisfy { $0.format == .jsonl || $0.format == .text } && !files.contains { $0.isStdin }
        let totalBytes = allSized ? files.reduce(Int64(0)) { $0 + ($1.byteCount ?? 0) } : nil
        let progress = ProgressReporter(mode: request.progress, totalBytes: totalBytes)
        let ledger = MapLedger(splits: plan.splits.map { ($0.id, $0) })
        let stream = DocumentStream(
            files: files,
            onDocument: { document in
                ledger.read(file: document.file, offset: document.offset, bytes: document.bytes.count)
                progress.add(documents: 1, bytes: Int64(document.bytes.count), tokens: 0)
            },
            onEnd: { progress.setPhase("reduce") })
        guard let mapper = build.mapper(rejects: ledger, progress: progress) else {
            preconditionFailure("the planner loads the tokenizer")
        }
        let transform = BuildTransform(
            mapper: mapper, ledger: ledger, reducer: build.reducer(staging: staging, attempt: "local"))
        let runner = LocalRunner(
            workers: request.workers ?? ProcessInfo.processInfo.activeProcessorCount,
            memoryBudget: request.memoryBudgetMB << 20, workDirectory: staging.workDirectory)
        let collector = ReceiptCollector()
        let textField = build.config.fields.content
        let locator = build.locator
        do {
            try runner.run(
                transform, input: stream, prepare: { ParsedDocument($0, textField: textField) },
                jobIdentity: resumable ? plan.planID : nil,
                beforeMapDone: {
                    // A read error ends the input early: never record that as a finished map.
                    if let failure = stream.failure { throw InputFailure(underlying: failure) }
                    for receipt in ledger.receipts(locator: locator) { try staging.write(receipt) }
                },
                sinks: { _ in collector.sink() })
        } catch let MapReduceError.map(_, underlying) {
            throw stream.failure.map { InputFailure(underlying: $0) } ?? underlying
        }
        if let failure = stream.failure { throw InputFailure(underlying: failure) }
        progress.finish()
        return collector.all
    }

    /// The config file merged with the flags (flags win), decoded and
    /// validated, and the merged JSON that goes into the manifest.
    func resolveConfig() throws -> (PrepareForTrainingConfig, JSONValue) {
        try ConfigResolver.preparation(configFile: request.configFile, overrides: request.overrides)
    }
}

/// An input that could not be read (a truncated zstd stream, an unreadable
/// file): a failed build, not one to resume.
struct InputFailure: Error {
    let underlying: any Error
}
