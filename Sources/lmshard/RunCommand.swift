import ArgumentParser
import Foundation
import LMBuild
import LMIO
import LMJSON
import LMPrep
import MapReduce

/// `lmshard run`: runs one configured transform over a JSONL file with the
/// local runner (`MapReduce.TransformJob`), or one stage of it as a Hadoop
/// Streaming program (`LMBuild.RunStages`). The config is read the way
/// `lmshard build` reads it.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a map or map-reduce transform over JSONL rows.",
        discussion: """
            Local: lmshard run --config c.json --input in.jsonl --output out.jsonl
            Streaming (an engine, or a shell, shuffles the lines):
              run --stage plan --config c.json --input corpus/ --plan-out p.json
              run --stage map --plan p.json --split ID[,ID...]    (each mapper)
                | LC_ALL=C sort | run --stage reduce --plan p.json > out.jsonl
              Rows fed on stdin instead of splits:
                run --stage map --config c.json --input - --seq-base FILE[:OFFSET]
            --config is JSON or YAML; without "type" it is prepare_for_training.
            Errors name the config file or the input, with the line: FILE:LINE: message.
            """)

    @Option(help: "Transform config (JSON, or YAML by .yaml/.yml; a \"type\" key names the transform).")
    var config: String?

    @Option(parsing: .upToNextOption, help: "Input JSONL file (local mode); files or directories (--stage plan); - (--stage map with --seq-base).")
    var input: [String] = []

    @Option(help: "Output JSONL file (local mode), replaced only when the run succeeds.")
    var output: String?

    @Option(parsing: .unconditional, help: "Worker threads, 1...1024 (default: all cores).")
    var workers: Int?

    @Option(name: .customLong("memory-mb"), parsing: .unconditional, help: "Shuffle (and reduce sort) memory budget in MiB, 1...1048576.")
    var memoryMB: Int = 256

    @Option(name: .customLong("work-dir"), help: "Directory for spill files; makes the job resumable.")
    var workDir: String?

    @Option(help: "Streaming stage: plan, map or reduce.")
    var stage: String?

    @Option(help: "The plan a map or reduce stage runs (made by --stage plan).")
    var plan: String?

    @Option(name: .customLong("plan-out"), help: "Where --stage plan writes the plan.")
    var planOut: String?

    @Option(name: .customLong("split-bytes"), parsing: .unconditional, help: "--stage plan: split size of plain .jsonl files in bytes (default 134217728).")
    var splitBytes: Int?

    @Option(help: "--stage map: the plan's split ids, comma-separated.")
    var split: String?

    @Option(help: "--stage map: - to read split ids from stdin, one per line.")
    var splits: String?

    @Option(name: .customLong("seq-base"), help: "--stage map with --input -: rows on stdin are rows of input file FILE from byte OFFSET.")
    var seqBase: String?

    @Option(help: "Tokenizer for prepare_for_training (sets tokenizer_name; at a stage with --plan, this machine's copy).")
    var tokenizer: String?

    @Flag(name: .customLong("skip-bad-rows"), help: "--stage plan/map: skip and count bad rows instead of stopping at the first.")
    var skipBadRows = false

    enum Stage: String { case plan, map, reduce }

    func validate() throws {
        try FlagBounds.check(workers, FlagBounds.threads, "--workers")
        try FlagBounds.check(memoryMB, FlagBounds.memoryMB, "--memory-mb")
        try FlagBounds.check(splitBytes, FlagBounds.splitBytes, "--split-bytes")
        let given: [(String, Bool)] = [
            ("--plan", plan != nil), ("--plan-out", planOut != nil), ("--split-bytes", splitBytes != nil),
            ("--split", split != nil), ("--splits", splits != nil), ("--seq-base", seqBase != nil),
            ("--output", output != nil), ("--work-dir", workDir != nil), ("--skip-bad-rows", skipBadRows),
        ]
        func allow(_ flags: Set<String>, _ what: String) throws {
            if let flag = given.first(where: { $0.1 && !flags.contains($0.0) })?.0 {
                throw ValidationError("\(flag) does not apply to \(what)")
            }
        }
        guard let stage else {
            try allow(["--output", "--work-dir"], "a local run")
            guard config != nil, input.count == 1, input != ["-"], output != nil else {
                throw ValidationError("a local run needs --config, one --input file and --output (or give --stage)")
            }
            return
        }
        switch Stage(rawValue: stage) {
        case nil:
            throw ValidationError("--stage must be plan, map or reduce, got \(stage)")
        case .plan?:
            try allow(["--plan-out", "--split-bytes", "--skip-bad-rows"], "--stage plan")
            guard config != nil, !input.isEmpty, planOut != nil else {
                throw ValidationError("--stage plan needs --config, --input and --plan-out")
            }
        case .map?:
            try allow(["--plan", "--split", "--splits", "--seq-base", "--skip-bad-rows"], "--stage map")
            if seqBase != nil {
                guard plan == nil, config != nil, input == ["-"] else {
                    throw ValidationError("rows on stdin need --config, --input - and --seq-base FILE[:OFFSET] (no --plan)")
                }
                _ = try StageFlagRules.parseSeqBase(seqBase ?? "")
            } else {
                guard plan != nil, config == nil, input.isEmpty, (split != nil) != (splits != nil) else {
                    throw ValidationError(
                        "--stage map needs --plan and --split ID[,ID...] or --splits - (the plan holds the config and inputs), "
                            + "or --config --input - --seq-base FILE[:OFFSET] for rows on stdin")
                }
                if let splits, splits != "-" { throw ValidationError("--splits takes - (split ids on stdin)") }
            }
        case .reduce?:
            try allow(["--plan"], "--stage reduce")
            guard (plan != nil) != (config != nil), input.isEmpty else {
                throw ValidationError("--stage reduce reads stdin and needs --config or --plan (one of them)")
            }
        }
    }

    /// `--tokenizer` under the config's name.
    var overrides: JSONObject {
        var o = JSONObject()
        if let tokenizer { o["tokenizer_name"] = .string(tokenizer) }
        return o
    }

    func run() throws {
        try CLIError.reporting {
            let threads = FlagBounds.threadCount(workers)
            guard let stage = stage.flatMap(Stage.init(rawValue:)) else {
                let job = try RunStages(configFile: config, overrides: overrides).job
                let runner = LocalRunner(workers: threads, memoryBudget: memoryMB << 20, workDirectory: workDir)
                try job.runLocal(runner: runner, input: input[0], output: output ?? "", resumable: workDir != nil)
                return
            }
            let stages: RunStages
            let loadedPlan: BuildPlan?
            if let plan {
                let read = try BuildPlan.read(plan)
                stages = try RunStages(plan: read, planPath: plan, overrides: overrides)
                loadedPlan = read
            } else {
                stages = try RunStages(configFile: config, overrides: overrides)
                loadedPlan = nil
            }
            let out = BufferedWriter.standardOutput()
            switch stage {
            case .plan:
                let made = try stages.plan(
                    inputs: input, splitBytes: splitBytes ?? BuildPlan.defaultSplitBytes, skipBadRows: skipBadRows)
                try made.write(to: planOut ?? "")
                StandardError.write("lmshard: plan \(made.planID): \(made.files.count) files, \(made.splits.count) splits\n")
            case .map:
                let skipped: (count: Int, first: [RejectLog.Entry])
                if let seqBase {
                    let (file, offset) = try StageFlagRules.parseSeqBase(seqBase)
                    skipped = try stages.mapStandardInput(
                        file: file, offset: offset, skipBadRows: skipBadRows, workers: threads, output: out)
                } else if let loadedPlan, let plan {
                    skipped = try stages.map(
                        plan: loadedPlan, planPath: plan, splits: try splitIDs(), skipBadRows: skipBadRows,
                        workers: threads, output: out)
                } else {
                    preconditionFailure("validate() requires --plan or --seq-base")
                }
                if skipped.count > 0 {
                    StandardError.write(
                        "lmshard: skipped \(skipped.count) bad rows; first: "
                            + skipped.first.map(\.description).joined(separator: "; ") + "\n")
                }
            case .reduce:
                try stages.reduce(input: FileDescriptor.standardInput(), memoryBudget: memoryMB << 20, output: out)
            }
        }
    }

    /// `--split`, or the ids on stdin for `--splits -`.
    private func splitIDs() throws -> [String] {
        splits == "-" ? try StageFlagRules.splitIDsFromStandardInput() : StageFlagRules.splitIDs(split ?? "")
    }
}
