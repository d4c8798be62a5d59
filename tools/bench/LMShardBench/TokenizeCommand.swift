import ArgumentParser
import Foundation
import LMIO
import LMTokenizer

/// `lmshard-bench tokenize`: what `lmshard tokenize` does (the same
/// `Tokenizer.encodeJSONLines` call, stdin to stdout), timed by the process
/// itself: `{"load_seconds": .., "encode_seconds": .., "tokens": ..}` on
/// stderr, so tools/bench/tokenizer need not subtract a separately timed
/// process start. Encode time runs from the end of tokenizer loading to the
/// last id written: reading JSONL from the pipe and writing ids included.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize", abstract: "Time lmshard tokenize's engine on stdin (for tools/bench/tokenizer).")

    @Option(name: .long, help: "A tokenizer.json, a directory holding one, or a hub id.")
    var tokenizer: String

    @Option(name: .long, help: "The string field to tokenize.")
    var field: String = "text"

    @Option(name: .long, help: "Worker threads (default: all cores).")
    var threads: Int?

    func run() throws {
        do {
            let clock = ContinuousClock()
            let loadStart = clock.now
            let tok = try Tokenizer.fromPretrained(tokenizer)
            let encodeStart = clock.now
            let input = FileDescriptor.standardInput(), output = FileDescriptor.standardOutput()
            input.enlargePipeBuffer()
            output.enlargePipeBuffer()
            let summary = try tok.encodeJSONLines(
                from: input, to: BufferedWriter(output), field: field,
                threads: max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount))
            let load = seconds(encodeStart - loadStart), encode = seconds(clock.now - encodeStart)
            StandardError.write("{\"load_seconds\": \(load), \"encode_seconds\": \(encode), \"tokens\": \(summary.tokens)}\n")
        } catch {
            throw BenchFailure(error)
        }
    }
}
