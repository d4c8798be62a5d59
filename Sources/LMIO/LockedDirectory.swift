#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A work directory owned by whoever holds the lock on its `LOCK` file: the
/// map-reduce job directories (spills, reduce outputs) of `lmshard run` and
/// `lmshard build`.
///
/// Why: a killed run's job directory used to stay forever in the temporary
/// directory, its name carrying a PID nobody could check. Here a directory
/// is abandoned exactly when its `LOCK` holds a whole `LockRecord` (written
/// by the owner after it took the lock) and no one holds the lock: then,
/// and only then, `removeIfAbandoned` removes it. A directory without such
/// a file is never touched.
///
/// `~Copyable`: one value owns the lock for the directory's life.
public struct LockedDirectory: ~Copyable {
    /// The directory.
    public let path: String
    private var lock: FileLock

    /// The lock file's name inside the directory.
    public static let lockName = "LOCK"

    private init(path: String, lock: consuming FileLock) {
        self.path = path
        self.lock = lock
    }

    /// Creates the directory `path` (which must not exist) and takes it.
    ///
    /// - Throws: `FileError` (`EEXIST` when something is at `path`).
    public static func create(_ path: String, command: String) throws -> LockedDirectory {
        guard mkdir(path, 0o755) == 0 else { throw FileError(path: path, operation: "create directory", code: errno) }
        let lock = try FileLock.acquireNew(path + "/" + lockName)
        try lock.replaceContents(LockRecord.current(command: command).serialized())
        return LockedDirectory(path: path, lock: lock)
    }

    /// Takes the directory `path`, creating it when missing: a resumable
    /// job reopens its directory this way.
    ///
    /// - Throws: `LockError.held` naming the live owner; `FileError`.
    public static func open(_ path: String, command: String) throws -> LockedDirectory {
        try FileSystem.makeDirectory(path)
        let lock = try FileLock.acquire(path + "/" + lockName, guarding: path)
        try lock.replaceContents(LockRecord.current(command: command).serialized())
        return LockedDirectory(path: path, lock: lock)
    }

    /// Removes the directory and everything in it, then lets go of it.
    public consuming func remove() throws {
        try FileSystem.removeTree(path)
        try lock.release()
    }

    /// Lets go of the directory and keeps it (a resumable job that failed).
    public consuming func release() throws {
        try lock.release()
    }

    /// Removes `path` if it is an abandoned locked directory (see the type's
    /// comment); false when it is in use, has no whole record, or is gone.
    ///
    /// - Throws: `FileError` when it is abandoned but cannot be removed.
    public static func removeIfAbandoned(_ path: String) throws -> Bool {
        guard FileSystem.kind(of: path) == .directory else { return false }
        let lock: FileLock
        switch try? FileLock.tryAcquireExisting(path + "/" + lockName) {
        case .some(let acquired): lock = acquired
        default: return false
        }
        guard let bytes = try? lock.contents(), LockRecord.parse(bytes) != nil else {
            try? lock.release()
            return false
        }
        try FileSystem.removeTree(path)
        try? lock.release()
        return true
    }

    /// Removes every abandoned locked directory in `root` whose name starts
    /// with `prefix` (skipping `except`) and returns the names removed.
    /// Errors on single entries are skipped: cleaning up never fails the
    /// work that triggers it.
    public static func removeAbandoned(in root: String, prefix: String, except: String? = nil) -> [String] {
        guard let names = try? FileSystem.directoryEntries(root) else { return [] }
        return names.sorted().filter { name in
            guard name.hasPrefix(prefix), root + "/" + name != except else { return false }
            return (try? removeIfAbandoned(root + "/" + name)) == true
        }
    }
}
