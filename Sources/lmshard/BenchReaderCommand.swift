import ArgumentParser
import Foundation
import LMShard

/// `lmshard bench-reader`: the Swift line of tools/bench/reader. Hidden from
/// `--help`; it prints one JSON line the Python benchmark parses.
struct BenchReaderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-reader",
        abstract: "Time batch collation over a dataset (for tools/bench/reader).",
        shouldDisplay: false)

    @Argument(help: "Dataset directory.")
    var directory: String

    @Option(name: .long, help: "Items per batch.")
    var batchSize: Int = 8

    @Option(name: .long, help: "Batches to time.")
    var batches: Int = 1000

    @Flag(name: .long, help: "Shuffled order (BatchSampler, seed 1234) instead of sequential.")
    var shuffle = false

    func validate() throws {
        guard batchSize >= 1, batches >= 1 else { throw ValidationError("--batch-size and --batches must be at least 1") }
    }

    func run() throws {
        try CLIError.reporting {
            let dataset = try ShardedDataset(directory: URL(fileURLWithPath: directory))
            // Warm-up: page the touched data in, as a training loop's first steps do.
            _ = try ReaderBenchmark.run(dataset: dataset, batchSize: batchSize, batches: min(50, batches), shuffle: shuffle)
            print(try ReaderBenchmark.run(dataset: dataset, batchSize: batchSize, batches: batches, shuffle: shuffle).jsonLine)
        }
    }
}
