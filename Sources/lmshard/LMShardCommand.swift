import ArgumentParser
import Foundation

/// The `lmshard` command line. Each subcommand lives in its own file and only
/// parses flags; the work happens in the library modules.
@main
struct LMShardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lmshard",
        abstract: "Turn raw text into tokenized, packed, sharded LLM training data.",
        subcommands: [
            BuildCommand.self, InspectCommand.self, VerifyCommand.self, ExportCommand.self, TokenizeCommand.self,
            RunCommand.self, BenchReaderCommand.self,
        ]
    )

    /// Writing to a pipe whose reader is gone raises SIGPIPE, which would
    /// kill the process silently with status 141; ignored, the write fails
    /// with EPIPE instead and the command reports the lost output and exits 1.
    static func main() {
        signal(SIGPIPE, SIG_IGN)
        main(nil)
    }
}
