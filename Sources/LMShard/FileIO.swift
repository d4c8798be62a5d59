import CWriteback

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// POSIX file helpers shared by the writer and the manifest: buffered
/// appends, positioned writes, fsync and atomic rename. Errors carry the path.
///
/// A class because it owns a file descriptor: copies of a `ShardWriter`
/// must not close it twice.
final class BufferedFile {
    let path: String
    private let fd: Int32
    private let buffer: UnsafeMutableRawPointer
    private let capacity: Int
    private var used = 0
    /// Bytes handed to `append` so far (written or buffered).
    private(set) var size = 0
    /// Bytes written before this offset have been handed to writeback.
    private var writebackStart = 0
    private var closed = false
    /// Written bytes that start writeback (see `flush`).
    static let writebackStride = 8 << 20

    /// Creates (truncating) `path`. A 1 MiB buffer turns per-sequence appends
    /// into few large `write` calls: writing 4-byte values one syscall at a
    /// time is >100x slower.
    init(creating path: String, capacity: Int = 1 << 20) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw ShardError.io(file: path, operation: "open", errno: errno) }
        self.capacity = capacity
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        buffer.deallocate()
        if !closed { close(fd) }
    }

    /// Appends raw bytes.
    func append(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes
        while !rest.isEmpty {
            if used == capacity { try flush() }
            let n = min(capacity - used, rest.count)
            (buffer + used).copyMemory(from: rest.baseAddress!, byteCount: n)
            used += n
            size += n
            rest = UnsafeRawBufferPointer(rebasing: rest[n...])
        }
    }

    /// Appends each value truncated to `T`, little-endian. Callers have
    /// already checked that every value fits `T`.
    func append<T: FixedWidthInteger>(_ values: UnsafeBufferPointer<UInt32>, as _: T.Type) throws {
        let width = MemoryLayout<T>.size
        var i = 0
        while i < values.count {
            if capacity - used < width { try flush() }
            let n = min((capacity - used) / width, values.count - i)
            let out = buffer + used
            for k in 0..<n {
                out.storeBytes(of: T(truncatingIfNeeded: values[i + k]).littleEndian,
                               toByteOffset: k * width, as: T.self)
            }
            used += n * width
            size += n * width
            i += n
        }
    }

    /// Appends one byte per flag (0 or 1).
    func append(_ flags: UnsafeBufferPointer<Bool>) throws {
        var i = 0
        while i < flags.count {
            if used == capacity { try flush() }
            let n = min(capacity - used, flags.count - i)
            let out = (buffer + used).assumingMemoryBound(to: UInt8.self)
            for k in 0..<n { out[k] = flags[i + k] ? 1 : 0 }
            used += n
            size += n
            i += n
        }
    }

    /// Writes out the buffer, and every `writebackStride` bytes starts the
    /// disk writing them without waiting (`lmshard_start_writeback`), so
    /// `finish`'s fsync finds little left to wait for. A build's reducers
    /// waited ~0.7 s in fsync per 512 MB of input with both cores otherwise
    /// busy; the writeback now runs while they pack the next sequences.
    func flush() throws {
        var off = 0
        while off < used {
            let n = write(fd, buffer + off, used - off)
            if n < 0 {
                if errno == EINTR { continue }
                throw ShardError.io(file: path, operation: "write", errno: errno)
            }
            off += n
        }
        used = 0
        let written = size
        if written - writebackStart >= Self.writebackStride {
            // A hint only: errors surface in finish's fsync.
            _ = lmshard_start_writeback(fd, Int64(writebackStart), Int64(written - writebackStart))
            writebackStart = written
        }
    }

    /// Overwrites bytes at `offset` (already flushed) with `bytes`.
    func overwrite(_ bytes: [UInt8], at offset: Int) throws {
        try flush()
        let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
        guard n == bytes.count else { throw ShardError.io(file: path, operation: "pwrite", errno: errno) }
    }

    /// Flushes, fsyncs and closes.
    func finish() throws {
        try flush()
        guard fsync(fd) == 0 else { throw ShardError.io(file: path, operation: "fsync", errno: errno) }
        closed = true
        guard close(fd) == 0 else { throw ShardError.io(file: path, operation: "close", errno: errno) }
    }

    /// Closes without flushing (used by `abort`).
    func discard() {
        if !closed { close(fd); closed = true }
    }
}

enum FileIO {
    /// Writes `bytes` to `path` atomically: a temporary sibling, fsync,
    /// rename over `path`, fsync of the directory. Readers see the old file
    /// or the new one, never a prefix.
    static func writeAtomically(_ bytes: [UInt8], to path: String, directory: String, temporary: String) throws {
        let f = try BufferedFile(creating: temporary)
        do {
            try bytes.withUnsafeBytes { try f.append($0) }
            try f.finish()
            try rename(temporary, to: path)
            try syncDirectory(directory)
        } catch {
            f.discard()
            unlink(temporary)
            throw error
        }
    }

    /// `rename(2)` with a typed error.
    static func rename(_ from: String, to: String) throws {
        #if canImport(Glibc)
        let rc = Glibc.rename(from, to)
        #else
        let rc = Darwin.rename(from, to)
        #endif
        guard rc == 0 else { throw ShardError.io(file: from, operation: "rename", errno: errno) }
    }

    /// fsync of a directory so renames inside it survive a crash.
    static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ShardError.io(file: path, operation: "open", errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw ShardError.io(file: path, operation: "fsync", errno: errno) }
    }

    /// Size of `path`, or `nil` when it does not exist.
    static func fileSize(_ path: String) -> Int? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int(st.st_size)
    }

    /// Whole contents of a small file (manifest).
    static func readAll(_ path: String) throws -> [UInt8] {
        let m = try MappedFile(path: path)
        return Array(m.bytes)
    }

    /// Removes `path`, ignoring absence.
    static func remove(_ path: String) { unlink(path) }
}
