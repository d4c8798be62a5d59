import ArgumentParser
import Foundation
import LMBuild
import LMIO
import LMJSON

/// `lmshard build`: raw text to a sharded, packed dataset. Flags are turned
/// into the notebook's config fields and merged over `--config`; the work is
/// `LMBuild.Builder`'s.
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
            """)

    @Option(name: .long, parsing: .upToNextOption, help: "Input files or directories, or - for JSONL on stdin (required; several may follow one --input).")
    var input: [String] = []

    @Option(name: .long, help: "Dataset directory to create.")
    var output: String

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

    @Option(name: .customLong("memory-mb"), parsing: .unconditional, help: "Shuffle memory before spilling to disk, in MiB, 1...1048576.")
    var memoryMB: Int = 512

    @Flag(name: .long, help: "Replace an existing dataset at --output.")
    var overwrite = false

    func validate() throws {
        guard !input.isEmpty else { throw ValidationError("--input needs at least one file, directory or -") }
        if input.filter({ $0 == "-" }).count > 1 { throw ValidationError("stdin (-) can be given once") }
        try FlagBounds.check(workers, FlagBounds.threads, "--workers")
        try FlagBounds.check(memoryMB, FlagBounds.memoryMB, "--memory-mb")
        try FlagBounds.check(seqLen, FlagBounds.seqLen, "--seq-len")
        try FlagBounds.check(numReduceChunks, FlagBounds.reduceChunks, "--num-reduce-chunks")
        try FlagBounds.check(padTokenId, FlagBounds.tokenId, "--pad-token-id")
        if textField != nil && turnsField != nil && textField != turnsField {
            throw ValidationError("--text-field and --turns-field both name the content field; give one")
        }
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

    func run() throws {
        let request = BuildRequest(
            inputs: input, output: output, configFile: config, overrides: overrides, workers: workers,
            skipBadRows: skipBadRows, progress: quiet ? .quiet : nil, memoryBudgetMB: memoryMB, overwrite: overwrite)
        try CLIError.reporting {
            let summary = try Builder(request: request).run()
            try InspectCommand.printing(summary.render())
        }
    }
}
