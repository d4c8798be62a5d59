import Foundation
import LMIO

/// The files of one map-reduce job (layout in `LocalRunner`'s comment).
/// `@unchecked Sendable`: workers only read its paths; `mapIsDone` is set
/// by the runner's thread between phases.
final class JobDirectory: @unchecked Sendable {
    let path: String
    let persistent: Bool
    private(set) var mapIsDone = false

    var mapDirectory: String { path + "/map" }
    var reduceDirectory: String { path + "/reduce" }

    /// Creates or reopens the job directory under `root`.
    ///
    /// - Throws: `FileError`, or `MapReduceError.workDirectoryInUse` when a
    ///   persistent job directory holds another job.
    init(root: String?, identity: String?) throws {
        let base = root ?? NSTemporaryDirectory()
        try FileSystem.makeDirectory(base)
        if let identity {
            persistent = true
            path = base + "/mr-job-" + fnv1aHex(Array(identity.utf8))
            let jobFile = path + "/JOB"
            if FileSystem.exists(jobFile) {
                // A JOB file is the identity of at most a few KB.
                guard try FileSystem.readFile(jobFile, limit: 1 << 20).elementsEqual(identity.utf8) else {
                    throw MapReduceError.workDirectoryInUse(path: path, message: "holds a different job")
                }
                mapIsDone = FileSystem.exists(mapDirectory + "/DONE")
            } else {
                try FileSystem.removeTree(path)
                try FileSystem.makeDirectory(path)
                try AtomicFile.write(Array(identity.utf8), to: jobFile)
            }
        } else {
            persistent = false
            path = base + "/mr-tmp-\(getpid())-" + UUID().uuidString
            try FileSystem.makeDirectory(path)
        }
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
    /// synced, then `DONE` is written atomically.
    func markMapDone() throws {
        try FileSystem.syncDirectory(mapDirectory)
        try AtomicFile.write(Array("done\n".utf8), to: mapDirectory + "/DONE")
        mapIsDone = true
    }

    /// Removes the directory after success, or after failure unless it is
    /// a persistent (resumable) job.
    func finish(succeeded: Bool) {
        if succeeded || !persistent { try? FileSystem.removeTree(path) }
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

func fnv1aHex(_ bytes: [UInt8]) -> String {
    let s = String(fnv1a(bytes), radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
}
