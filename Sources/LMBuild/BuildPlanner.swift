import Foundation
import LMIO
import LMJSON
import LMPrep
import LMShard
import LMTokenizer

/// The plan step of `lmshard build` (local, or `--stage plan`): resolves the
/// config and flags, loads the tokenizer, walks the inputs in the build's
/// order, checks the output, cuts the splits and names the plan, before any
/// row is read, so every mistake in the settings fails in the first second.
public struct BuildPlanner {
    public let request: BuildRequest
    /// Plain JSONL files are cut into byte ranges of about this many bytes.
    public let splitBytes: Int
    /// A distributed plan: every input must be a file the map tasks can open
    /// (no stdin).
    public let distributed: Bool

    public init(request: BuildRequest, splitBytes: Int = BuildPlan.defaultSplitBytes, distributed: Bool = false) {
        precondition(splitBytes > 0, "splitBytes must be positive")
        self.request = request
        self.splitBytes = splitBytes
        self.distributed = distributed
    }

    /// Makes the plan, with everything loaded to run it in this process.
    ///
    /// - Throws: `BuildError` (a bad setting, input or output), `InputError`.
    public func plan() throws -> PreparedBuild {
        let (config, configJSON) = try ConfigResolver.preparation(configFile: request.configFile, overrides: request.overrides)
        let files = try InputCatalog.discover(request.inputs)
        if distributed, files.contains(where: \.isStdin) {
            throw BuildError.input(
                file: "-", line: nil,
                message: "a distributed build reads its inputs itself; give files or directories, not stdin")
        }
        if config.processingStrategy != .pretrain, let text = files.first(where: { $0.format == .text }) {
            throw BuildError.input(
                file: text.path, line: nil,
                message: "a plain text file is one pretraining document; the \(config.processingStrategy.rawValue) strategy reads JSONL rows (name files *.jsonl)")
        }
        let output = URL(fileURLWithPath: request.output).standardizedFileURL
        try Self.checkOutput(output, overwrite: request.overwrite)
        let (tokenizer, sha256) = try Self.loadTokenizer(config.tokenizerName)
        let prepare = try Self.makeTransform(config: config, tokenizer: tokenizer, source: request.configFile)

        let planFiles = try files.enumerated().map { try Self.planFile($0.offset, $0.element) }
        let splits = try Self.cut(planFiles, splitBytes: splitBytes)
        let tokenizerRecord = PlanTokenizer(
            name: config.tokenizerName, path: URL(fileURLWithPath: tokenizer.source).standardizedFileURL.path,
            sha256: sha256, vocabSize: tokenizer.vocabSize, eosID: tokenizer.eosTokenId.map(Int.init),
            padID: config.packingStrategy == .noIncomplete ? Int(prepare.padTokenId) : nil)
        var plan = BuildPlan(
            planVersion: BuildPlan.currentVersion, planID: "", kind: BuildPlan.buildKind,
            createdAt: Date().timeIntervalSince1970, config: configJSON, tokenizer: tokenizerRecord, files: planFiles,
            splits: splits, splitBytes: splitBytes, numReduceChunks: config.numReduceChunks,
            skipBadRows: request.skipBadRows, overwrite: request.overwrite, output: output.path, staging: nil)
        plan.planID = Self.identity(of: plan)
        plan.staging = BuildStaging.url(output: output, planID: plan.planID, distributed: distributed).path
        return PreparedBuild(plan: plan, config: config, tokenizer: tokenizer, prepare: prepare, planPath: nil)
    }

    /// The most splits a plan holds (a plan file of about 100 MB).
    static let maximumSplits = 1_000_000

    /// The splits of `files`: a plain JSONL file larger than `splitBytes`
    /// in byte ranges of `splitBytes` (the last to the end of the file),
    /// every other file whole. Ranges need not fall on line ends: a split
    /// owns the rows whose first byte it holds (`DocumentStream`).
    static func cut(_ files: [PlanFile], splitBytes: Int) throws -> [PlanSplit] {
        // An absurd split size (1 byte over a large corpus) would make a
        // plan of millions of entries that every task reads: refuse it first.
        let count = files.reduce(0) { n, f in
            n + (f.inputFormat == .jsonl && f.size ?? 0 > Int64(splitBytes) ? Int(((f.size ?? 0) - 1) / Int64(splitBytes)) + 1 : 1)
        }
        guard count <= maximumSplits else {
            throw BuildError.input(
                file: "--split-bytes", line: nil,
                message: "\(splitBytes) bytes cut the inputs into \(count) splits, more than \(maximumSplits); give a larger split size")
        }
        var splits: [PlanSplit] = []
        for file in files {
            let size = file.size ?? 0
            guard file.inputFormat == .jsonl, file.path != InputFile.stdinName, size > Int64(splitBytes) else {
                splits.append(PlanSplit(id: PlanSplit.id(splits.count), file: file.index, start: 0, end: nil))
                continue
            }
            var start: Int64 = 0
            while start < size {
                let end = start + Int64(splitBytes)
                splits.append(
                    PlanSplit(id: PlanSplit.id(splits.count), file: file.index, start: start, end: end >= size ? nil : end))
                start = end
            }
        }
        return splits
    }

    /// The plan's id: a hash of what decides its output (see `BuildPlan`).
    /// A plan reading stdin cannot be resumed and gets a fresh id each time.
    static func identity(of plan: BuildPlan) -> String {
        var text = "lmshard plan \(plan.planVersion)\nkind=\(plan.kind)\nconfig=\(plan.config.serialized())\n"
        text += "tokenizer=\(plan.tokenizer?.sha256 ?? "")\nsplit_bytes=\(plan.splitBytes)\nskip_bad_rows=\(plan.skipBadRows)\n"
        for f in plan.files {
            text += "file=\(f.path)\t\(f.format)\t\(f.size.map(String.init) ?? "-")\t\(f.mtimeNs.map(String.init) ?? "-")\n"
            if f.path == InputFile.stdinName { text += "stdin=\(UInt64.random(in: 0...UInt64.max))\n" }
        }
        return Checksum.hex(Checksum.xxh3(Array(text.utf8)))
    }

    /// An input as the plan records it: absolute path, size and mtime.
    static func planFile(_ index: Int, _ file: InputFile) throws -> PlanFile {
        guard !file.isStdin else {
            return PlanFile(index: index, path: file.path, name: file.path, format: file.format.rawValue, size: nil, mtimeNs: nil)
        }
        var info = stat()
        guard stat(file.path, &info) == 0 else { throw InputError.notFound(file.path) }
        let mtime = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        return PlanFile(
            index: index, path: URL(fileURLWithPath: file.path).standardizedFileURL.path, name: file.path,
            format: file.format.rawValue, size: Int64(info.st_size), mtimeNs: mtime)
    }

    /// The tokenizer and the SHA-256 of the `tokenizer.json` bytes it was built from.
    static func loadTokenizer(_ name: String) throws -> (Tokenizer, String) {
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

    /// `prepare_for_training` over `tokenizer`, after the checks that need
    /// the tokenizer (a padding id inside its vocabulary, the special
    /// tokens the strategy uses).
    static func makeTransform(config: PrepareForTrainingConfig, tokenizer: Tokenizer, source: String?) throws
        -> PrepareForTrainingTransform
    {
        if let pad = config.padTokenId, Int(pad) >= tokenizer.vocabSize {
            // Checked now, not when the manifest is written after the whole build.
            throw BuildError.config(
                source: source ?? "command line", field: "pad_token_id",
                message: "\(pad) is outside the tokenizer's vocabulary (ids 0...\(tokenizer.vocabSize - 1))"
                    + ConfigResolver.flagHint("pad_token_id"))
        }
        do {
            return try PrepareForTrainingTransform(config: config, encoder: tokenizer)
        } catch let error as PrepError {
            throw BuildError.config(source: config.tokenizerName, field: "tokenizer_name", message: error.description)
        }
    }

    /// Refuses to touch anything but an lmshard dataset, and that only with
    /// `--overwrite`.
    static func checkOutput(_ output: URL, overwrite: Bool) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: output.path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else {
            throw BuildError.output(path: output.path, message: "exists and is not a directory")
        }
        let contents = (try? fm.contentsOfDirectory(atPath: output.path)) ?? []
        if contents.isEmpty { return }
        let isDataset = contents.contains(LMShard.Format.manifestFileName)
        if !overwrite {
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
