#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import LMIO

/// A file's identity and last change as `stat` reports them: the fast key
/// that lets a warm load skip hashing the `tokenizer.json`.
///
/// Hashing Llama 3's 17 MB with SHA-256 is ~8 ms of CPU, 15% of a warm
/// process (perf, release build), so the cache also records, per file,
/// the SHA-256 it had at a given (device, inode, size, mtime, ctime). Any
/// write to the file, `truncate`, or a `touch` that restores the mtime
/// sets ctime to the current time, and no call lets a user set ctime, so
/// an unchanged key means unchanged bytes, with one hole: two writes
/// within one tick of the file system's clock (a few ms on Linux) leave
/// the same ctime. `TokenizerCache.recordStatKey` therefore only records
/// a key whose ctime is older than `TokenizerCache.racyWindow` (2 s) and
/// that did not change while the bytes were hashed (git's "racy clean"
/// rule), so a change after recording always moves ctime.
struct FileStatKey: Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int
    var mtime: (seconds: Int, nanoseconds: Int)
    var ctime: (seconds: Int, nanoseconds: Int)

    static func == (a: FileStatKey, b: FileStatKey) -> Bool {
        a.device == b.device && a.inode == b.inode && a.size == b.size
            && a.mtime == b.mtime && a.ctime == b.ctime
    }

    /// The key of the regular file at `path`, or nil.
    init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        size = Int(st.st_size)
        #if canImport(Darwin)
        mtime = (Int(st.st_mtimespec.tv_sec), Int(st.st_mtimespec.tv_nsec))
        ctime = (Int(st.st_ctimespec.tv_sec), Int(st.st_ctimespec.tv_nsec))
        #else
        mtime = (Int(st.st_mtim.tv_sec), Int(st.st_mtim.tv_nsec))
        ctime = (Int(st.st_ctim.tv_sec), Int(st.st_ctim.tv_nsec))
        #endif
    }

    /// The index file's name for this file (one per device and inode).
    var indexName: String { "stat-\(device)-\(inode)" }

    /// The index line: the key's changing fields and the SHA-256.
    func record(sha256: [UInt8]) -> String {
        "v1 \(size) \(mtime.seconds) \(mtime.nanoseconds) \(ctime.seconds) \(ctime.nanoseconds) \(lowercaseHex(sha256))\n"
    }

    /// The SHA-256 an index line records for exactly this key, else nil.
    func sha256(fromRecord line: String) -> [UInt8]? {
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 7, fields[0] == "v1",
              fields[1] == "\(size)", fields[2] == "\(mtime.seconds)", fields[3] == "\(mtime.nanoseconds)",
              fields[4] == "\(ctime.seconds)", fields[5] == "\(ctime.nanoseconds)"
        else { return nil }
        let hex = Array(fields[6].utf8)
        guard hex.count == 65, hex[64] == UInt8(ascii: "\n") else { return nil }
        var sha = [UInt8]()
        for i in stride(from: 0, to: 64, by: 2) {
            guard let byte = UInt8(String(decoding: hex[i..<(i + 2)], as: UTF8.self), radix: 16) else { return nil }
            sha.append(byte)
        }
        return sha
    }
}

extension TokenizerCache {
    /// The SHA-256 recorded for a file with `key`, if any.
    func recordedSHA256(for key: FileStatKey) -> [UInt8]? {
        guard let directory, let bytes = try? FileSystem.readFile(directory + "/" + key.indexName, limit: 256) else { return nil }
        return key.sha256(fromRecord: String(decoding: bytes, as: UTF8.self))
    }

    /// Records that the file of `key` hashes to `sha256`, when `key` was
    /// the same before and after hashing (`after`) and its ctime is older
    /// than `racyWindow` seconds; failures are silent (a missing record
    /// only means hashing next time). The caller, which has just read the
    /// record (`recordedSHA256`), skips the call when it already says `sha256`.
    func recordStatKey(_ key: FileStatKey, after: FileStatKey?, sha256: [UInt8], now: Date = Date()) {
        guard let directory, key == after,
              Double(key.ctime.seconds) + Double(key.ctime.nanoseconds) / 1e9 < now.timeIntervalSince1970 - racyWindow
        else { return }
        do {
            let file = try AtomicFileWriter(path: directory + "/" + key.indexName)
            try file.output.write(Array(key.record(sha256: sha256).utf8))
            try file.commit(syncingDirectory: false)
        } catch {
            return
        }
    }
}
