import ArgumentParser
import Foundation
import LMIO

/// The `lmshard` command line. Each subcommand lives in its own file and only
/// parses flags; the work happens in the library modules.
@main
struct LMShardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lmshard",
        abstract: "Turn raw text into tokenized, packed, sharded LLM training data.",
        subcommands: [
            BuildCommand.self, InspectCommand.self, VerifyCommand.self, ExportCommand.self, TokenizeCommand.self,
            RunCommand.self,
        ]
    )

    /// The one way out of every command. A library error was printed by
    /// `CLIError.reporting` (`lmshard: error: FILE:LINE: message`) and
    /// arrives as `ExitCode.failure`; a bad flag is printed here in the same
    /// form, followed by the usage, with ArgumentParser's exit code (64);
    /// help and version exit 0.
    ///
    /// Writing to a pipe whose reader is gone raises SIGPIPE, which would
    /// kill the process silently with status 141; ignored, the write fails
    /// with EPIPE instead and the command reports the lost output and exits 1.
    static func main() {
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            exit(withError: code)
        } catch {
            let code = exitCode(for: error)
            guard code != .success else { exit(withError: error) }  // --help, --version
            let text = fullMessage(for: error)
            StandardError.write((text.hasPrefix("Error: ") ? "lmshard: error: " + text.dropFirst(7) : text) + "\n")
            exit(withError: code)
        }
    }
}
