#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file written under a temporary name in its directory and renamed into
/// place only when complete: readers see the old file or the new one, never
/// a prefix, and after `commit` the new one survives a crash.
///
/// The one durable-write helper of lmshard (shards, manifests, exports,
/// `run` outputs, job markers, the hub cache): write through `output`, then
/// `commit()` flushes, fsyncs, closes, renames and fsyncs the directory. A
/// writer dropped without `commit` (an error, an early return) removes its
/// temporary file. `~Copyable`: one value owns the temporary file.
public struct AtomicFileWriter: ~Copyable {
    /// The final name.
    public let path: String
    /// Where the bytes are until `commit`.
    public let temporaryPath: String
    /// The writer for the contents (buffered, with early writeback).
    public let output: BufferedWriter
    private var committed = false

    /// Creates the temporary file.
    ///
    /// - Parameter temporaryPath: a fixed temporary name (truncated if it
    ///   exists), in the same directory as `path` so the rename stays on one
    ///   file system; by default a hidden, unique sibling
    ///   `.NAME.tmp-PID-RANDOM`, created exclusively.
    public init(path: String, temporaryPath: String? = nil) throws {
        self.path = path
        let temporary = temporaryPath ?? Self.uniqueTemporaryName(for: path)
        self.temporaryPath = temporary
        output = BufferedWriter(
            try FileDescriptor.create(temporary, exclusive: temporaryPath == nil), startsWriteback: true)
    }

    deinit {
        if !committed {
            try? output.close()
            try? FileSystem.remove(temporaryPath)
        }
    }

    /// Flushes and fsyncs the temporary file, which stays open and
    /// uncommitted (so it can be read back, e.g. to checksum it).
    public func sync() throws { try output.sync() }

    /// Flushes, fsyncs and closes the file, renames it to `path` (replacing
    /// what was there) and fsyncs the directory so the rename is durable.
    ///
    /// - Parameter syncingDirectory: false when the caller renames several
    ///   files into one directory and fsyncs it once after the last.
    public consuming func commit(syncingDirectory: Bool = true) throws {
        try output.sync()
        try output.close()
        try FileSystem.rename(temporaryPath, to: path)
        committed = true
        if syncingDirectory { try FileSystem.syncDirectory(FileSystem.parentDirectory(of: path)) }
    }

    /// `.NAME.tmp-PID-RANDOM` next to `path`.
    static func uniqueTemporaryName(for path: String) -> String {
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return FileSystem.parentDirectory(of: path) + "/." + FileSystem.lastComponent(of: path)
            + ".tmp-\(getpid())-" + random
    }
}

/// Whole-file convenience over `AtomicFileWriter`.
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically and durably (temporary sibling,
    /// fsync, rename, directory fsync).
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let file = try AtomicFileWriter(path: path)
        try file.output.write(bytes)
        try file.commit()
    }
}
