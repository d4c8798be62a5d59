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
        // Taken first and held to the end: a second build of this output
        // fails at once, naming this one.
        var lock = try OutputLock(
            output: URL(fileURLWithPath: request.output).standardizedFileURL.path, command: "build")
        let summary: BuildSummary
        do {
            summary = try run(started: started, lock: &lock)
        } catch {
            lock.releaseKeepingRemainingWork()
            throw error
        }
        try lock.release()
        return summary
    }

    /// The build under the output's lock.
    private func run(started: Date, lock: inout OutputLock) throws -> BuildSummary {
        let build: PreparedBuild
        do {
            build = try BuildPlanner(request: request).plan()
        } catch {
            // What a killed build left is settled all the same: a publish it
            // cut short is finished or undone; its partial work is kept.
            try? lock.recoverKeepingWork(isReplaceable: BuildStaging.isReplaceable)
            throw error
        }
        let plan = build.plan
        let resumable = !plan.files.contains { $0.path == InputFile.stdinName }
        let stagingName = BuildStaging.name(of: plan)
        // What a killed build left is put right now: its staging directory
        // is kept if this is the same plan (resumed below), else removed.
        try lock.recover(reusing: resumable ? [stagingName] : [], isReplaceable: BuildStaging.isReplaceable)
        for note in lock.recovered { StandardError.write("lmshard: note: \(note)\n") }
        try lock.set("staging", stagingName)
        let staging = try BuildStaging.openOrResume(plan: plan)
        KillPoint.reached("staging.created")
        if resumable && staging.localMapIsDone && !staging.mapReceiptsIntact(plan: plan) {
            // Spills without every map receipt intact cannot be finalized:
            // the map phase runs again and writes both.
            StandardError.write("lmshard: note: \(staging.receiptsDirectory): map receipts missing or damaged; mapping the input again\n")
            try staging.redoMap()
        }
        let receipts: [ShardReceipt]
        do {
            receipts = try mapAndReduce(build, staging: staging, resumable: resumable)
        } catch {
            if let failure = error as? InputFailure {
                throw discarding(staging, lock: &lock, failure.underlying)
            }
            // A write failure keeps a resumable staging directory (and the
            // record naming it) for the rerun; a bad input or setting does not.
            if error is BuildError || !resumable { throw discarding(staging, lock: &lock, error) }
            StandardError.write(
                "lmshard: note: the work done so far is kept in \(staging.path); run the same command again to "
                    + "resume from it (or delete it)\n")
            throw error
        }
        let finalizer = Finalizer(build: build, staging: staging, report: { StandardError.write($0) })
        do {
            return try finalizer.finalize(
                receipts: receipts, source: staging.path, rehashing: false, started: started, lock: &lock)
        } catch {
            throw discarding(staging, lock: &lock, error)
        }
    }

    /// Removes the staging directory (and drops from the lock's record what
    /// is gone: the staging name, and a failed publish's notes) before
    /// `error` is thrown; unless the name no longer holds our staging
    /// directory (see `OutputLock.holdsOwnStaging`).
    private func discarding(_ staging: BuildStaging, lock: inout OutputLock, _ error: any Error) -> any Error {
        guard lock.holdsOwnStaging(staging.path) else {
            StandardError.write(
                "lmshard: note: \(staging.path) holds what was at \(lock.output): a publish swapped it out and could "
                    + "not swap it back; run the same command again to put it back\n")
            return error
        }
        staging.discard()
        if !FileSystem.exists(staging.path) {
            try? lock.set("staging", nil)
            try? lock.set("publishing", nil)
            if let aside = lock.record["aside"], !FileSystem.exists(FileSystem.parentDirectory(of: lock.output) + "/" + aside) {
                try? lock.set("aside", nil)
            }
        }
        return error
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
