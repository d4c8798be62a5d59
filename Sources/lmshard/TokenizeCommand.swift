import ArgumentParser
import Foundation
import LMIO
import LMTokenizer

/// `lmshard tokenize`: JSONL on stdin -> `{"ids":[...]}` per line on stdout,
/// through `Tokenizer.encodeJSONLines`.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokenize the text field of each JSONL line on stdin, writing {\"ids\":[...]} lines in order.")

    @Option(name: .long, help: "A tokenizer.json, a directory holding one, or a hub id (ORG/NAME).")
    var tokenizer: String

    @Option(name: .long, help: "The string field to tokenize.")
    var field: String = "text"

    @Flag(name: .long, help: "Apply the tokenizer's post-processor (BOS/EOS templates).")
    var addSpecialTokens = false

    @Option(name: .long, parsing: .unconditional, help: "Worker threads, 1...1024 (default: all cores; 1 = single-threaded).")
    var threads: Int?

    func validate() throws {
        try FlagBounds.check(threads, FlagBounds.threads, "--threads")
        if field.isEmpty { throw ValidationError("--field must not be empty") }
    }

    func run() throws {
        try CLIError.reporting {
            let tok = try Tokenizer.fromPretrained(tokenizer)
            let input = FileDescriptor.standardInput(), output = FileDescriptor.standardOutput()
            input.enlargePipeBuffer()
            output.enlargePipeBuffer()
            _ = try tok.encodeJSONLines(
                from: input, to: BufferedWriter(output), field: field, addSpecialTokens: addSpecialTokens,
                threads: FlagBounds.threadCount(threads))
        }
    }
}
