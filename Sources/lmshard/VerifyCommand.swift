import ArgumentParser
import Foundation
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

    @Option(name: .long, help: "Hash only this fraction of blocks (0 < f <= 1), chosen by --seed; structure is checked whole.")
    var sample: Double?

    @Option(name: .long, help: "Seed for --sample.")
    var seed: UInt64 = 0

    func validate() throws {
        if let f = sample, !(f > 0 && f <= 1) { throw ValidationError("--sample must be in (0, 1], got \(f)") }
    }

    func run() throws {
        let mode: VerifyMode = sample.map { .sampled(fraction: $0, seed: seed) } ?? .all
        let report = try CLIError.reporting { try verify(directory: URL(fileURLWithPath: directory), mode: mode) }
        if report.isClean {
            print("ok: \(directory): \(report.shardsChecked) shards, \(report.blocksChecked) blocks, "
                  + "\(report.bytesChecked) bytes, \(report.tokensChecked) token ids checked")
            return
        }
        for damage in report.damage { print("damaged: \(damage)") }
        throw ExitCode.failure
    }
}
