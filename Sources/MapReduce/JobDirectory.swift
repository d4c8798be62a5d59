import Foundation

/// The files of one map-reduce job (layout in `LocalRunner`'s comment).
final class JobDirectory: @unchecked Sendable {
    let path: String
    let persistent: Bool
    private(set) var mapIsDone = false

    var mapDirectory: String { path + "/map" }
    var reduceDirectory: String { path + "/reduce" }

    /// Creates or reopens the job directory under `root`.
    init(root: String?, identity: String?) throws {
        let base = root ?? NSTemporaryDirectory()
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: base, withIntermediateDirectories: true)
        } catch {
            throw MapReduceError.io(path: base, message: "cannot create work directory: \(error.localizedDescription)")
        }
        if let identity {
            persistent = true
            path = base + "/mr-job-" + fnv1aHex(Array(identity.utf8))
            let jobFile = path + "/JOB"
            if let existing = fm.contents(atPath: jobFile) {
                guard existing.elementsEqual(identity.utf8) else {
                    throw MapReduceError.workDirectoryInUse(path: path, message: "holds a different job")
                }
                mapIsDone = fm.fileExists(atPath: mapDirectory + "/DONE")
            } else {
                try? fm.removeItem(atPath: path)
                try Self.create(path)
                guard fm.createFile(atPath: jobFile, contents: Data(identity.utf8)) else {
                    throw MapReduceError.io(path: jobFile, message: "cannot write")
                }
            }
        } else {
            persistent = false
            path = base + "/mr-tmp-\(getpid())-" + UUID().uuidString
            try Self.create(path)
        }
        if !mapIsDone {
            try? fm.removeItem(atPath: mapDirectory)
            try Self.create(mapDirectory)
        }
        try Self.create(reduceDirectory)
    }

    private static func create(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw MapReduceError.io(path: path, message: "cannot create directory: \(error.localizedDescription)")
        }
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
        let names = (try? FileManager.default.contentsOfDirectory(atPath: mapDirectory)) ?? []
        return names.compactMap { name -> (Int, String)? in
            guard name.hasPrefix(prefix), name.hasSuffix(".zst"),
                let n = Int(name.dropFirst(prefix.count).dropLast(4))
            else { return nil }
            return (n, mapDirectory + "/" + name)
        }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// Durably records that every run is written (rename of a finished file).
    func markMapDone() throws {
        try renameIntoPlace(contents: Data("done\n".utf8), path: mapDirectory + "/DONE")
        mapIsDone = true
    }

    /// Removes the directory after success, or after failure unless it is
    /// a persistent (resumable) job.
    func finish(succeeded: Bool) {
        if succeeded || !persistent { try? FileManager.default.removeItem(atPath: path) }
    }
}

/// Writes `contents` to `path.tmp`, then renames it to `path`.
func renameIntoPlace(contents: Data, path: String) throws {
    let tmp = path + ".tmp"
    guard FileManager.default.createFile(atPath: tmp, contents: contents) else {
        throw MapReduceError.io(path: tmp, message: "cannot write")
    }
    try renameFile(tmp, path)
}

func renameFile(_ from: String, _ to: String) throws {
    guard rename(from, to) == 0 else {
        throw MapReduceError.io(path: to, message: "rename from \(from): \(errnoText())")
    }
}

/// The size of a file in bytes, 0 if it cannot be read (used only to order work).
func fileSize(_ path: String) -> Int {
    var info = stat()
    return stat(path, &info) == 0 ? Int(info.st_size) : 0
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
