import ArgumentParser
import Foundation
import LMIO
import LMShard

/// `lmshard verify`: checks every shard's structure as the readers do, then
/// recomputes every checksum (or a seeded sample of blocks) and checks the
/// token ids and positions in them; names the shard, file and block or byte
/// range of any damage. Exit 1 on damage.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a dataset's structure, checksums, token ids and positions; exit 1 on damage.")

    @Argument(help: "Dataset directory (holds manifest.json).")
    var directory: String

    @Option(name: .long, parsing: .unconditional,
            help: "Hash only this fraction of blocks (0 < f <= 1), chosen by --seed; structure is checked whole.")
    var sample: Double?

    @Option(name: .long, parsing: .unconditional, help: "Seed for --sample, 0...18446744073709551615.")
    var seed: UInt64 = 0

    func validate() throws {
        if let f = sample, !(f > 0 && f <= 1) { throw ValidationError("--sample must be in (0, 1], got \(f)") }
    }

    func run() throws {
        let mode: VerifyMode = sample.map { .sampled(fraction: $0, seed: seed) } ?? .all
        let clean = try CLIError.reporting {
            let report = try verify(directory: URL(fileURLWithPath: directory), mode: mode)
            let out = BufferedWriter.standardOutput()
            if report.isClean {
                try out.write("ok: \(directory): \(report.shardsChecked) shards, \(report.blocksChecked) blocks, "
                              + "\(report.bytesChecked) bytes, \(report.tokensChecked) token ids checked\n")
            }
            for damage in report.damage { try out.write("damaged: \(damage)\n") }
            try out.flush()
            return report.isClean
        }
        if !clean { throw ExitCode.failure }
    }
}
