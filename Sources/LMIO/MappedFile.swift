#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only, private memory map of a whole regular file: the one place
/// lmshard calls `mmap`. Readers reach the bytes through `unsafeBytes`,
/// valid as long as this object lives.
///
/// A class so that the mapping lives exactly as long as the last reader
/// holding it (unmapped in `deinit`). Only regular files are mapped: a FIFO
/// or device given as a shard file fails at once (see
/// `FileDescriptor.openForReading`). `@unchecked Sendable`: immutable after
/// `init`, and the mapping is read-only.
public final class MappedFile: @unchecked Sendable {
    /// The file's path, for error messages.
    public let path: String
    /// The mapped bytes (empty for a zero-length file: `mmap` rejects
    /// length 0). Raw memory: do not keep a pointer beyond this object.
    public let unsafeBytes: UnsafeRawBufferPointer

    /// Maps `path` with `PROT_READ`, `MAP_PRIVATE`.
    ///
    /// - Throws: `FileError` (`ENOENT` when missing, not a regular file, or
    ///   the `mmap` failure).
    public init(path: String) throws {
        self.path = path
        let file = try FileDescriptor.openForReading(path)
        let size = try file.size()
        if size == 0 {
            unsafeBytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, file.rawValue, 0), base != MAP_FAILED else {
            throw FileError.errno(path, "map")
        }
        unsafeBytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let base = unsafeBytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), unsafeBytes.count) }
    }

    /// Size of the file in bytes.
    public var count: Int { unsafeBytes.count }
}
