import ArgumentParser
import Foundation
import LMIO

/// `lmshard-bench`: the Swift side of the benchmarks under tools/bench,
/// kept out of the public CLI and libraries. Each subcommand runs exactly
/// the library call the product runs and times it in-process.
@main
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lmshard-bench",
        abstract: "Benchmark drivers for tools/bench (not part of the product).",
        subcommands: [ReaderCommand.self, TokenizeCommand.self, LinesCommand.self])

    static func main() {
        signal(SIGPIPE, SIG_IGN)
        main(nil)
    }
}

/// Any failure, printed as the CLI prints it, with exit status 1.
struct BenchFailure: Error, CustomStringConvertible {
    let underlying: any Error
    init(_ underlying: any Error) { self.underlying = underlying }
    var description: String { "lmshard-bench: error: \(underlying)" }
}

/// Seconds in a `Duration`.
func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}
