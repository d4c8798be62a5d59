import ArgumentParser
import Foundation
import LMPrep

/// The range every numeric flag must fall in, checked in `validate()`
/// before any work starts, so a mistyped value is a clear message instead
/// of an overflow trap (`--memory-mb` of 2^43 shifted by 20), an abort
/// allocating (`--seq-len` of 2^40), gigabytes of thread stacks
/// (`--workers 100000`) or a failure at the end of a long build. The
/// ranges are generous for real use and are stated in each flag's help.
enum FlagBounds {
    /// Worker threads (build, run) and tokenize threads: beyond any
    /// machine's cores, far below what thread stacks alone would exhaust.
    static let threads = 1...1024
    /// Shuffle memory in MiB: up to 1 TiB.
    static let memoryMB = 1...1_048_576
    /// Tokens per packed sequence: up to 16M (2^24), as config files are
    /// checked (`PrepareForTrainingConfig.validate`).
    static let seqLen = 2...PrepareForTrainingConfig.maximumSeqLen
    /// Reduce groups, one shard each, as config files are checked.
    static let reduceChunks = 1...PrepareForTrainingConfig.maximumReduceChunks
    /// A token id: the dataset format stores ids below 2^31.
    static let tokenId = 0...Int(Int32.max)
    /// Split size of a distributed plan: up to 1 TiB.
    static let splitBytes = 1...(1 << 40)
    /// Sequences to show or tokens to list in `inspect`.
    static let listed = 0...100_000

    /// Throws a `ValidationError` naming `flag` when `value` is outside `range`.
    static func check(_ value: Int?, _ range: ClosedRange<Int>, _ flag: String) throws {
        guard let value, !range.contains(value) else { return }
        throw ValidationError("\(flag) must be in \(range.lowerBound)...\(range.upperBound), got \(value)")
    }

    /// `--workers`/`--threads`, or all cores.
    static func threadCount(_ value: Int?) -> Int { value ?? ProcessInfo.processInfo.activeProcessorCount }
}
