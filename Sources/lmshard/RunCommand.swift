import ArgumentParser
import Foundation
import LMIO
import LMPrep
import MapReduce

/// `lmshard run`: runs one configured transform over a JSONL file with the
/// local runner, or one stage of it as a Hadoop Streaming program
/// (`MapReduce.TransformJob`).
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a map or map-reduce transform over JSONL rows.",
        discussion: """
            Local:     lmshard run --config c.json --input in.jsonl --output out.jsonl
            Streaming: lmshard run --config c.json --stage map < in.jsonl | LC_ALL=C sort -t$'\\t' -k1,1 -s \\
                         | lmshard run --config c.json --stage reduce > out.jsonl
            Errors name the config file or the input, with the line: FILE:LINE: message.
            """)

    @Option(help: "Transform config (JSON object with a \"type\" key).")
    var config: String

    @Option(help: "Input JSONL file (local mode).")
    var input: String?

    @Option(help: "Output JSONL file (local mode), replaced only when the run succeeds.")
    var output: String?

    @Option(parsing: .unconditional, help: "Worker threads, 1...1024 (default: all cores).")
    var workers: Int?

    @Option(name: .customLong("memory-mb"), parsing: .unconditional, help: "Shuffle memory budget in MiB, 1...1048576.")
    var memoryMB: Int = 256

    @Option(name: .customLong("work-dir"), help: "Directory for spill files; makes the job resumable.")
    var workDir: String?

    @Option(help: "Streaming stage, map or reduce: stdin to stdout.")
    var stage: String?

    func validate() throws {
        if let stage {
            guard Streaming.Stage(rawValue: stage) != nil else { throw ValidationError("--stage must be map or reduce") }
            guard input == nil, output == nil else {
                throw ValidationError("--stage reads stdin and writes stdout; drop --input/--output")
            }
        } else {
            guard input != nil, output != nil else { throw ValidationError("--input and --output are required") }
        }
        try FlagBounds.check(workers, FlagBounds.threads, "--workers")
        try FlagBounds.check(memoryMB, FlagBounds.memoryMB, "--memory-mb")
    }

    func run() throws {
        try CLIError.reporting {
            let job = try TransformJob(configPath: config, registry: .withPreparation)
            if let stage, let s = Streaming.Stage(rawValue: stage) {
                var lines = LineReader(FileDescriptor.standardInput())
                try job.runStage(s, lines: &lines, output: .standardOutput())
            } else if let input, let output {
                let runner = LocalRunner(
                    workers: FlagBounds.threadCount(workers), memoryBudget: memoryMB << 20, workDirectory: workDir)
                try job.runLocal(runner: runner, input: input, output: output, resumable: workDir != nil)
            }
        }
    }
}
