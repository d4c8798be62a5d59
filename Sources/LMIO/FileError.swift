#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed file operation: which file, what was attempted, and why.
///
/// The one error type every stage throws for the file system, whatever the
/// file (an input, a shard, a spill, a manifest, standard output), so the
/// command line prints every such failure the same way:
/// `rows.jsonl: cannot open: No such file or directory`.
public struct FileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The path as given, or `<stdin>` / `<stdout>`.
    public let path: String
    /// What was attempted, as a verb: `open`, `read`, `write`, `create`,
    /// `fsync`, `rename`, `map`, `close`, ...
    public let operation: String
    /// The `errno` value the system reported, or 0 when `reason` explains
    /// the failure instead (a FIFO where a regular file was expected, a file
    /// over its size limit).
    public let code: Int32
    /// Why, when no `errno` says it.
    public let reason: String?

    /// A failure the system reported with `code` (an `errno` value).
    public init(path: String, operation: String, code: Int32) {
        self.path = path
        self.operation = operation
        self.code = code
        self.reason = nil
    }

    /// A failure lmshard decided on, explained by `reason`.
    public init(path: String, operation: String, reason: String) {
        self.path = path
        self.operation = operation
        self.code = 0
        self.reason = reason
    }

    /// The failure of the system call just made: reads `errno` now, so call
    /// it before anything else can change it.
    static func errno(_ path: String, _ operation: String) -> FileError {
        FileError(path: path, operation: operation, code: lastErrno)
    }

    /// `No such file or directory`, or the `reason`.
    public var message: String {
        if let reason { return reason }
        return strerror(code).map { String(cString: $0) } ?? "error \(code)"
    }

    /// True when nothing exists at the path (`ENOENT`).
    public var isNotFound: Bool { code == ENOENT }

    /// True when the failure means something already exists at the path
    /// (`EEXIST`, or `ENOTEMPTY` for a directory), as a no-replace rename reports.
    public var isAlreadyExists: Bool { code == EEXIST || code == ENOTEMPTY }

    /// `rows.jsonl: cannot open: No such file or directory`.
    public var description: String { "\(path): cannot \(operation): \(message)" }
}

/// `errno` under a name that does not clash with `FileError.errno`.
@inline(__always)
var lastErrno: Int32 { errno }
