import ArgumentParser
import Foundation
import LMBuild
import LMIO
import LMJSON

/// `lmshard build`: raw text to a sharded, packed dataset, on this machine
/// or, one `--stage` at a time, under an engine. Flags are turned into the
/// notebook's config fields and merged over `--config`; the work is
/// LMBuild's (`Builder`, `PlanStage`, `MapStage`, `ReduceStage`,
/// `FinalizeStage`).
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Tokenize, mask, pack and shard raw text into a training dataset.",
        discussion: """
            Inputs are JSONL files (.jsonl, .jsonl.zst, .jsonl.gz), plain text files and
            directories of them (one document per text file), or - for JSONL on stdin.
            Settings come from --config (JSON or YAML with the notebook's field names:
            processing_strategy, packing_strategy, tokenizer_name, seq_len, pad_token_id,
            fim_kwargs, num_reduce_chunks); flags override it.

            Example:
              lmshard build --input corpus/ --output data --tokenizer tokenizer.json \\
                --strategy pretrain --packing dense --seq-len 2048 --num-reduce-chunks 8

            Distributed: the same dataset, byte for byte, with an engine running map
            and reduce tasks and shuffling their lines (docs/DISTRIBUTED.md):
              build --stage plan <build flags> --plan-out P.json [--split-bytes N]
              build --stage map --plan P.json --split ID[,ID...]  (--splits -: ids
                  on stdin) writes KEY<TAB>SEQ<TAB>VALUE lines; partition them by
                  KEY and sort bytewise. Rows fed on stdin instead:
                  --input - --seq-base FILE[:OFFSET] (plan file, byte offset).
              build --stage reduce --plan P.json [--attempt ID] < lines
                  writes each group's shard into the plan's staging directory
                  and prints one receipt line per group.
              build --stage finalize --plan P.json --receipts FILE|DIR|-
                  checks shards and splits, writes manifest.json, publishes.
            A stage takes the build's flags too: each one given that bears on the
            dataset must match the plan. --tokenizer at a stage is this machine's
            copy of the plan's tokenizer (checked by SHA-256). A killed local build
            started again with the same command resumes.
            """)

    @Option(name: .long, help: "Build step: plan, map, reduce or finalize (default: all four in this process).")
    var stage: String?

    @Option(name: .long, parsing: .upToNextOption, help: "Input files or directories, or - for JSONL on stdin (required; several may follow one --input).")
    var input: [String] = []

    @Option(name: .long, help: "Dataset directory to create.")
    var output: String?

    @Option(name: .long, help: "tokenizer.json, a folder holding one, or a hub id (e.g. JetBrains/Mellum-4b-base).")
    var tokenizer: String?

    @Option(name: .long, help: "Processing strategy: pretrain, fim or sft (or processing_strategy in --config).")
    var strategy: String?

    @Option(name: .long, help: "Packing strategy: dense or no_incomplete (or packing_strategy in --config).")
    var packing: String?

    @Option(name: .long, parsing: .unconditional, help: "Tokens per packed sequence, 2...16777216 (or seq_len in --config).")
    var seqLen: Int?

    @Option(name: .long, parsing: .unconditional, help: "Reduce groups (array_hash(ids) % K), 1...65536; each non-empty group becomes one shard.")
    var numReduceChunks: Int?

    @Option(name: .long, parsing: .unconditional, help: "Padding id for no_incomplete packing, inside the tokenizer's vocabulary (default: its EOS).")
    var padTokenId: Int?

    @Option(name: .long, help: "FIM layout: psm or spm.")
    var fimFormat: String?

    @Flag(name: .long, help: "FIM: compute the loss on the middle only.")
    var fimOnlyMiddle = false

    @Option(name: .long, help: "Config file (JSON, or YAML by .yaml/.yml extension).")
    var config: String?

    @Option(name: .long, parsing: .unconditional, help: "Worker threads, 1...1024 (default: all cores).")
    var workers: Int?

    @Option(name: .long, help: "Field holding a pretraining document's text (default: content).")
    var textField: String?

    @Option(name: .long, help: "Field holding the FIM prefix (default: prefix).")
    var prefixField: String?

    @Option(name: .long, help: "Field holding the FIM middle (default: middle).")
    var middleField: String?

    @Option(name: .long, help: "Field holding the FIM suffix (default: suffix).")
    var suffixField: String?

    @Option(name: .long, help: "Field holding an SFT conversation's list of turns (default: content).")
    var turnsField: String?

    @Flag(name: .long, help: "Skip and count bad rows instead of stopping at the first.")
    var skipBadRows = false

    @Flag(name: .long, help: "No progress line.")
    var quiet = false

    @Option(name: .customLong("memory-mb"), parsing: .unconditional, help: "Shuffle memory before spilling to disk (--stage reduce: a group's sort), in MiB, 1...1048576.")
    var memoryMB: Int = 512

    @Flag(name: .long, help: "Replace an existing dataset at --output.")
    var overwrite = false

    @Option(name: .long, help: "The plan a map, reduce or finalize stage runs.")
    var plan: String?

    @Option(name: .customLong("plan-out"), help: "Where --stage plan writes the plan (JSON).")
    var planOut: String?

    @Option(name: .customLong("split-bytes"), parsing: .unconditional, help: "--stage plan: cut plain .jsonl files into splits of N bytes (each owns the rows starting in it), 1...2^40 (default 134217728).")
    var splitBytes: Int?

    @Option(name: .long, help: "--stage map: the plan's split ids to map, comma-separated.")
    var split: String?

    @Option(name: .long, help: "--stage map: - to read split ids from stdin, one per line.")
    var splits: String?

    @Option(name: .customLong("seq-base"), help: "--stage map with --input -: rows on stdin are rows of plan file FILE from byte OFFSET (FILE[:OFFSET]).")
    var seqBase: String?

    @Option(name: .long, help: "--stage reduce: this attempt's id, [A-Za-z0-9._-]{1,64} (names its temporary files).")
    var attempt: String?

    @Option(name: .long, help: "--stage finalize: the reducers' receipt lines: a file, a directory of files, or - for stdin.")
    var receipts: String?

    var buildStage: BuildStage? { stage.flatMap(BuildStage.init(rawValue:)) }

    func validate() throws {
        if let stage, BuildStage(rawValue: stage) == nil {
            throw ValidationError("--stage must be plan, map, reduce or finalize, got \(stage)")
        }
        if input.filter({ $0 == "-" }).count > 1 { throw ValidationError("stdin (-) can be given once") }
        try FlagBounds.check(workers, FlagBounds.threads, "--workers")
        try FlagBounds.check(memoryMB, FlagBounds.memoryMB, "--memory-mb")
        try FlagBounds.check(seqLen, FlagBounds.seqLen, "--seq-len")
        try FlagBounds.check(numReduceChunks, FlagBounds.reduceChunks, "--num-reduce-chunks")
        try FlagBounds.check(padTokenId, FlagBounds.tokenId, "--pad-token-id")
        try FlagBounds.check(splitBytes, FlagBounds.splitBytes, "--split-bytes")
        if textField != nil && turnsField != nil && textField != turnsField {
            throw ValidationError("--text-field and --turns-field both name the content field; give one")
        }
        try StageFlagRules.check(self)
    }

    /// Flags under the notebook's config names; only flags actually given.
    var overrides: JSONObject {
        var o = JSONObject()
        if let strategy { o["processing_strategy"] = .string(strategy) }
        if let packing { o["packing_strategy"] = .string(packing) }
        if let tokenizer { o["tokenizer_name"] = .string(tokenizer) }
        if let seqLen { o["seq_len"] = .int(Int64(seqLen)) }
        if let numReduceChunks { o["num_reduce_chunks"] = .int(Int64(numReduceChunks)) }
        if let padTokenId { o["pad_token_id"] = .int(Int64(padTokenId)) }
        if fimFormat != nil || fimOnlyMiddle {
            var fim = JSONObject()
            if let fimFormat { fim["fim_format"] = .string(fimFormat) }
            if fimOnlyMiddle { fim["only_middle_not_masked"] = .bool(true) }
            o["fim_kwargs"] = .object(fim)
        }
        if let field = textField ?? turnsField { o["content_field"] = .string(field) }
        if let prefixField { o["prefix_field"] = .string(prefixField) }
        if let middleField { o["middle_field"] = .string(middleField) }
        if let suffixField { o["suffix_field"] = .string(suffixField) }
        return o
    }

    var request: BuildRequest {
        BuildRequest(
            inputs: input, output: output ?? "", configFile: config, overrides: overrides, workers: workers,
            skipBadRows: skipBadRows, progress: quiet ? .quiet : nil, memoryBudgetMB: memoryMB, overwrite: overwrite)
    }

    /// The flags given to a map, reduce or finalize stage, to check against its plan.
    var stageFlags: StageFlags {
        var o = overrides
        o["tokenizer_name"] = nil
        return StageFlags(
            configFile: config, overrides: o, inputs: input, output: output, skipBadRows: skipBadRows,
            overwrite: overwrite)
    }

    func run() throws {
        try CLIError.reporting {
            switch buildStage {
            case nil:
                let summary = try Builder(request: request).run()
                try InspectCommand.printing(summary.render())
            case .plan?:
                let line = try PlanStage.run(
                    request, splitBytes: splitBytes ?? BuildPlan.defaultSplitBytes, planOut: planOut ?? "")
                if !quiet { StandardError.write(line) }
            case .map?:
                try runMap()
            case .reduce?:
                let (build, staging) = try loadStage(needsTokenizer: false)
                try ReduceStage(
                    build: build, staging: staging, attempt: attempt ?? StageFlagRules.defaultAttempt,
                    memoryBudget: memoryMB << 20
                ).run(input: FileDescriptor.standardInput(), output: .standardOutput())
            case .finalize?:
                let (build, _) = try loadStage(needsTokenizer: false)
                let summary = try FinalizeStage.run(build: build, receipts: receipts ?? "-")
                try InspectCommand.printing(summary.render())
            }
        }
    }

    /// The plan (its tokenizer loaded when `needsTokenizer`, or checked
    /// when given), after the flags given were checked against it.
    private func loadStage(needsTokenizer: Bool) throws -> (PreparedBuild, BuildStaging) {
        guard let plan else { preconditionFailure("validate() requires --plan") }
        let build = try PreparedBuild.load(planPath: plan, tokenizerOverride: tokenizer, needsTokenizer: needsTokenizer)
        try stageFlags.check(against: build.plan, planPath: plan)
        return (build, try BuildStaging.open(plan: build.plan, file: plan))
    }

    private func runMap() throws {
        let (build, staging) = try loadStage(needsTokenizer: true)
        let stage = MapStage(build: build, staging: staging, workers: FlagBounds.threadCount(workers))
        let output = BufferedWriter.standardOutput()
        if let seqBase {
            let (file, offset) = try StageFlagRules.parseSeqBase(seqBase)
            return try stage.runStandardInput(file: file, offset: offset, output: output)
        }
        let ids = splits == "-" ? try StageFlagRules.splitIDsFromStandardInput() : StageFlagRules.splitIDs(split ?? "")
        try stage.run(splits: ids, output: output)
    }
}
