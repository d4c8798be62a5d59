import LMJSON
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The lines of a file descriptor, as byte arrays without the `\n`: for
/// line-at-a-time consumers such as the streaming stages. The local runner
/// reads files through `FileLineBatches` instead (no array per line).
///
/// Reads 1 MiB blocks, so a multi-GB JSONL file streams in constant memory
/// (plus the longest line). A final line without `\n` is still a line; an
/// empty file has no lines. Read errors end the sequence and are reported
/// by `error` (a `Sequence` cannot throw); callers check it after iterating.
public final class FileLines: Sequence, IteratorProtocol {
    private let fd: Int32
    private let name: String
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false
    /// Set when a read failed; the sequence ended early.
    public private(set) var error: MapReduceError?
    static let blockSize = 1 << 20

    /// Reads from `fd` (not closed by this type). `name` is used in errors.
    public init(fileDescriptor fd: Int32, name: String) {
        self.fd = fd
        self.name = name
    }

    /// The next line, or nil at the end of input.
    public func next() -> [UInt8]? {
        while true {
            if let nl = newline(from: start) {
                let line = Array(buffer[start..<nl])
                start = nl + 1
                return line
            }
            if eof {
                guard start < buffer.count else { return nil }
                let line = Array(buffer[start...])
                start = buffer.count
                return line
            }
            if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            let old = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: Self.blockSize))
            var n: Int
            do {
                n = try buffer.withUnsafeMutableBytes {
                    try posixReadSome(fd, into: UnsafeMutableRawBufferPointer(rebasing: $0[old...]), path: name)
                }
            } catch {
                self.error = error as? MapReduceError
                n = 0
            }
            buffer.removeLast(Self.blockSize - n)
            if n == 0 { eof = true }
        }
    }

    private func newline(from: Int) -> Int? {
        buffer.withUnsafeBytes { firstNewline(in: $0, from: from) }
    }
}

/// Index of the first `\n` in `bytes` at or after `from`, for both line
/// readers. `memchr` scans a word or a vector at a time; the generic
/// `firstIndex(of:)` went byte by byte.
func firstNewline(in bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
    guard from < bytes.count, let base = bytes.baseAddress,
        let hit = memchr(base + from, Int32(UInt8(ascii: "\n")), bytes.count - from)
    else { return nil }
    return UnsafeRawPointer(hit) - base
}

/// A buffered writer to a file descriptor (not closed by this type).
public final class FileSink {
    private let fd: Int32
    /// Used in error messages.
    public let name: String
    /// Bytes not yet written. Append to it directly, then call `flushIfNeeded`.
    public var buffer: [UInt8] = []
    static let flushSize = 1 << 20

    public init(fileDescriptor fd: Int32, name: String) {
        self.fd = fd
        self.name = name
        buffer.reserveCapacity(Self.flushSize + 4096)
    }

    /// Writes the buffer out once it holds 1 MiB.
    public func flushIfNeeded() throws {
        if buffer.count >= Self.flushSize { try flush() }
    }

    /// Writes everything buffered.
    public func flush() throws {
        try buffer.withUnsafeBytes { try posixWriteAll(fd, $0, path: name) }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// JSON rows as JSONL lines: the one parse and serialize entry points the
/// runners, streaming stages and CLI use (LMJSON's parser and its
/// Python-compatible compact writer, so object keys keep their order).
public enum JSONLines {
    /// Parses one line into a row.
    ///
    /// - Throws: `JSONRowError.invalidJSON` with the column (runners add the
    ///   row number).
    public static func parse(_ line: [UInt8]) throws -> JSONValue {
        try line.withUnsafeBytes { try parse($0) }
    }

    /// Parses one line, given as a view of its bytes, into a row.
    public static func parse(_ line: UnsafeRawBufferPointer) throws -> JSONValue {
        do {
            return try JSONParser.parse(line)
        } catch let error as JSONParseError {
            throw JSONRowError.invalidJSON(message: "column \(error.column): \(error.message)")
        }
    }

    /// Appends the row as compact JSON and a `\n`.
    public static func append(_ row: JSONValue, to bytes: inout [UInt8]) {
        var writer = JSONWriter(style: .compact)
        swap(&writer.bytes, &bytes)  // write in place, no copy of what is already there
        writer.write(row)
        swap(&writer.bytes, &bytes)
        bytes.append(UInt8(ascii: "\n"))
    }
}

/// A JSON row could not be parsed.
public enum JSONRowError: Error, Equatable, CustomStringConvertible {
    case invalidJSON(message: String)

    public var description: String {
        switch self {
        case .invalidJSON(let message): return "invalid JSON: \(message)"
        }
    }
}
