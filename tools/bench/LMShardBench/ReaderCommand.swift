import ArgumentParser
import Foundation
import LMIO
import LMShard

/// `lmshard-bench reader`: the Swift line of tools/bench/reader; it prints
/// one JSON line the Python benchmark parses.
struct ReaderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reader",
        abstract: "Time batch collation over a dataset (for tools/bench/reader).")

    @Argument(help: "Dataset directory.")
    var directory: String

    @Option(name: .long, help: "Items per batch.")
    var batchSize: Int = 8

    @Option(name: .long, help: "Batches to time.")
    var batches: Int = 1000

    @Option(name: .long, help: "Batches collated before timing, from the same order (a whole epoch maps every page first).")
    var warmupBatches: Int = 50

    @Flag(name: .long, help: "Shuffled order (BatchSampler, seed 1234) instead of sequential.")
    var shuffle = false

    @Flag(name: .long, help: "Time a plain memcpy of each row's stored bytes instead (the memory-bandwidth reference).")
    var memcpy = false

    func validate() throws {
        guard batchSize >= 1, batches >= 1 else { throw ValidationError("--batch-size and --batches must be at least 1") }
        guard warmupBatches >= 0 else { throw ValidationError("--warmup-batches must not be negative") }
    }

    private var work: ReaderBenchmark.Work { memcpy ? .rawCopy : .collate }

    func run() throws {
        do {
            let dataset = try ShardedDataset(directory: URL(fileURLWithPath: directory))
            // Warm-up over the start of the same order, as the Python side does
            // for its baseline, so both time the same state of the page tables.
            if warmupBatches > 0 {
                _ = try ReaderBenchmark.run(
                    dataset: dataset, batchSize: batchSize, batches: warmupBatches, shuffle: shuffle, work: work)
            }
            let result = try ReaderBenchmark.run(
                dataset: dataset, batchSize: batchSize, batches: batches, shuffle: shuffle, work: work)
            let out = BufferedWriter.standardOutput()
            try out.write(result.jsonLine + "\n")
            try out.flush()
        } catch {
            throw BenchFailure(error)
        }
    }
}
