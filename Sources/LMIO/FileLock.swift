#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock(2)` on a small file that records who holds it.
///
/// The kernel drops the lock when its holder exits however it exits
/// (SIGKILL included), so "the lock is free" is the proof that whoever
/// wrote the file is gone, where a PID in a file name is only a guess (PIDs
/// are reused, and another host's PID means nothing here). The file's
/// contents (a `LockRecord`) are for messages and for finding what the
/// holder left behind; they are never the lock.
///
/// A holder may remove the file when it releases the lock. Whoever takes
/// the lock then checks that the path still names the file it locked, and
/// starts over if not: otherwise two processes could each hold a lock, one
/// on the removed file and one on its replacement.
///
/// `~Copyable`: one value owns the descriptor, whose closing releases the lock.
public struct FileLock: ~Copyable {
    /// The lock file.
    public let path: String
    private var file: FileDescriptor

    private init(path: String, file: consuming FileDescriptor) {
        self.path = path
        self.file = file
    }

    /// Takes the lock on `path` without waiting, creating the file when
    /// missing: nil when another open file (another process, or another
    /// `FileLock` of this one) holds it.
    ///
    /// - Throws: `FileError` when the file cannot be opened or locked, or
    ///   is not a regular file (a symbolic link or FIFO planted at the
    ///   lock's name is refused, never followed or written through).
    public static func tryAcquire(_ path: String) throws -> FileLock? {
        for _ in 0..<100 {
            let file = try openLockFile(path, flags: O_CREAT)
            guard try lock(file, waiting: false) else { return nil }
            if try stillNamed(file, path) { return FileLock(path: path, file: file) }
        }
        throw FileError(path: path, operation: "lock", reason: "the lock file keeps being replaced")
    }

    /// `tryAcquire`, or `LockError.held` naming `guarded` (what the lock
    /// is for) and the holder's record when it can be read.
    static func acquire(_ path: String, guarding guarded: String) throws -> FileLock {
        switch try tryAcquire(path) {
        case .some(let lock): return lock
        case .none: throw LockError.held(path: guarded, holder: peek(path).flatMap(LockRecord.parse))
        }
    }

    /// Creates `path` (which must not exist) and takes its lock, waiting
    /// for a process that opened the new file to let go of it first (a
    /// cleaner checking whether it is stale holds it for an instant).
    ///
    /// - Throws: `FileError` (`EEXIST` when the file exists).
    public static func acquireNew(_ path: String) throws -> FileLock {
        let file = try openLockFile(path, flags: O_CREAT | O_EXCL)
        _ = try lock(file, waiting: true)
        return FileLock(path: path, file: file)
    }

    /// Takes the lock on an existing `path` without waiting: nil when it is
    /// held, when nothing is at `path`, or when the path names another file
    /// by the time the lock is taken.
    ///
    /// - Throws: `FileError` when it cannot be opened (other than missing),
    ///   is not a regular file, or cannot be locked.
    public static func tryAcquireExisting(_ path: String) throws -> FileLock? {
        let file: FileDescriptor
        do {
            file = try openLockFile(path, flags: 0)
        } catch let error as FileError where error.isNotFound {
            return nil
        }
        guard try lock(file, waiting: false), try stillNamed(file, path) else { return nil }
        return FileLock(path: path, file: file)
    }

    /// The file's bytes, at most `limit` (a record is a few hundred bytes).
    public func contents(limit: Int = 1 << 16) throws -> [UInt8] {
        try Self.readAll(file, path: path, limit: limit)
    }

    /// Replaces the file's bytes and fsyncs them, so that what is recorded
    /// before a step is on disk before the step begins.
    ///
    /// Written over the old bytes first and cut to length after, never cut
    /// first: a kill between the two leaves the new bytes followed by the
    /// old record's tail (a reader stops at the record's end marker), and a
    /// full disk cannot fail the write into pages the file already has,
    /// where cutting first would have freed them and lost the old record.
    public func replaceContents(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try file.writeAll($0, at: 0) }
        guard ftruncate(file.rawValue, off_t(bytes.count)) == 0 else {
            throw FileError(path: path, operation: "truncate", code: lastErrno)
        }
        try file.sync()
    }

    /// Removes the lock file, then releases the lock (in that order, so no
    /// one can lock the file and then see it vanish).
    public consuming func releaseRemoving() throws {
        try FileSystem.remove(path)
        try file.close()
    }

    /// Releases the lock and leaves the file and its record in place.
    public consuming func release() throws {
        try file.close()
    }

    /// The bytes of a lock file someone else may hold, for a message naming
    /// the holder; nil when it cannot be read.
    public static func peek(_ path: String, limit: Int = 1 << 16) -> [UInt8]? {
        guard let file = try? openLockFile(path, flags: 0, writable: false) else { return nil }
        return try? readAll(file, path: path, limit: limit)
    }

    // MARK: - Helpers

    /// Opens a lock file read-write (or read-only), never following a
    /// symbolic link and never blocking on a FIFO, and checks that it is a
    /// regular file.
    private static func openLockFile(_ path: String, flags: Int32, writable: Bool = true) throws -> FileDescriptor {
        let mode = (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | flags
        var fd: Int32
        repeat { fd = open(path, mode, 0o644) } while fd < 0 && lastErrno == EINTR
        guard fd >= 0 else {
            let code = lastErrno
            if code == ELOOP {
                throw FileError(path: path, operation: "open lock file", reason: "is a symbolic link; remove it")
            }
            throw FileError(path: path, operation: "open lock file", code: code)
        }
        let file = FileDescriptor(owning: fd, path: path)
        let status = try file.status()
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw FileError(path: path, operation: "open lock file", reason: "not a regular file (\(kindName(status.st_mode)))")
        }
        return file
    }

    /// `flock(LOCK_EX)`; false when `waiting` is off and another holds it.
    private static func lock(_ file: borrowing FileDescriptor, waiting: Bool) throws -> Bool {
        while flock(file.rawValue, LOCK_EX | (waiting ? 0 : LOCK_NB)) != 0 {
            let code = lastErrno
            if code == EINTR { continue }
            if code == EWOULDBLOCK { return false }
            throw FileError(path: file.path, operation: "lock", code: code)
        }
        return true
    }

    /// Whether `path` still names the open file (same device and inode).
    private static func stillNamed(_ file: borrowing FileDescriptor, _ path: String) throws -> Bool {
        let opened = try file.status()
        var named = stat()
        guard lstat(path, &named) == 0 else { return false }
        return named.st_dev == opened.st_dev && named.st_ino == opened.st_ino
    }

    private static func readAll(_ file: borrowing FileDescriptor, path: String, limit: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: limit + 1)
        let n = try bytes.withUnsafeMutableBytes { try file.read(at: 0, into: $0) }
        guard n <= limit else {
            throw FileError(path: path, operation: "read", reason: "larger than the \(limit) bytes a lock record may hold")
        }
        return Array(bytes[0..<n])
    }
}
