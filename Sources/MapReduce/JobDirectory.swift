import Foundation
import LMIO

/// The files of one map-reduce job (layout in `LocalRunner`'s comment).
///
/// The directory is a `LockedDirectory`: its `LOCK` is held for the run, so
/// two runs never share one job directory, and a killed run's private
/// directory (`mr-tmp-*`) is removed by the next run that starts in the
/// same work root. A resumable job's directory (`mr-job-*`) is kept for
/// its rerun; what removes it when it is superseded is the output's lock
/// record (`OutputLock`), which names it.
///
/// `@unchecked Sendable`: workers only read its paths; `mapIsDone` is set
/// by the runner's thread between phases, and notes go through `onNote`.
final class JobDirectory: @unchecked Sendable {
    let path: String
    let persistent: Bool
    private(set) var mapIsDone = false
    /// Receives one line per damaged or stale file found and redone.
    let onNote: (@Sendable (String) -> Void)?
    private var directory: LockedDirectory?

    var mapDirectory: String { path + "/map" }
    var reduceDirectory: String { path + "/reduce" }
    var doneFile: String { mapDirectory + "/DONE" }

    /// The directory a resumable job with `identity` uses under `root`.
    static func persistentPath(root: String?, identity: String) -> String {
        workRoot(root) + "/mr-job-" + fnv1aHex(Array(identity.utf8))
    }

    /// `root`, or the system temporary directory, without a trailing `/`.
    static func workRoot(_ root: String?) -> String {
        var base = root ?? NSTemporaryDirectory()
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        return base
    }

    /// Creates or reopens the job directory under `root`, first removing
    /// abandoned private job directories there.
    ///
    /// A reopened persistent job reuses only what passes its checks
    /// (`verifyForResume`): damaged map output is mapped again, a damaged
    /// partition output is reduced again.
    ///
    /// - Throws: `FileError`, or `LockError.held` when another live run
    ///   uses the persistent job directory.
    init(root: String?, identity: String?, onNote: (@Sendable (String) -> Void)? = nil) throws {
        let base = Self.workRoot(root)
        self.onNote = onNote
        try FileSystem.makeDirectory(base)
        for name in LockedDirectory.removeAbandoned(in: base, prefix: "mr-tmp-") {
            onNote?("removed \(base)/\(name), the work directory of a run that was killed")
        }
        if let identity {
            persistent = true
            path = Self.persistentPath(root: root, identity: identity)
            let directory = try LockedDirectory.open(path, command: "run")
            let jobFile = path + "/JOB"
            // A JOB file is the identity of at most a few KB.
            let recorded = try? FileSystem.readFile(jobFile, limit: 1 << 20)
            if let recorded, recorded.elementsEqual(identity.utf8) {
                mapIsDone = FileSystem.exists(doneFile)
            } else {
                // Missing (a new job, or one killed before writing it) or
                // damaged (the name is this identity's hash): start afresh.
                if recorded != nil { onNote?("\(jobFile): does not hold this job; starting it afresh") }
                for name in try FileSystem.directoryEntries(path) where name != LockedDirectory.lockName {
                    try FileSystem.removeTree(path + "/" + name)
                }
                try AtomicFile.write(Array(identity.utf8), to: jobFile)
            }
            self.directory = consume directory
        } else {
            persistent = false
            path = base + "/mr-tmp-\(getpid())-" + UUID().uuidString
            directory = try LockedDirectory.create(path, command: "run")
        }
        if mapIsDone { verifyMapOutput() }
        if !mapIsDone {
            try FileSystem.removeTree(mapDirectory)
            try FileSystem.makeDirectory(mapDirectory)
        }
        try FileSystem.makeDirectory(reduceDirectory)
    }

    func runPath(partition: Int, run: Int) -> String { mapDirectory + "/p\(partition)-r\(run).zst" }
    func mergedRunPath(partition: Int, pass: Int, index: Int) -> String {
        mapDirectory + "/p\(partition)-m\(pass)-\(index).zst"
    }
    func outputPath(partition: Int) -> String { reduceDirectory + "/p\(partition).zst" }
    /// The reduce commit log of `partition` (see `ReduceProgress`).
    func progressPath(partition: Int) -> String { reduceDirectory + "/p\(partition).progress" }

    /// The spill runs of `partition`, in spill order.
    func runs(partition: Int) -> [String] {
        let prefix = "p\(partition)-r"
        let names = (try? FileSystem.directoryEntries(mapDirectory)) ?? []
        return names.compactMap { name -> (Int, String)? in
            guard name.hasPrefix(prefix), name.hasSuffix(".zst"),
                let n = Int(name.dropFirst(prefix.count).dropLast(4))
            else { return nil }
            return (n, mapDirectory + "/" + name)
        }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// Durably records that every run is written: the runs' directory is
    /// synced, then `DONE` is written atomically, listing every run with
    /// its size (`MapListing`), so a resumed job notices a run gone missing.
    func markMapDone() throws {
        try FileSystem.syncDirectory(mapDirectory)
        let names = try FileSystem.directoryEntries(mapDirectory).filter(MapListing.isRunName)
        let listing = MapListing(runs: try names.sorted().map { name in
            guard let size = FileSystem.fileSize(mapDirectory + "/" + name) else {
                throw FileError(path: mapDirectory + "/" + name, operation: "stat", code: ENOENT)
            }
            return (name, size)
        })
        try AtomicFile.write(listing.serialized(), to: doneFile)
        mapIsDone = true
    }

    /// Removes the directory after success, or after failure unless it is
    /// a persistent (resumable) job; lets go of its lock either way.
    func finish(succeeded: Bool) {
        guard let directory = directory.take() else { return }
        if succeeded || !persistent {
            try? directory.remove()
        } else {
            try? directory.release()
        }
    }

    // MARK: - Resume checks

    /// Checks the map output a resumed job would reuse: the `DONE` listing
    /// (its checksum, every run it lists present with its size, no other
    /// run) and every block of every run. Anything wrong and the map phase
    /// runs again (runs are cut by the memory budget across all partitions,
    /// so one run cannot be redone alone).
    private func verifyMapOutput() {
        do {
            let listing = try MapListing.parse(FileSystem.readFile(doneFile, limit: 64 << 20), path: doneFile)
            let present = Set(try FileSystem.directoryEntries(mapDirectory).filter(MapListing.isRunName))
            if let extra = present.subtracting(listing.runs.map(\.name)).sorted().first {
                throw MapReduceError.corruptFile(path: mapDirectory + "/" + extra, offset: 0, message: "a run DONE does not list")
            }
            for (name, size) in listing.runs {
                let path = mapDirectory + "/" + name
                guard let actual = FileSystem.fileSize(path), actual == size else {
                    throw MapReduceError.corruptFile(
                        path: path, offset: 0,
                        message: "listed in DONE with \(size) bytes, found \(FileSystem.fileSize(path).map { "\($0)" } ?? "no file")")
                }
                try RecordFileReader.verify(path: path)
            }
        } catch {
            onNote?("\(error); mapping the input again")
            mapIsDone = false
        }
    }

    /// Whether the finished output of `partition` can be reused: it passes
    /// every block check. A damaged one is removed (with its progress log),
    /// so the partition is reduced again.
    func reusableOutput(partition p: Int) -> Bool {
        let output = outputPath(partition: p)
        guard FileSystem.exists(output) else { return false }
        do {
            try RecordFileReader.verify(path: output)
            return true
        } catch {
            onNote?("\(error); reducing partition \(p) again")
            try? FileSystem.remove(output)
            try? FileSystem.remove(progressPath(partition: p))
            return false
        }
    }
}

/// FNV-1a 64-bit: a stable hash (Swift's `Hasher` is seeded per process,
/// which would change partitions between a run and its resume).
@inline(__always)
func fnv1a<C: Sequence>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes {
        h ^= UInt64(b)
        h = h &* 0x100_0000_01b3
    }
    return h
}

func fnv1aHex(_ bytes: [UInt8]) -> String { hex16(fnv1a(bytes)) }

/// `value` as 16 lowercase hex digits.
func hex16(_ value: UInt64) -> String {
    let s = String(value, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
}
