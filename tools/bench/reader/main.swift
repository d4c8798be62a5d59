// Swift side of the reader benchmark: prints one JSON line with the rates of
// `ReaderBenchmark.run` (the same loop `lmshard bench-reader` will run).
// Usage: main DATASET_DIR BATCHES [--shuffle]
import Foundation
import LMShard

let args = CommandLine.arguments
guard args.count >= 3, let batches = Int(args[2]) else {
    FileHandle.standardError.write(Data("usage: \(args[0]) DATASET_DIR BATCHES [--shuffle]\n".utf8))
    exit(2)
}
do {
    let dataset = try ShardedDataset(directory: URL(fileURLWithPath: args[1]))
    let shuffle = args.contains("--shuffle")
    _ = try ReaderBenchmark.run(dataset: dataset, batchSize: 8, batches: min(50, batches), shuffle: shuffle)  // warm-up
    print(try ReaderBenchmark.run(dataset: dataset, batchSize: 8, batches: batches, shuffle: shuffle).jsonLine)
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
