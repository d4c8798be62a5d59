#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only, private memory map of a whole file: the one place LMShard
/// touches `mmap`. Readers see it only as an `UnsafeRawBufferPointer`
/// through `withUnsafeBytes`-style accessors on the types built on top.
///
/// Reference type so the mapping lives exactly as long as the last reader
/// that holds it (unmapped in `deinit`).
final class MappedFile: @unchecked Sendable {
    /// The file's path, for error messages.
    let path: String
    /// The mapped bytes (empty for a zero-length file: `mmap` rejects length 0).
    let bytes: UnsafeRawBufferPointer

    /// Maps `path` with `PROT_READ`, `MAP_PRIVATE`.
    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            let e = errno
            if e == ENOENT { throw ShardError.missingFile(file: path) }
            throw ShardError.io(file: path, operation: "open", errno: e)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ShardError.io(file: path, operation: "fstat", errno: errno) }
        let size = Int(st.st_size)
        if size == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw ShardError.io(file: path, operation: "mmap", errno: errno)
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }

    /// Size of the file in bytes.
    var count: Int { bytes.count }
}
