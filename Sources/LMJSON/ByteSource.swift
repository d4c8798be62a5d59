#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Anything that hands out bytes in chunks: a file, stdin, a decompressor.
///
/// Other modules add zstd and gzip sources conforming to this protocol, so
/// `LineReader` reads compressed JSONL with no intermediate copy of the
/// whole file.
public protocol ByteSource {
    /// Fills a prefix of `buffer` with the next bytes and returns how many;
    /// returns 0 only at the end of the data. May return fewer bytes than
    /// asked for at any time.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A failed file operation, naming the file and the system's reason.
public struct FileError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The path as given, or `<stdin>`.
    public let path: String
    /// What was attempted: `open` or `read`.
    public let operation: String
    /// The `errno` value reported by the system.
    public let code: Int32

    /// Creates the error (also used by other modules' sources).
    public init(path: String, operation: String, code: Int32) {
        self.path = path
        self.operation = operation
        self.code = code
    }

    /// `cannot open 'rows.jsonl': No such file or directory`.
    public var description: String {
        let reason = strerror(code).map { String(cString: $0) } ?? "error \(code)"
        return "cannot \(operation) '\(path)': \(reason)"
    }
}

/// Reads a file (or standard input) through a POSIX file descriptor.
///
/// Copies of a `FileByteSource` share one descriptor, which is closed when
/// the last copy goes away (standard input is never closed).
public struct FileByteSource: ByteSource {
    /// Owns the descriptor so that a value type can close it exactly once.
    final class Descriptor {
        let fd: Int32
        let owned: Bool
        init(fd: Int32, owned: Bool) {
            self.fd = fd
            self.owned = owned
        }
        deinit { if owned { _ = close(fd) } }
    }

    /// The path given to `init(path:)`, or `<stdin>`; used in errors.
    public let path: String
    let descriptor: Descriptor

    /// Opens `path` for reading.
    ///
    /// - Throws: `FileError` naming the path if it cannot be opened.
    public init(path: String) throws {
        var fd: Int32
        repeat { fd = open(path, O_RDONLY | O_CLOEXEC) } while fd < 0 && errno == EINTR
        guard fd >= 0 else { throw FileError(path: path, operation: "open", code: errno) }
        self.path = path
        self.descriptor = Descriptor(fd: fd, owned: true)
    }

    private init(standardInput: ()) {
        path = "<stdin>"
        descriptor = Descriptor(fd: 0, owned: false)
    }

    /// Standard input (descriptor 0), for `lmshard ... -` pipelines.
    public static func standardInput() -> FileByteSource { FileByteSource(standardInput: ()) }

    /// Reads up to `buffer.count` bytes, retrying when interrupted.
    ///
    /// - Throws: `FileError` naming the path if the read fails.
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let n = Glibc_read(descriptor.fd, base, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw FileError(path: path, operation: "read", code: errno) }
        }
    }
}

/// `read(2)`, named apart from `ByteSource.read(into:)`.
@inline(__always)
private func Glibc_read(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int {
    read(fd, p, n)
}

/// Serves bytes from memory, optionally in small chunks; for tests of
/// chunk-boundary handling and for callers that already hold the data.
public struct MemoryByteSource: ByteSource {
    /// All the bytes served.
    public let bytes: [UInt8]
    /// The most bytes handed out per `read` call.
    public let chunkSize: Int
    /// How many bytes have been served so far.
    public private(set) var position = 0

    /// Serves `bytes`, at most `chunkSize` per read.
    public init(_ bytes: [UInt8], chunkSize: Int = .max) {
        precondition(chunkSize > 0, "chunkSize must be positive")
        self.bytes = bytes
        self.chunkSize = chunkSize
    }

    /// Copies the next chunk into `buffer`.
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, chunkSize, bytes.count - position)
        guard n > 0, let dst = buffer.baseAddress else { return 0 }
        bytes.withUnsafeBytes { src in
            if let s = src.baseAddress { dst.copyMemory(from: s + position, byteCount: n) }
        }
        position += n
        return n
    }
}
