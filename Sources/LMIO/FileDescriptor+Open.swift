#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Opening files: for reading only regular files, so that a FIFO, socket or
/// device named where a file is expected fails at once with a clear error
/// instead of blocking forever (a FIFO without a writer) or reading without
/// end (`/dev/zero`).
extension FileDescriptor {
    /// Opens the regular file `path` for reading.
    ///
    /// Opened with `O_NONBLOCK` so that opening a FIFO returns at once,
    /// then checked with `fstat`; a regular file then gets blocking reads
    /// back. Standard input is `standardInput()`, which may be a pipe.
    ///
    /// - Throws: `FileError` naming the path: the system's reason, or
    ///   `not a regular file (a FIFO)` and the like.
    public static func openForReading(_ path: String) throws -> FileDescriptor {
        var fd: Int32
        repeat { fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK) } while fd < 0 && lastErrno == EINTR
        guard fd >= 0 else { throw FileError.errno(path, "open") }
        let file = FileDescriptor(owning: fd, path: path)
        let mode = try file.status().st_mode
        guard mode & S_IFMT == S_IFREG else {
            throw FileError(path: path, operation: "open", reason: "not a regular file (\(kindName(mode)))")
        }
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0 else { throw FileError.errno(path, "open") }
        return file
    }

    /// Opens the directory `path` (to `fsync` it after renames inside it).
    public static func openDirectory(_ path: String) throws -> FileDescriptor {
        var fd: Int32
        repeat { fd = open(path, O_RDONLY | O_CLOEXEC | O_DIRECTORY) } while fd < 0 && lastErrno == EINTR
        guard fd >= 0 else { throw FileError.errno(path, "open") }
        return FileDescriptor(owning: fd, path: path)
    }

    /// Creates `path` for writing, truncating an existing file; with
    /// `exclusive`, fails (`EEXIST`) if anything exists there.
    public static func create(_ path: String, exclusive: Bool = false, permissions: mode_t = 0o644) throws
        -> FileDescriptor
    {
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC)
        var fd: Int32
        repeat { fd = open(path, flags, permissions) } while fd < 0 && lastErrno == EINTR
        guard fd >= 0 else { throw FileError.errno(path, "create") }
        return FileDescriptor(owning: fd, path: path)
    }

    /// Opens `path` for writing after its first `kept` bytes: created when
    /// missing (then `kept` must be 0), cut to `kept` bytes, positioned at
    /// the end. A resumed job appends after what it had committed and
    /// drops what followed.
    ///
    /// - Throws: `FileError` when it cannot be opened or is shorter than `kept`.
    public static func openForAppending(_ path: String, keepingFirst kept: UInt64) throws -> FileDescriptor {
        var fd: Int32
        repeat { fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644) } while fd < 0 && lastErrno == EINTR
        guard fd >= 0 else { throw FileError.errno(path, "open") }
        let file = FileDescriptor(owning: fd, path: path)
        let size = try file.size()
        guard UInt64(size) >= kept else {
            throw FileError(path: path, operation: "open", reason: "has \(size) bytes, fewer than the \(kept) to keep")
        }
        guard ftruncate(fd, off_t(kept)) == 0 else { throw FileError.errno(path, "truncate") }
        guard lseek(fd, off_t(kept), SEEK_SET) == off_t(kept) else { throw FileError.errno(path, "seek") }
        return file
    }
}

/// `a FIFO`, `a directory`, ... for a `st_mode`.
func kindName(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFREG: return "a regular file"
    case S_IFDIR: return "a directory"
    case S_IFIFO: return "a FIFO"
    case S_IFSOCK: return "a socket"
    case S_IFCHR: return "a character device"
    case S_IFBLK: return "a block device"
    case S_IFLNK: return "a symbolic link"
    default: return "of an unknown kind"
    }
}
