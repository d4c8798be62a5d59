import Foundation
import LMIO
import LMJSON
import LMPrep
import LMShard
import LMTokenizer
import MapReduce

/// `lmshard build`: raw text in, a verified shard dataset out.
///
/// The flow is the notebook's `prepare_for_training` on the local runner:
/// documents are read in input order on one thread, parsed and tokenized on
/// every core, grouped by `array_hash(input_ids) % num_reduce_chunks`, and
/// each group is packed and written as one shard (`shard-00000` for group 0,
/// ...) by the worker that reduces it (`PartitionSink`). Output is identical
/// for any number of workers.
///
/// Nothing half-written ever looks valid: shards are written into a hidden
/// staging directory next to the output, `manifest.json` is written last,
/// and only then is the staging directory published under the output's
/// name in one step (`Staging.commit`: a rename that refuses to replace
/// anything, or with `--overwrite` an exchange with the old dataset). A failed build
/// removes the staging directory; an interrupted one leaves only a hidden
/// `.NAME.partial-PID` folder with no manifest.
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
        let (config, configJSON) = try resolveConfig()
        let files = try InputCatalog.discover(request.inputs)
        if config.processingStrategy != .pretrain, let text = files.first(where: { $0.format == .text }) {
            throw BuildError.input(
                file: text.path, line: nil,
                message: "a plain text file is one pretraining document; the \(config.processingStrategy.rawValue) strategy reads JSONL rows (name files *.jsonl)")
        }
        let output = URL(fileURLWithPath: request.output).standardizedFileURL
        try checkOutput(output)

        let (tokenizer, tokenizerSHA256) = try loadTokenizer(config.tokenizerName)
        if let pad = config.padTokenId, Int(pad) >= tokenizer.vocabSize {
            // Checked now, not when the manifest is written after the whole build.
            throw BuildError.config(
                source: request.configFile ?? "command line", field: "pad_token_id",
                message: "\(pad) is outside the tokenizer's vocabulary (ids 0...\(tokenizer.vocabSize - 1))"
                    + Self.flagHint("pad_token_id"))
        }
        let stats = PackingStatsAccumulator()
        let prepare: PrepareForTrainingTransform
        do {
            prepare = try PrepareForTrainingTransform(config: config, encoder: tokenizer, stats: stats)
        } catch let error as PrepError {
            throw BuildError.config(source: config.tokenizerName, field: "tokenizer_name", message: error.description)
        }

        let allSized = files.allSatisfy { $0.format == .jsonl || $0.format == .text } && !files.contains { $0.isStdin }
        let totalBytes = allSized ? files.reduce(Int64(0)) { $0 + ($1.byteCount ?? 0) } : nil
        let progress = ProgressReporter(mode: request.progress, totalBytes: totalBytes)
        // The reading thread counts documents in the stream itself (read
        // after the run); it only reports progress through the thread-safe
        // reporter. (It used to add to locals of this function from that
        // thread: a data race Swift 6's checking pointed out.)
        let stream = DocumentStream(
            files: files,
            onDocument: { size in progress.add(documents: 1, bytes: Int64(size), tokens: 0) },
            onEnd: { progress.setPhase("reduce") })
        let rejects = request.skipBadRows ? RejectLog() : nil
        let transform = BuildTransform(
            base: prepare, fileNames: files.map(\.path), rejects: rejects, progress: progress)

        let staging = try Staging(output: output)
        var succeeded = false
        defer { if !succeeded { staging.discard() } }

        // Each reduce partition writes its groups' shards itself, on the
        // worker that reduces it: shards are written once, in parallel.
        let writers = ShardWriterSet(
            directory: staging.url, tokenDType: .forVocabulary(size: tokenizer.vocabSize),
            positionDType: .forSequenceLength(config.seqLen))
        defer { writers.abortOpenShards() }
        let runner = LocalRunner(
            workers: request.workers ?? ProcessInfo.processInfo.activeProcessorCount,
            memoryBudget: request.memoryBudgetMB << 20, workDirectory: staging.workDirectory.path)
        let textField = config.fields.content
        do {
            try runner.run(
                transform, input: stream,
                prepare: { ParsedDocument($0, textField: textField) },
                sinks: { _ in writers.makeWriter() })
        } catch let MapReduceError.map(_, underlying) {
            throw stream.failure ?? underlying
        }
        if let failure = stream.failure { throw failure }
        let shards = writers.shards
        progress.finish()

        let packing = stats.total
        guard packing.sequencesOut > 0 else {
            throw BuildError.empty(
                "no sequences were produced: \(packing.documentsIn) documents gave \(packing.tokensIn) tokens; "
                    + "with seq_len \(config.seqLen) and \(config.packingStrategy.rawValue) packing nothing fits "
                    + "(try a smaller --seq-len or more input)")
        }
        let manifest = DatasetManifest(
            tokenizer: .init(name: config.tokenizerName, sha256: tokenizerSHA256),
            vocabSize: tokenizer.vocabSize, eosId: tokenizer.eosTokenId.map(Int.init),
            padId: config.packingStrategy == .noIncomplete ? Int(prepare.padTokenId) : nil,
            seqLen: config.seqLen, config: configJSON, shards: shards)
        try staging.commit(manifest: manifest, replacing: request.overwrite)
        succeeded = true

        let skipped = rejects?.snapshot ?? (count: 0, first: [])
        return BuildSummary(
            output: output.path, documentsRead: stream.documentsRead, documentsSkipped: skipped.count,
            firstSkipped: skipped.first, packing: packing, manifest: manifest, inputBytes: stream.bytesRead,
            elapsed: Date().timeIntervalSince(started))
    }

    // MARK: - Settings

    /// The config file merged with the flags (flags win), decoded and
    /// validated, and the merged JSON that goes into the manifest.
    func resolveConfig() throws -> (PrepareForTrainingConfig, JSONValue) {
        var object = JSONObject()
        let source = request.configFile ?? "command line"
        if let path = request.configFile {
            guard case let .object(fileObject) = try ConfigFile.load(path) else {
                throw BuildError.config(source: path, field: "$", message: "the config must be an object of settings")
            }
            object = fileObject
        }
        for (key, value) in request.overrides.entries {
            if case let .object(inner) = value, case var .object(merged)? = object[key] {
                for (k, v) in inner.entries { merged[k] = v }
                object[key] = .object(merged)
            } else {
                object[key] = value
            }
        }
        let typeName = PrepareForTrainingConfig.typeName
        switch object["type"] {
        case nil:
            var typed = JSONObject()
            typed["type"] = .string(typeName)
            for (k, v) in object.entries { typed[k] = v }
            object = typed
        case .string(typeName)?:
            break
        case let other?:
            throw BuildError.config(
                source: source, field: "type", message: "lmshard build runs \(typeName), not \(other.serialized())")
        }
        let json = JSONValue.object(object)
        do {
            return (try PrepareForTrainingConfig(json: json), json)
        } catch let PrepError.invalidConfig(field, reason) {
            throw BuildError.config(source: source, field: field, message: reason + Self.flagHint(field))
        } catch let error as JSONDecodeError {
            throw BuildError.config(source: source, field: error.path, message: error.message + Self.flagHint(error.path))
        }
    }

    /// Which flag sets a config field, for messages about missing settings.
    static func flagHint(_ field: String) -> String {
        let flags = [
            "tokenizer_name": "--tokenizer", "processing_strategy": "--strategy", "packing_strategy": "--packing",
            "seq_len": "--seq-len", "num_reduce_chunks": "--num-reduce-chunks", "pad_token_id": "--pad-token-id",
        ]
        guard let flag = flags[field] else { return "" }
        return " (set \(flag) or `\(field)` in --config)"
    }

    /// The tokenizer and the SHA-256 of the `tokenizer.json` bytes it was built from.
    func loadTokenizer(_ name: String) throws -> (Tokenizer, String) {
        do {
            let tokenizer = try Tokenizer.fromPretrained(name, computingSHA256: true)
            guard let sha256 = tokenizer.sourceSHA256 else {
                throw TokenizerError.unreadable(file: tokenizer.source, reason: "no SHA-256 of its bytes")
            }
            return (tokenizer, sha256)
        } catch {
            throw BuildError.config(source: name, field: "tokenizer_name", message: "cannot load tokenizer: \(error)")
        }
    }

    // MARK: - Output

    /// Refuses to touch anything but an lmshard dataset, and that only with
    /// `--overwrite`.
    func checkOutput(_ output: URL) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: output.path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else {
            throw BuildError.output(path: output.path, message: "exists and is not a directory")
        }
        let contents = (try? fm.contentsOfDirectory(atPath: output.path)) ?? []
        if contents.isEmpty { return }
        let isDataset = contents.contains(LMShard.Format.manifestFileName)
        if !request.overwrite {
            throw BuildError.output(
                path: output.path,
                message: isDataset ? "a dataset already exists here; pass --overwrite to replace it"
                    : "directory is not empty; choose a new output directory")
        }
        guard isDataset else {
            throw BuildError.output(
                path: output.path, message: "directory is not empty and holds no lmshard dataset; refusing to replace it")
        }
    }
}

/// The hidden directory a build writes into before it is published under
/// the output's name in one step.
struct Staging {
    let output: URL
    let url: URL
    var workDirectory: URL { url.appendingPathComponent(".work") }

    init(output: URL) throws {
        self.output = output
        let parent = output.deletingLastPathComponent()
        url = parent.appendingPathComponent(".\(output.lastPathComponent).partial-\(getpid())")
        try FileSystem.makeDirectory(parent.path)
        try FileSystem.removeTree(url.path)
        try FileSystem.makeDirectory(workDirectory.path)
    }

    /// Writes the manifest, then publishes the staging directory as `output`.
    ///
    /// Without `replacing`, the rename refuses (`RENAME_NOREPLACE`) if
    /// anything appeared at `output` while the build ran, so nothing is
    /// ever replaced; an empty directory the user named as output is
    /// removed first (and if something was written into it meanwhile, that
    /// fails and nothing is replaced either). With `replacing`, the old
    /// dataset and the new one are swapped in one step (`RENAME_EXCHANGE`):
    /// a reader of `output` sees one or the other, never neither; the old
    /// one is then deleted, unless what was swapped out is not an lmshard
    /// dataset (it was replaced by something else since the build checked
    /// it), which is swapped back and reported.
    func commit(manifest: DatasetManifest, replacing: Bool) throws {
        try? FileSystem.removeTree(workDirectory.path)
        try manifest.write(to: url)
        let target = output.path
        let appeared = "something appeared here while the build ran; nothing was replaced"
        if replacing && FileSystem.exists(target) {
            try FileSystem.exchange(url.path, target)
            // `url` now holds what was at the output.
            let old = (try? FileSystem.directoryEntries(url.path)) ?? []
            guard old.isEmpty || old.contains(LMShard.Format.manifestFileName) else {
                try FileSystem.exchange(url.path, target)
                throw BuildError.output(path: target, message: "is no longer an lmshard dataset; refusing to replace it")
            }
            try FileSystem.removeTree(url.path)
        } else {
            if FileSystem.kind(of: target) == .directory {
                guard rmdir(target) == 0 else { throw BuildError.output(path: target, message: appeared) }
            }
            do {
                try FileSystem.renameNoReplace(url.path, to: target)
            } catch let error as FileError where error.isAlreadyExists {
                throw BuildError.output(path: target, message: appeared)
            }
        }
        try FileSystem.syncDirectory(output.deletingLastPathComponent().path)
    }

    func discard() { try? FileSystem.removeTree(url.path) }
}

/// Writes the runner's ordered output as one shard per reduce group.
final class GroupShardWriter: PartitionSink {
    let directory: URL
    let tokenDType: TokenDType
    let positionDType: PositionDType
    /// The group being written and its shard.
    private var group: Int?
    private var writer: ShardWriter?
    /// The shards closed so far with their groups, in the order written
    /// (ascending group).
    private(set) var finished: [(group: Int, shard: ShardSummary)] = []

    init(directory: URL, tokenDType: TokenDType, positionDType: PositionDType) {
        self.directory = directory
        self.tokenDType = tokenDType
        self.positionDType = positionDType
    }

    static func shardName(group: Int) -> String { "shard-" + String(format: "%05d", group) }

    func write(_ sequence: GroupedSequence) throws {
        if group != sequence.group {
            try closeShard()
            writer = try ShardWriter(
                directory: directory, name: Self.shardName(group: sequence.group),
                tokenDType: tokenDType, positionDType: positionDType)
            group = sequence.group
        }
        // Moved out and back: a failed append drops (and so aborts) the shard.
        guard var open = writer.take() else { preconditionFailure("a shard is open for the group") }
        try open.append(
            tokens: sequence.row.inputIds, positions: sequence.row.positionIds, lossMask: sequence.row.lossMask)
        writer = consume open
    }

    private func closeShard() throws {
        guard let closing = group, let open = writer.take() else { return }
        group = nil
        finished.append((closing, try open.finish()))
    }

    func finish() throws { try closeShard() }

    /// Removes a shard left open by a failed build.
    func abortOpenShard() {
        group = nil
        if let open = writer.take() { open.abort() }
    }
}

/// The shard writers of one build, one per reduce partition, made on the
/// reduce workers: their shards together, in group order, once the run is done.
/// `@unchecked Sendable`: the list of writers is touched only under `lock`,
/// and each writer only by the worker reducing its partition.
final class ShardWriterSet: @unchecked Sendable {
    let directory: URL
    let tokenDType: TokenDType
    let positionDType: PositionDType
    private let lock = NSLock()
    private var writers: [GroupShardWriter] = []

    init(directory: URL, tokenDType: TokenDType, positionDType: PositionDType) {
        self.directory = directory
        self.tokenDType = tokenDType
        self.positionDType = positionDType
    }

    /// A writer for one more partition.
    func makeWriter() -> GroupShardWriter {
        let writer = GroupShardWriter(directory: directory, tokenDType: tokenDType, positionDType: positionDType)
        lock.lock()
        defer { lock.unlock() }
        writers.append(writer)
        return writer
    }

    /// Every finished shard in group order, so the manifest does not
    /// depend on which worker reduced what.
    var shards: [ShardSummary] {
        lock.lock()
        defer { lock.unlock() }
        return writers.flatMap(\.finished).sorted { $0.group < $1.group }.map(\.shard)
    }

    /// Removes shards left open by a failed build.
    func abortOpenShards() {
        lock.lock()
        defer { lock.unlock() }
        for writer in writers { writer.abortOpenShard() }
    }
}
