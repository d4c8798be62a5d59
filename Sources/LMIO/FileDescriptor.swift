#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file descriptor and the path it was opened from (for errors).
///
/// `~Copyable` because it owns the descriptor: exactly one value closes it,
/// when it goes away or through `close()`, and no copy can use it after
/// that. The standard streams are borrowed, never closed.
///
/// Every call retries `EINTR` and reports failure as a `FileError` naming
/// `path`; short reads and writes are the caller's to loop on only where a
/// method says so.
public struct FileDescriptor: ~Copyable {
    /// The descriptor; -1 once closed.
    public private(set) var rawValue: Int32
    /// Used in errors: the path opened, or `<stdin>`, `<stdout>`, `<stderr>`.
    public let path: String
    private let owned: Bool

    /// Takes ownership of `rawValue`, which this value closes.
    public init(owning rawValue: Int32, path: String) {
        self.rawValue = rawValue
        self.path = path
        self.owned = true
    }

    /// Uses `rawValue` without ever closing it.
    public init(borrowing rawValue: Int32, path: String) {
        self.rawValue = rawValue
        self.path = path
        self.owned = false
    }

    deinit {
        if owned && rawValue >= 0 { _ = Glibc_close(rawValue) }
    }

    /// Standard input, readable whatever it is (pipe, terminal, file).
    public static func standardInput() -> FileDescriptor { FileDescriptor(borrowing: 0, path: "<stdin>") }
    /// Standard output.
    public static func standardOutput() -> FileDescriptor { FileDescriptor(borrowing: 1, path: "<stdout>") }
    /// Standard error.
    public static func standardError() -> FileDescriptor { FileDescriptor(borrowing: 2, path: "<stderr>") }

    /// Closes the descriptor now, reporting what `close(2)` reports (on NFS
    /// the first sign of a failed write); later calls do nothing. A borrowed
    /// descriptor is only forgotten.
    public mutating func close() throws {
        guard rawValue >= 0 else { return }
        let fd = rawValue
        rawValue = -1
        guard owned else { return }
        // Linux closes the descriptor even when close(2) says EINTR: never retry.
        if Glibc_close(fd) != 0 && lastErrno != EINTR { throw FileError.errno(path, "close") }
    }

    // MARK: - Reading

    /// One `read(2)` into `buffer`: the bytes read, 0 only at the end of
    /// the data (or for an empty buffer). May read fewer than asked.
    public func readSome(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let n = Glibc_read(rawValue, base, buffer.count)
            if n >= 0 { return n }
            if lastErrno != EINTR { throw FileError.errno(path, "read") }
        }
    }

    /// Positioned reads (`pread(2)`) until `buffer` is full or the file
    /// ends at `offset + returned count`; the file position is unchanged.
    public func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var done = 0
        while done < buffer.count {
            let n = pread(rawValue, base + done, buffer.count - done, off_t(offset + done))
            if n == 0 { break }
            if n < 0 {
                if lastErrno == EINTR { continue }
                throw FileError.errno(path, "read")
            }
            done += n
        }
        return done
    }

    /// Moves the file position to `offset` bytes from the start
    /// (`lseek(2)`), so that reads continue there: a split of a large file
    /// is read from its first byte without reading what comes before.
    public func seek(to offset: Int) throws {
        guard lseek(rawValue, off_t(offset), SEEK_SET) == off_t(offset) else { throw FileError.errno(path, "seek") }
    }

    // MARK: - Writing

    /// Writes all of `bytes` at the file position, looping over short writes.
    public func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let n = Glibc_write(rawValue, base + done, bytes.count - done)
            if n < 0 {
                if lastErrno == EINTR { continue }
                throw FileError.errno(path, "write")
            }
            done += n
        }
    }

    /// Writes all of `bytes` at `offset` (`pwrite(2)`); the file position
    /// is unchanged.
    public func writeAll(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let n = pwrite(rawValue, base + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                if lastErrno == EINTR { continue }
                throw FileError.errno(path, "write")
            }
            done += n
        }
    }

    /// `fsync(2)`: what was written survives a crash once this returns.
    public func sync() throws {
        while fsync(rawValue) != 0 {
            if lastErrno != EINTR { throw FileError.errno(path, "fsync") }
        }
    }

    // MARK: - Status

    /// `fstat(2)`.
    public func status() throws -> stat {
        var info = stat()
        guard fstat(rawValue, &info) == 0 else { throw FileError.errno(path, "stat") }
        return info
    }

    /// Size in bytes (`st_size`).
    public func size() throws -> Int { Int(try status().st_size) }
}

/// The system calls under names that do not clash with the methods above.
@inline(__always)
func Glibc_read(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int { read(fd, p, n) }
@inline(__always)
func Glibc_write(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }
@inline(__always)
func Glibc_close(_ fd: Int32) -> Int32 { close(fd) }
