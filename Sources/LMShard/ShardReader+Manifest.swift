import LMIO

/// Opening one shard of a dataset: the manifest's entry for it against the
/// files (FORMAT.md section 7, steps 1-2). `ShardedDataset` opens every
/// shard this way, and `verify` runs exactly this before it hashes anything,
/// so a dataset that verifies clean is one every reader opens.
extension ShardReader {
    /// Checks that each of the shard's five files has the size the manifest
    /// gives, then opens it with the manifest's dtypes and `seq_len` as the
    /// longest allowed sequence and its counts as the index's (every rule of
    /// FORMAT.md sections 2-4).
    ///
    /// Sizes are compared before mapping, so a truncated file is a
    /// `sizeMismatch` naming it; LMIO maps only regular files, so a FIFO or
    /// device is a `FileError` naming it, never a blocked `open`.
    public init(directory: String, shard s: ShardSummary, manifest: DatasetManifest) throws {
        for part in ShardFile.allCases {
            let path = directory + "/" + part.fileName(shard: s.name)
            guard let size = FileSystem.fileSize(path) else { throw ShardError.missingFile(file: path) }
            guard size == s.files[part].size else {
                throw ShardError.sizeMismatch(file: path, expected: s.files[part].size, actual: size)
            }
        }
        try self.init(directory: directory, name: s.name, expectedTokenDType: manifest.tokenType,
                      expectedPositionDType: manifest.positionType, maxSequenceLength: manifest.seqLen,
                      expectedCounts: (s.sequences, s.tokens))
    }
}
