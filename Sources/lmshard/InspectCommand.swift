import ArgumentParser
import Foundation
import LMBuild
import LMIO
import LMJSON
import LMShard
import LMTokenizer

/// `lmshard inspect`: manifest summary, per-shard counts, length histograms,
/// top tokens, and sample sequences with segments and masks marked.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what a dataset holds: counts, histograms, top tokens, sample sequences.",
        discussion: """
            Samples mark each packed document's start as │segment N│, tokens without loss
            as ⟪...⟫ and padding as <pad×K> (colours instead on a terminal). With --decode
            samples are shown as text through the dataset's tokenizer; otherwise as ids.
            """)

    @Argument(help: "Dataset directory (holds manifest.json).")
    var directory: String

    @Flag(name: .long, help: "Print the report as one JSON object.")
    var json = false

    @Option(name: .long, parsing: .unconditional, help: "Show K sequences, spread evenly over the dataset, 0...100000.")
    var sample: Int = 0

    @Flag(name: .long, help: "Decode samples and top tokens with the dataset's tokenizer.")
    var decode = false

    @Option(name: .long, help: "Tokenizer to decode with; implies --decode (default: the one the manifest names).")
    var tokenizer: String?

    @Option(name: .long, parsing: .unconditional, help: "How many of the most frequent tokens to list, 0...100000.")
    var top: Int = 10

    func validate() throws {
        try FlagBounds.check(sample, FlagBounds.listed, "--sample")
        try FlagBounds.check(top, FlagBounds.listed, "--top")
    }

    func run() throws {
        let dataset = try CLIError.reporting { try ShardedDataset(directory: URL(fileURLWithPath: directory)) }
        let report = try CLIError.reporting { try DatasetReport(dataset: dataset, sampleCount: sample, topN: top) }
        let names = try CLIError.reporting { try loadTokenizer(dataset.manifest) }
        let tokenText: (UInt32) -> String? = { id in names.flatMap { $0.decode([id]) } }
        let decodeIds: (([UInt32]) -> String)? = names.map { t in { t.decode($0) } }
        if json {
            try CLIError.reporting {
                try Self.printing(report.json(tokenText: tokenText, decode: decodeIds).serialized())
            }
            return
        }
        let renderer = SequenceRenderer(
            color: isatty(STDOUT_FILENO) == 1, padTokenId: dataset.manifest.padId.map { UInt32($0) })
        let text = report.renderText(tokenText: tokenText) { s in
            renderer.render(tokens: s.tokens, positions: s.positions, lossMask: s.lossMask) { ids in
                decodeIds?(ids) ?? (ids.map(String.init).joined(separator: " ") + " ")
            }
        }
        try CLIError.reporting { try Self.printing(text) }
    }

    /// `text` and a newline on stdout, failing when it cannot be written.
    static func printing(_ text: String) throws {
        let out = BufferedWriter.standardOutput()
        try out.write(text + "\n")
        try out.flush()
    }

    /// The tokenizer for `--decode`: `--tokenizer`, else the manifest's name
    /// (a path or hub id). Without `--decode` none is loaded.
    private func loadTokenizer(_ manifest: DatasetManifest) throws -> Tokenizer? {
        guard decode || tokenizer != nil else { return nil }
        let name = tokenizer ?? manifest.tokenizer.name
        do {
            return try Tokenizer.fromPretrained(name)
        } catch {
            throw ValidationError(
                "cannot load tokenizer \(name) to decode with (\(error)); pass --tokenizer PATH or drop --decode")
        }
    }
}
