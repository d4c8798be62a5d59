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
        var bytes = [UInt8](repeating: 0, count: size + 1)
        var count = 0
        while true {
            if count == bytes.count {
                guard count <= limit else { throw tooLarge(path, limit: limit) }
                bytes.append(contentsOf: repeatElement(0, count: min(max(count, 4096), limit + 1 - count)))
            }
            let n = try bytes.withUnsafeMutableBytes { raw in
                try file.readSome(into: UnsafeMutableRawBufferPointer(rebasing: raw[count...]))
            }
            if n == 0 { break }
            count += n
        }
        guard count <= limit else { throw tooLarge(path, limit: limit) }
        bytes.removeLast(bytes.count - count)
        return bytes
    }

    private static func tooLarge(_ path: String, limit: Int) -> FileError {
        FileError(path: path, operation: "read", reason: "larger than the \(limit) bytes accepted for this file")
    }
}
