import Foundation
import LMIO
import LMJSON
import LMPrep
import MapReduce

/// `lmshard run`'s streaming stages for any registered transform
/// (`change_case`, `count_chars`, `prepare_for_training`, ...), with the
/// same config path and the same input handling as `lmshard build`:
///
/// - the config is `--config` (JSON or YAML) merged with the flags by
///   `ConfigResolver` (`--tokenizer` sets `tokenizer_name`; no `type` means
///   `prepare_for_training`);
/// - `plan` walks the inputs in the build's order and cuts splits
///   (`BuildPlan` of kind `run`);
/// - `map` reads its splits itself and writes `KEY\tSEQ\tVALUE` lines whose
///   `SEQ` is the row's global `InputPosition`, or reads rows an engine
///   feeds on stdin from an explicit `--seq-base`; a bad row names its real
///   `file:line`;
/// - `reduce` puts each key's values back in input order with a
///   bounded-memory external sort and writes JSONL.
public struct RunStages {
    /// The transform and its merged config.
    public let job: TransformJob

    /// Resolves `configFile` and `overrides` into a transform.
    ///
    /// - Throws: `JobError` naming the config file (and the field's line
    ///   in a JSON file) for an invalid config, `FileError`, `ConfigFile.LoadError`.
    public init(configFile: String?, overrides: JSONObject, registry: TransformRegistry = .withPreparation) throws {
        let (object, source) = try ConfigResolver.merged(configFile: configFile, overrides: overrides)
        let bytes = configFile.flatMap { try? FileSystem.readFile($0, limit: ConfigFile.maximumFileSize) }
        job = try TransformJob(config: .object(object), source: source, sourceBytes: bytes, registry: registry)
    }

    /// The transform of a `run` plan (its recorded config, with `overrides`
    /// on top, e.g. a local copy of the tokenizer).
    public init(plan: BuildPlan, planPath: String, overrides: JSONObject, registry: TransformRegistry = .withPreparation)
        throws
    {
        guard plan.kind == BuildPlan.runKind, case var .object(object) = plan.config else {
            throw BuildError.plan(file: planPath, message: "is a \(plan.kind) plan, not a run plan (lmshard run --stage plan)")
        }
        for (key, value) in overrides.entries { object[key] = value }
        job = try TransformJob(config: .object(object), source: planPath, registry: registry)
    }

    /// `run --stage plan`: the plan of running this transform over `inputs`.
    ///
    /// - Throws: `InputError` for missing inputs, `BuildError.input` for
    ///   stdin or a text file (run reads JSONL rows from files).
    public func plan(inputs: [String], splitBytes: Int, skipBadRows: Bool) throws -> BuildPlan {
        let files = try InputCatalog.discover(inputs)
        if let bad = files.first(where: { $0.isStdin || $0.format == .text }) {
            throw BuildError.input(
                file: bad.isStdin ? "-" : bad.path, line: nil,
                message: bad.isStdin ? "a plan names files the map tasks read themselves, not stdin"
                    : "lmshard run reads JSONL rows (name files *.jsonl)")
        }
        var plan = BuildPlan(
            planVersion: BuildPlan.currentVersion, planID: "", kind: BuildPlan.runKind,
            createdAt: Date().timeIntervalSince1970, config: try JSONParser.parse(job.configBytes), tokenizer: nil,
            files: try files.enumerated().map { try BuildPlanner.planFile($0.offset, $0.element) }, splits: [],
            splitBytes: splitBytes, numReduceChunks: nil, skipBadRows: skipBadRows, overwrite: false, output: nil,
            staging: nil)
        plan.splits = try BuildPlanner.cut(plan.files, splitBytes: splitBytes)
        plan.planID = BuildPlanner.identity(of: plan)
        return plan
    }

    /// `run --stage map` over the plan's splits `ids`.
    ///
    /// - Returns: the rows skipped (with `skipBadRows` or the plan's).
    /// - Throws: `JobError` at `file:line` for a bad row; `BuildError` for
    ///   an unknown split or a changed file; the inputs' and output's errors.
    public func map(
        plan: BuildPlan, planPath: String, splits ids: [String], skipBadRows: Bool, workers: Int, output: BufferedWriter
    ) throws -> (count: Int, first: [RejectLog.Entry]) {
        let files = plan.files.map { InputFile(path: $0.path, format: $0.inputFormat ?? .jsonl, byteCount: $0.size) }
        var segments: [DocumentSegment] = []
        for id in ids {
            guard let split = plan.split(id) else { throw BuildError.plan(file: planPath, message: "has no split \(id.debugDescription)") }
            let planned = plan.files[split.file]
            let now = try BuildPlanner.planFile(split.file, files[split.file])
            guard now.size == planned.size, now.mtimeNs == planned.mtimeNs else {
                throw BuildError.input(file: planned.name, line: nil, message: "changed since the plan was made; make a new plan")
            }
            let source: DocumentSegment.Source =
                split.start == 0 && split.end == nil ? .file : .range(start: Int(split.start), end: split.end.map { Int($0) })
            segments.append(DocumentSegment(fileIndex: split.file, file: files[split.file], source: source))
        }
        return try map(
            segments, locator: RowLocator(files: files, names: plan.files.map(\.name)),
            skipBadRows: skipBadRows || plan.skipBadRows, workers: workers, output: output)
    }

    /// `run --stage map --input - --seq-base FILE:OFFSET`: rows fed on stdin
    /// stand for rows of input file `file` starting at byte `offset`.
    public func mapStandardInput(file: Int, offset: Int, skipBadRows: Bool, workers: Int, output: BufferedWriter) throws
        -> (count: Int, first: [RejectLog.Entry])
    {
        let stdin = InputFile(path: InputFile.stdinName, format: .jsonl, byteCount: nil)
        let files = Array(repeating: stdin, count: file + 1)
        return try map(
            [DocumentSegment(fileIndex: file, file: stdin, source: .standardInput(base: offset))],
            locator: RowLocator(files: files), skipBadRows: skipBadRows, workers: workers, output: output)
    }

    private func map(
        _ segments: [DocumentSegment], locator: RowLocator, skipBadRows: Bool, workers: Int, output: BufferedWriter
    ) throws -> (count: Int, first: [RejectLog.Entry]) {
        let stream = DocumentStream(segments: segments)
        let rows = stream.lazy.map { document -> Streaming.Row in
            Streaming.Row(
                file: UInt64(document.file), offset: UInt64(document.offset), line: document.line, bytes: document.bytes)
        }
        let rejects = RejectLog()
        let names = locator.names
        let badRow: Streaming.BadRowHandler? = skipBadRows ? { @Sendable failure in
            rejects.add(
                RejectLog.Entry(
                    file: names[Int(failure.file)], line: failure.line, reason: "\(failure.underlying)",
                    fileIndex: Int(failure.file), offset: Int(failure.offset)))
        } : nil
        do {
            try job.transform.runStreamingMap(
                LocalRunner(workers: workers), rows: AnySequence(rows), badRow: badRow, output: output)
        } catch let failure as Streaming.RowError {
            throw stream.failure ?? Self.jobError(locator.place(file: Int(failure.file), line: failure.line, offset: Int(failure.offset)), "\(failure.underlying)")
        }
        if let failure = stream.failure { throw failure }
        return rejects.located(by: locator)
    }

    static func jobError(_ place: (file: String, line: Int?, prefix: String), _ message: String) -> JobError {
        JobError(file: place.file, line: place.line, message: place.prefix + message)
    }

    /// `run --stage reduce`: key-grouped lines on `input` to JSONL on `output`.
    ///
    /// - Throws: `JobError` at `<stdin>:LINE` for a bad line, naming the key
    ///   for a failing reduce.
    public func reduce(input: consuming some ByteSource & ~Copyable, memoryBudget: Int, output: BufferedWriter) throws {
        var lines = LineReader(AnyByteSource(input))
        let sorter = PositionSorter(
            directory: FileManager.default.temporaryDirectory.path + "/lmshard-reduce-\(getpid())-\(UUID().uuidString)",
            memoryBudget: max(1, memoryBudget))
        defer { sorter.removeFiles() }
        do {
            try job.transform.runStreamingReduce(lines: &lines, sorter: sorter, output: output)
        } catch let error as MapReduceError {
            switch error {
            case let .streamingLine(line, message):
                throw JobError(file: InputFile.stdinName, line: line, message: message)
            case .reduce:
                throw JobError(file: InputFile.stdinName, line: nil, message: "\(error)")
            default:
                throw error
            }
        }
    }
}
