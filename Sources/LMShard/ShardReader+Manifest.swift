#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opening one shard of a dataset: the manifest's entry for it against the
/// files (FORMAT.md section 7, steps 1-2). `ShardedDataset` opens every
/// shard this way, and `verify` runs exactly this before it hashes anything,
/// so a dataset that verifies clean is one every reader opens.
extension ShardReader {
    /// Checks that each of the shard's five files is a regular file of the
    /// size the manifest gives, then opens it with the manifest's dtypes and
    /// `seq_len` as the longest allowed sequence and its counts as the
    /// index's (every rule of FORMAT.md sections 2-4).
    ///
    /// Sizes are compared before mapping, so a truncated file is a
    /// `sizeMismatch` naming it; non-regular files (a FIFO, a directory, a
    /// device) are refused before `open`, which would block on a FIFO.
    public init(directory: String, shard s: ShardSummary, manifest: DatasetManifest) throws {
        for part in ShardFile.allCases {
            let path = directory + "/" + part.fileName(shard: s.name)
            let size = try Self.regularFileSize(path)
            guard size == s.files[part].size else {
                throw ShardError.sizeMismatch(file: path, expected: s.files[part].size, actual: size)
            }
        }
        try self.init(directory: directory, name: s.name, expectedTokenDType: manifest.tokenType,
                      expectedPositionDType: manifest.positionType, maxSequenceLength: manifest.seqLen,
                      expectedCounts: (s.sequences, s.tokens))
    }

    /// Size of `path` after `stat` (symlinks followed); throws `missingFile`
    /// when absent and `notRegularFile` for anything but a regular file.
    static func regularFileSize(_ path: String) throws -> Int {
        var st = stat()
        guard stat(path, &st) == 0 else {
            let e = errno
            if e == ENOENT { throw ShardError.missingFile(file: path) }
            throw ShardError.io(file: path, operation: "stat", errno: e)
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw ShardError.notRegularFile(file: path) }
        return Int(st.st_size)
    }
}
