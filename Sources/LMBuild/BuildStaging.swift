import Foundation
import LMIO
import LMShard

/// The hidden directory a build stages its work in, next to the output,
/// and the one place that decides what of it is kept, reused and published:
///
/// ```
/// .NAME.build-<plan id>/   (a local build; .NAME.dist-<plan id>/ for a distributed one)
///     plan.json                      the plan (says whose directory this is)
///     receipts/map-<split>.json      one per mapped split
///     receipts/shard-NNNNN.json      one per reduced group
///     shard-NNNNN.{bin,idx,pos,mask,sum}
///     .work/                         the local build's spill files
/// ```
///
/// Named by the plan's id, not a process id: a rerun of the same build (the
/// same config, tokenizer and inputs) finds it again and keeps every shard
/// whose staged receipt still verifies (sizes and whole-file XXH3 re-read),
/// and distributed stages on other machines find it from the plan. Planning
/// a changed build removes the directories of earlier plans of the same
/// kind for the same output (`openOrResume`). Local and distributed builds
/// stage under different names, so a local build never resumes from (or
/// removes) a directory that a distributed build's reducers write into.
///
/// Writes here are per attempt or atomic: shards through per-attempt
/// temporary names (`ShardWriter`'s `attempt`), receipts through a unique
/// temporary file renamed into place, so two attempts of one task never
/// share a file and a killed one leaves only hidden `*.tmp` leftovers,
/// which `publishedEntries` clears.
///
/// Hooks for the output lock (reliability): take it before
/// `openOrResume` (which removes other plans' directories) and hold it
/// through `commit`.
public struct BuildStaging: Sendable {
    /// The staging directory.
    public let url: URL
    /// The dataset directory it is published as.
    public let output: URL
    public let planID: String
    /// Whether it is a distributed build's (`.NAME.dist-ID`).
    public let distributed: Bool

    var path: String { url.path }
    var receiptsDirectory: String { path + "/receipts" }
    var planPath: String { path + "/" + Self.planFileName }
    /// The local build's job directory (spill runs).
    var workDirectory: String { path + "/.work" }
    static let planFileName = "plan.json"

    /// `.NAME.build-ID` (local) or `.NAME.dist-ID` (distributed) next to `output`.
    public static func url(output: URL, planID: String, distributed: Bool) -> URL {
        output.deletingLastPathComponent().appendingPathComponent(prefix(output: output, distributed: distributed) + planID)
    }

    static func prefix(output: URL, distributed: Bool) -> String {
        ".\(output.lastPathComponent).\(distributed ? "dist" : "build")-"
    }

    /// The staging directory a plan names, which must be the output's
    /// sibling named for the plan's id (a plan is never trusted to point
    /// anywhere else).
    private init(plan: BuildPlan, file: String) throws {
        guard let output = plan.output, let staging = plan.staging else {
            throw BuildError.plan(file: file, message: "has no output or staging directory")
        }
        let outputURL = URL(fileURLWithPath: output)
        let expected = [true, false].map { Self.url(output: outputURL, planID: plan.planID, distributed: $0).path }
        guard expected.contains(staging) else {
            throw BuildError.plan(file: file, message: "names staging directory \(staging), not \(expected[0]) or \(expected[1])")
        }
        self.output = outputURL
        planID = plan.planID
        url = URL(fileURLWithPath: staging)
        distributed = staging == expected[0]
    }

    /// Creates the staging directory of `plan`, or reopens the one a run of
    /// the same plan left, and writes the plan into it. Staging directories
    /// of other plans for the same output (their `plan.json` names it) are
    /// removed: their work can never be reused.
    ///
    /// - Throws: `FileError`.
    public static func openOrResume(plan: BuildPlan) throws -> BuildStaging {
        let staging = try BuildStaging(plan: plan, file: "plan")
        let parent = staging.output.deletingLastPathComponent().path
        try FileSystem.makeDirectory(parent)
        staging.removeStaleSiblings()
        try FileSystem.makeDirectory(staging.receiptsDirectory)
        if (try? BuildPlan.read(staging.planPath))?.planID != plan.planID {
            try plan.write(to: staging.planPath)
        }
        return staging
    }

    /// The staging directory a plan stage made (for map, reduce, finalize).
    ///
    /// - Throws: `BuildError.staging` when it is missing or holds another plan.
    public static func open(plan: BuildPlan, file: String = "plan") throws -> BuildStaging {
        let staging = try BuildStaging(plan: plan, file: file)
        guard FileSystem.kind(of: staging.receiptsDirectory) == .directory else {
            throw BuildError.staging(
                path: staging.path, message: "the plan's staging directory is missing (run --stage plan again, on a filesystem every task sees)")
        }
        guard (try? BuildPlan.read(staging.planPath))?.planID == plan.planID else {
            throw BuildError.staging(path: staging.planPath, message: "holds another plan than \(plan.planID)")
        }
        return staging
    }

    /// Removes this kind's staging directories of other plan ids whose plan
    /// names this output. Anything whose ownership cannot be read is left alone.
    private func removeStaleSiblings() {
        let parent = output.deletingLastPathComponent().path
        let prefix = Self.prefix(output: output, distributed: distributed)
        for name in (try? FileSystem.directoryEntries(parent)) ?? [] where name.hasPrefix(prefix) {
            let id = name.dropFirst(prefix.count)
            guard id != planID, id.count == 16, id.allSatisfy({ $0.isHexDigit }) else { continue }
            let dir = parent + "/" + name
            guard let other = try? BuildPlan.read(dir + "/" + Self.planFileName), other.output == output.path else { continue }
            try? FileSystem.removeTree(dir)
        }
    }

    // MARK: - Receipts

    func mapReceiptPath(_ split: String) -> String { receiptsDirectory + "/map-\(split).json" }
    func shardReceiptPath(group: Int) -> String { receiptsDirectory + "/" + ShardNaming.name(group: group) + ".json" }

    /// Writes a map receipt (unique temporary file, renamed into place).
    func write(_ receipt: MapReceipt) throws {
        try AtomicFile.write(try receipt.encoded(), to: mapReceiptPath(receipt.split))
    }

    /// Every map receipt in the directory, by split id.
    func mapReceipts() throws -> [String: MapReceipt] {
        var out: [String: MapReceipt] = [:]
        for name in try FileSystem.directoryEntries(receiptsDirectory) where name.hasPrefix("map-") && name.hasSuffix(".json") {
            let path = receiptsDirectory + "/" + name
            do {
                let receipt = try MapReceipt.parse(try FileSystem.readFile(path, limit: 16 << 20))
                guard name == "map-\(receipt.split).json" else {
                    throw BuildError.staging(path: path, message: "is the receipt of split \(receipt.split)")
                }
                out[receipt.split] = receipt
            } catch let error as BuildError {
                throw error
            } catch {
                throw BuildError.staging(path: path, message: "is not a map receipt: \(error)")
            }
        }
        return out
    }

    /// Stages a shard's receipt once its files are in place.
    func record(_ receipt: ShardReceipt) throws {
        try AtomicFile.write(try receipt.line(), to: shardReceiptPath(group: receipt.group))
    }

    /// The staged receipt of `group` if it and its shard's files verify,
    /// else nil (and a receipt that does not verify is removed, so the group
    /// is redone).
    func keptShard(group: Int) -> ShardReceipt? {
        let path = shardReceiptPath(group: group)
        guard FileSystem.exists(path) else { return nil }
        guard let bytes = try? FileSystem.readFile(path, limit: 1 << 20), let receipt = try? ShardReceipt.parse(bytes),
            receipt.group == group, (try? verify(receipt)) != nil
        else {
            try? FileSystem.remove(path)
            return nil
        }
        return receipt
    }

    /// Checks that the receipt's shard files exist with its sizes and (with
    /// `rehashing`) its whole-file XXH3s.
    ///
    /// - Throws: `BuildError.staging` naming the first file that does not match.
    func verify(_ receipt: ShardReceipt, rehashing: Bool = true) throws {
        guard let shard = receipt.shard else { return }
        guard shard.name == ShardNaming.name(group: receipt.group) else {
            throw BuildError.staging(path: path, message: "receipt of group \(receipt.group) names shard \(shard.name)")
        }
        for part in ShardFile.allCases {
            let file = path + "/" + part.fileName(shard: shard.name)
            let expected = shard.files[part]
            guard let size = FileSystem.fileSize(file) else {
                throw BuildError.staging(path: file, message: "is missing (shard \(shard.name) of group \(receipt.group))")
            }
            guard size == expected.size else {
                throw BuildError.staging(path: file, message: "has \(size) bytes, its receipt says \(expected.size)")
            }
            guard rehashing else { continue }
            let mapped = try MappedFile(path: file)
            // The map must outlive the hashing of its bytes.
            let hash = withExtendedLifetime(mapped) { Checksum.hex(Checksum.xxh3(mapped.unsafeBytes)) }
            guard hash == expected.xxh3 else {
                throw BuildError.staging(path: file, message: "is damaged: XXH3 \(hash), its receipt says \(expected.xxh3)")
            }
        }
    }

    // MARK: - Publishing

    /// Removes what is not part of the dataset (plan, receipts, work files)
    /// before the manifest is written.
    func removeBookkeeping() throws {
        try FileSystem.removeTree(workDirectory)
        try FileSystem.removeTree(receiptsDirectory)
        try FileSystem.remove(planPath)
    }

    /// Writes the manifest, then publishes the staging directory as `output`.
    ///
    /// Without `replacing`, the rename refuses (`RENAME_NOREPLACE`) if
    /// anything appeared at `output` while the build ran, so nothing is
    /// ever replaced; an empty directory the user named as output is
    /// removed first (and if something was written into it meanwhile, that
    /// fails and nothing is replaced either). With `replacing`, the old
    /// dataset and the new one are swapped in one step (`RENAME_EXCHANGE`):
    /// a reader of `output` sees one or the other, never neither; the old
    /// one is then deleted, unless what was swapped out is not an lmshard
    /// dataset (it was replaced by something else since the build checked
    /// it), which is swapped back and reported.
    func commit(manifest: DatasetManifest, replacing: Bool) throws {
        try manifest.write(to: url)
        let target = output.path
        let appeared = "something appeared here while the build ran; nothing was replaced"
        if replacing && FileSystem.exists(target) {
            try FileSystem.exchange(path, target)
            // `url` now holds what was at the output.
            let old = (try? FileSystem.directoryEntries(path)) ?? []
            guard old.isEmpty || old.contains(LMShard.Format.manifestFileName) else {
                try FileSystem.exchange(path, target)
                throw BuildError.output(path: target, message: "is no longer an lmshard dataset; refusing to replace it")
            }
            try FileSystem.removeTree(path)
        } else {
            if FileSystem.kind(of: target) == .directory {
                guard rmdir(target) == 0 else { throw BuildError.output(path: target, message: appeared) }
            }
            do {
                try FileSystem.renameNoReplace(path, to: target)
            } catch let error as FileError where error.isAlreadyExists {
                throw BuildError.output(path: target, message: appeared)
            }
        }
        try FileSystem.syncDirectory(output.deletingLastPathComponent().path)
    }

    /// Removes the staging directory and everything in it.
    public func discard() { try? FileSystem.removeTree(path) }
}

/// Shard names: `shard-00003` for reduce group 3 (one shard per group).
enum ShardNaming {
    static func name(group: Int) -> String {
        let digits = String(group)
        return "shard-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }
}
