import Foundation
import LMIO

/// Where build input comes from, decided once before any row is read.
///
/// Users point `lmshard build` at JSONL files (plain, zstd or gzip), plain
/// text files, directories of either (code corpora: one document per file), or
/// `-` for JSONL on stdin so any exporter (pyarrow, `datasets`) can pipe rows in.
/// Directories are walked recursively in byte order of their paths so the same
/// tree always yields the same documents in the same order, whatever the
/// filesystem returns.
public struct InputFile: Sendable, Equatable {
    public enum Format: String, Sendable, Equatable {
        case jsonl, jsonlZstd = "jsonl.zst", jsonlGzip = "jsonl.gz", text
    }
    /// The path as the user named it (or `<stdin>`), used in error messages.
    public let path: String
    public let format: Format
    /// Size on disk, for the progress ETA; nil for stdin.
    public let byteCount: Int64?

    public var isStdin: Bool { path == InputFile.stdinName }
    public static let stdinName = "<stdin>"
}

public enum InputError: Error, CustomStringConvertible, Equatable {
    case notFound(String)
    case unreadable(String, reason: String)
    case empty

    public var description: String {
        switch self {
        case let .notFound(p): return "\(p): no such file or directory"
        case let .unreadable(p, reason): return "\(p): \(reason)"
        case .empty: return "no input files found"
        }
    }
}

public enum InputCatalog {
    /// Expands `paths` into input files. Hidden files and folders (a leading
    /// `.`) inside directories are skipped, as version-control folders are.
    public static func discover(_ paths: [String]) throws -> [InputFile] {
        var files: [InputFile] = []
        for path in paths {
            if path == "-" {
                files.append(InputFile(path: InputFile.stdinName, format: .jsonl, byteCount: nil))
                continue
            }
            switch FileSystem.kind(of: path) {
            case nil: throw InputError.notFound(path)
            case .directory?: files += try walk(directory: path)
            case .regularFile?: files.append(file(at: path))
            case .other(let kind)?:
                // Reading a FIFO or device would block or never end: say so now.
                throw InputError.unreadable(path, reason: "not a regular file (\(kind)); pipe data in with --input -")
            }
        }
        guard !files.isEmpty else { throw InputError.empty }
        return files
    }

    /// The format a file name implies: `.jsonl[.zst|.gz]` (also `.ndjson`), else text.
    public static func format(of path: String) -> InputFile.Format {
        let name = path.lowercased()
        for ext in [".jsonl", ".ndjson"] {
            if name.hasSuffix(ext) { return .jsonl }
            if name.hasSuffix(ext + ".zst") || name.hasSuffix(ext + ".zstd") { return .jsonlZstd }
            if name.hasSuffix(ext + ".gz") { return .jsonlGzip }
        }
        return .text
    }

    static func file(at path: String) -> InputFile {
        InputFile(path: path, format: format(of: path), byteCount: FileSystem.fileSize(path).map(Int64.init))
    }

    /// The files under `directory`. `ancestors` are the directories the
    /// walk is inside (device and inode): a symbolic link back to one of
    /// them is a loop, refused instead of followed until the path is too
    /// long (each file read once per level).
    static func walk(directory: String, ancestors: [String: String] = [:]) throws -> [InputFile] {
        var ancestors = ancestors
        if let id = directoryID(directory) {
            if let first = ancestors[id] {
                throw InputError.unreadable(directory, reason: "a symbolic link loop: this is \(first) again")
            }
            ancestors[id] = directory
        }
        let entries: [String]
        do {
            entries = try FileSystem.directoryEntries(directory)
        } catch {
            throw InputError.unreadable(directory, reason: "cannot list directory")
        }
        var out: [InputFile] = []
        // Byte order of the UTF-8 names, not locale order: reproducible everywhere.
        for name in entries.sorted(by: { Array($0.utf8).lexicographicallyPrecedes($1.utf8) }) where !name.hasPrefix(".") {
            let child = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            switch FileSystem.kind(of: child) {
            case nil: continue  // dangling link
            case .directory?: out += try walk(directory: child, ancestors: ancestors)
            case .regularFile?: out.append(file(at: child))
            case .other(let kind)?:
                throw InputError.unreadable(child, reason: "not a regular file (\(kind))")
            }
        }
        return out
    }

    /// `device:inode` of a directory (following links), nil if it cannot be read.
    static func directoryID(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return "\(info.st_dev):\(info.st_ino)"
    }
}
