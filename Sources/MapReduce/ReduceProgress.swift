import LMIO

/// The commit log of one partition's reduce in a resumable job
/// (`reduce/p<N>.progress`), so a killed run resumes after the last group it
/// finished instead of redoing the whole partition.
///
/// After each group's outputs are written out as complete zstd frames, one
/// record is appended:
///
/// | field         | encoding                                            |
/// |---------------|-----------------------------------------------------|
/// | key length    | UInt32, little-endian                               |
/// | key           | the group's encoded key (`ShuffleCodable`)          |
/// | output length | UInt64, little-endian: committed bytes of `.zst.tmp`|
/// | checksum      | UInt64, little-endian: FNV-1a of the fields above   |
///
/// Records are appended with write(2) and never synced: the log guards
/// against a killed process (the kernel keeps what was written), not power
/// loss. A process killed mid-append leaves a torn last record, which the
/// checksum (or the missing bytes) rejects; the record before it still holds.
enum ReduceProgress {
    /// What the last valid record says.
    struct Commit: Equatable {
        /// The encoded key of the last group whose outputs are committed.
        var keyBytes: [UInt8]
        /// The output file's length right after that group.
        var outputLength: UInt64
        /// The log's length up to the end of this record: anything after it
        /// is torn and is cut off before appending again.
        var logLength: UInt64
    }

    /// One record's bytes.
    static func record(keyBytes: [UInt8], outputLength: UInt64) -> [UInt8] {
        var w = ByteWriter(reservingCapacity: keyBytes.count + 20)
        w.write(UInt32(keyBytes.count))
        w.bytes.append(contentsOf: keyBytes)
        w.write(outputLength)
        w.write(fnv1a(w.bytes))
        return w.bytes
    }

    /// The last valid record of a log, nil if it has none. Reading stops at
    /// the first record that is cut short or fails its checksum: records are
    /// only ever appended, so that one is the torn tail.
    static func lastCommit(in log: [UInt8]) -> Commit? {
        var r = ByteReader(log)
        var last: Commit?
        while !r.isAtEnd {
            let start = r.offset
            guard let keyLength = try? r.read(UInt32.self), Int(keyLength) <= log.count - r.offset else { break }
            let keyBytes = Array(log[r.offset..<r.offset + Int(keyLength)])
            r = ByteReader(log, offset: r.offset + Int(keyLength))
            guard let outputLength = try? r.read(UInt64.self) else { break }
            let end = r.offset
            guard let checksum = try? r.read(UInt64.self), checksum == fnv1a(log[start..<end]) else { break }
            last = Commit(keyBytes: keyBytes, outputLength: outputLength, logLength: UInt64(r.offset))
        }
        return last
    }
}

/// A partition's commit log open for appending (see `ReduceProgress`).
final class ProgressLog {
    private let file: FileDescriptor
    var path: String { file.path }

    /// Opens `path` (creating it) cut to its first `kept` bytes, so appends
    /// follow them.
    init(path: String, keepingFirst kept: UInt64) throws {
        file = try FileDescriptor.openForAppending(path, keepingFirst: kept)
    }

    /// Writes all of `bytes` with write(2): once it returns, a killed
    /// process loses none of them (no fsync, so power loss can).
    func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try file.writeAll($0) }
    }

    /// A log's bytes (a record per reduced group: far below the bound).
    static func contents(_ path: String) throws -> [UInt8] {
        try FileSystem.readFile(path, limit: 1 << 30)
    }
}
