import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Operations on paths rather than open files: sizes, kinds, renames,
/// removal, directory creation and directory sync. Errors are `FileError`s
/// naming the path.
public enum FileSystem {
    /// What a path names (symbolic links followed, as opening it would).
    public enum Kind: Equatable, Sendable {
        case regularFile, directory, other(String)
    }

    /// What `path` is (following symbolic links), or nil when nothing is there.
    public static func kind(of path: String) -> Kind? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regularFile
        case S_IFDIR: return .directory
        default: return .other(kindName(info.st_mode))
        }
    }

    /// Whether anything exists at `path` (a dangling symbolic link counts).
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Size of `path` in bytes, or nil when it does not exist.
    public static func fileSize(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_size)
    }

    /// `rename(2)`: replaces whatever file is at `to` in one step.
    public static func rename(_ from: String, to: String) throws {
        guard Glibc_rename(from, to) == 0 else { throw FileError.errno(to, "rename \(from) to") }
    }

    /// Removes the file `path`; nothing there is not an error.
    public static func remove(_ path: String) throws {
        guard unlink(path) == 0 || lastErrno == ENOENT else { throw FileError.errno(path, "remove") }
    }

    /// Removes `path` and everything under it; nothing there is not an error.
    public static func removeTree(_ path: String) throws {
        guard exists(path) else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw FileError(path: path, operation: "remove", reason: error.localizedDescription)
        }
    }

    /// Creates the directory `path` and any missing parents (`mkdir -p`);
    /// an existing directory is fine. A failure names the component that
    /// could not be made and the system's reason ("Not a directory",
    /// "Permission denied"), which Foundation's wrapper does not.
    public static func makeDirectory(_ path: String) throws {
        var path = path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        if kind(of: path) == .directory { return }
        let parent = parentDirectory(of: path)
        if parent != ".", parent != "/" { try makeDirectory(parent) }
        guard mkdir(path, 0o755) == 0 || (lastErrno == EEXIST && kind(of: path) == .directory) else {
            let code = lastErrno == EEXIST ? ENOTDIR : lastErrno
            throw FileError(path: path, operation: "create directory", code: code)
        }
    }

    /// The names in the directory `path` (no `.` or `..`), unsorted.
    public static func directoryEntries(_ path: String) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw FileError(path: path, operation: "list", reason: error.localizedDescription)
        }
    }

    /// `fsync` of the directory `path`, so that renames and creations inside
    /// it survive a crash.
    public static func syncDirectory(_ path: String) throws {
        let directory = try FileDescriptor.openDirectory(path)
        try directory.sync()
    }

    /// The directory part of `path` (`.` for a bare name), as renames and
    /// temporary files need it.
    public static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// The last component of `path`.
    public static func lastComponent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

@inline(__always)
func Glibc_rename(_ from: String, _ to: String) -> Int32 { rename(from, to) }
