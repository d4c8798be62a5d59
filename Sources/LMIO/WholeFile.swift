/// Reading a whole small file (a manifest, a config, a tokenizer) with a
/// size bound, so that a huge file or a device such as `/dev/zero` named by
/// mistake costs a clear error instead of all the memory.
extension FileSystem {
    /// The bytes of the regular file `path`, which must hold at most `limit`.
    ///
    /// The size is checked before reading, and reading stops one byte past
    /// the limit in case the file grows meanwhile.
    ///
    /// - Throws: `FileError` naming the path: cannot open, not a regular
    ///   file, larger than `limit`, or a read failure.
    public static func readFile(_ path: String, limit: Int) throws -> [UInt8] {
        let file = try FileDescriptor.openForReading(path)
        let size = try file.size()
        guard size <= limit else { throw tooLarge(path, limit: limit) }
        // Read into uninitialized capacity (no zero fill): one byte more than
        // the size, to notice a file that grew since `fstat`.
        var bytes = try [UInt8](unsafeUninitializedCapacity: size + 1) { buffer, count in
            while count < buffer.count {
                let rest = UnsafeMutableBufferPointer(rebasing: buffer[count...])
                let n = try file.readSome(into: UnsafeMutableRawBufferPointer(rest))
                if n == 0 { return }
                count += n
            }
        }
        guard bytes.count > size else { return bytes }
        // It grew: read on, up to one byte past the limit.
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while bytes.count <= limit {
            let n = try chunk.withUnsafeMutableBytes { try file.readSome(into: $0) }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        guard bytes.count <= limit else { throw tooLarge(path, limit: limit) }
        return bytes
    }

    private static func tooLarge(_ path: String, limit: Int) -> FileError {
        FileError(path: path, operation: "read", reason: "larger than the \(limit) bytes accepted for this file")
    }
}
