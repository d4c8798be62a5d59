import ArgumentParser
import Foundation
import LMIO
import LMShard

/// `lmshard export`: every packed sequence in dataset order as JSON lines
/// (`ShardedDataset.exportJSONLines`), to stdout or, atomically, to a file.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every packed sequence as JSON lines (input_ids, position_ids, loss_mask).")

    @Argument(help: "Dataset directory (holds manifest.json).")
    var directory: String

    @Option(name: .long, help: "Output format; only jsonl.")
    var format: String = "jsonl"

    @Option(name: .long, help: "Write here instead of stdout (replaced only when the export succeeds).")
    var output: String?

    func validate() throws {
        guard format == "jsonl" else { throw ValidationError("--format must be jsonl, got \(format)") }
    }

    func run() throws {
        try CLIError.reporting {
            let dataset = try ShardedDataset(directory: URL(fileURLWithPath: directory))
            guard let output else { return try dataset.exportJSONLines(to: .standardOutput()) }
            let file = try AtomicFileWriter(path: output)
            try dataset.exportJSONLines(to: file.output)
            try file.commit()
        }
    }
}
