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
            samples are shown as text; otherwise as ids. The tokenizer is the one given
            with --tokenizer, or one shipped inside the dataset directory whose sha256 is
            the manifest's: a tokenizer the manifest names elsewhere (a hub id, a path
            outside the dataset) is never loaded on the dataset's word.
            """)

    @Argument(help: "Dataset directory (holds manifest.json).")
    var directory: String

    @Flag(name: .long, help: "Print the report as one JSON object.")
    var json = false

    @Option(name: .long, parsing: .unconditional, help: "Show K sequences, spread evenly over the dataset, 0...100000.")
    var sample: Int = 0

    @Flag(name: .long, help: "Decode samples and top tokens with the dataset's tokenizer.")
    var decode = false

    @Option(name: .long, help: "Tokenizer to decode with (path or hub id); implies --decode.")
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

    /// The tokenizer for `--decode` (see `InspectTokenizer`). Without
    /// `--decode` or `--tokenizer` none is loaded.
    private func loadTokenizer(_ manifest: DatasetManifest) throws -> Tokenizer? {
        guard decode || tokenizer != nil else { return nil }
        let (t, warning) = try InspectTokenizer.load(explicit: tokenizer, manifest: manifest,
                                                     directory: URL(fileURLWithPath: directory))
        if let warning { StandardError.write("lmshard: " + warning + "\n") }
        return t
    }
}
