import ArgumentParser

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
}
