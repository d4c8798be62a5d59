import LMIO

/// One shard opened for reading: the four data files memory-mapped and every
/// header, count and offset validated before any of it is trusted.
///
/// After `init` succeeds, `withSequence(at:)` cannot read out of bounds:
/// lengths were checked non-negative, pointers contiguous from 0, and the
/// sum of lengths against the sizes of `.bin`, `.pos` and `.mask`.
/// (A file truncated by another process *after* opening can still raise
/// SIGBUS, as with any memory map; `verify` re-checks sizes first.)
///
/// `@unchecked Sendable`: immutable after `init` (the maps are read-only
/// and never unmapped while a reader holds them), so any number of threads
/// may read through it at once.
public struct ShardReader: @unchecked Sendable {
    /// Shard name (file stem).
    public let name: String
    /// Token dtype from the `.idx` header.
    public let tokenDType: TokenDType
    /// Position dtype from the `.pos` header.
    public let positionDType: PositionDType
    /// Number of sequences.
    public let sequenceCount: Int
    /// Number of tokens.
    public let tokenCount: Int
    let bin: MappedFile
    let idx: MappedFile
    let pos: MappedFile
    let mask: MappedFile
    /// Where each sequence starts, as validated here: reads never go back
    /// to the mapped index, which another process could change under the map.
    let starts: SequenceStarts

    /// Opens `directory/NAME.{bin,idx,pos,mask}` and checks every rule of
    /// FORMAT.md sections 2-4 (see `ShardReader+Validation.swift`). When
    /// `expected` dtypes are given (from the manifest) the headers must match
    /// them; when `maxSequenceLength` is given (the manifest's `seq_len`) no
    /// sequence may be longer; `expectedCounts` (the manifest's) must be the
    /// index's sequence count and sum of lengths.
    ///
    /// `ShardReader(directory:shard:manifest:)` adds the manifest's own
    /// cross-checks; datasets should be opened through it (or through
    /// `ShardedDataset`), which is what `verify` runs too.
    public init(directory: String, name: String, expectedTokenDType: TokenDType? = nil,
                expectedPositionDType: PositionDType? = nil, maxSequenceLength: Int? = nil,
                expectedCounts: (sequences: Int, tokens: Int)? = nil) throws {
        self.name = name
        func path(_ p: ShardFile) -> String { directory + "/" + p.fileName(shard: name) }
        idx = try Self.map(path(.idx))
        bin = try Self.map(path(.bin))
        pos = try Self.map(path(.pos))
        mask = try Self.map(path(.mask))

        let index = try Self.checkIndex(idx, expectedTokenDType: expectedTokenDType,
                                        maxSequenceLength: maxSequenceLength, expectedCounts: expectedCounts)
        tokenDType = index.tokenDType
        sequenceCount = index.sequenceCount
        tokenCount = index.tokenCount
        starts = index.starts
        try Self.checkBin(bin, index: index)
        positionDType = try Self.checkPositions(pos, index: index, expected: expectedPositionDType)
        try Self.checkMask(mask, index: index)
    }

    /// Maps a shard file; a missing one is `ShardError.missingFile` (LMIO
    /// refuses anything but a regular file with a `FileError`).
    static func map(_ path: String) throws -> MappedFile {
        do {
            return try MappedFile(path: path)
        } catch let error as FileError where error.isNotFound {
            throw ShardError.missingFile(file: path)
        }
    }

    /// The planes' addresses as a trivial value (see `ShardPlanes`).
    var planes: ShardPlanes {
        ShardPlanes(sequenceCount: sequenceCount, tokenDType: tokenDType, positionDType: positionDType,
                    starts: UnsafeBufferPointer(starts.unsafeOffsets), bin: bin.unsafeBytes, pos: pos.unsafeBytes,
                    mask: mask.unsafeBytes)
    }

    /// Token offset (in elements) and length of sequence `i`. O(1).
    func span(_ i: Int) -> (start: Int, count: Int) { planes.span(i) }

    /// Length in tokens of local sequence `i`. O(1).
    public func length(of i: Int) -> Int { span(i).count }

    /// Calls `body` with zero-copy views of local sequence `i`: tokens,
    /// positions and loss mask (one byte per token, nonzero = compute loss).
    /// The views point into the memory maps and must not escape `body`.
    public func withSequence<R>(at i: Int, _ body: (UnsafeIntegerView, UnsafeIntegerView, UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try planes.withSequence(at: i, body)
    }
}
