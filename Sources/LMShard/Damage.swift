/// How much of a dataset `verify` reads.
public enum VerifyMode: Equatable, Sendable {
    /// Every byte of every file, block by block.
    case all
    /// A seeded random `fraction` of the blocks of every file (each block
    /// kept when `SplitMix64` draws below `fraction`), plus every `.sum`
    /// file, every file size and the whole structure of every shard.
    case sampled(fraction: Double, seed: UInt64)
}

/// One piece of damage found by `verify`.
public struct Damage: Equatable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public enum Kind: Equatable, Sendable {
        /// The file does not exist.
        case missing
        /// The file's size differs from the manifest.
        case size(expected: Int, actual: Int)
        /// A whole-file or block hash differs.
        case checksum(expected: UInt64, actual: UInt64)
        /// The `.sum` file cannot be parsed or disagrees with the manifest.
        case unreadable(String)
        /// The shard breaks a rule of FORMAT.md sections 2-4 or disagrees
        /// with the manifest: every reader refuses to open it. The error
        /// is the one `ShardedDataset` throws.
        case structure(ShardError)
        /// `count` token ids in the checked blocks are outside
        /// `0 ..< vocabSize`; `tokenId` is the first (int32 ids are signed,
        /// so a negative id shows as negative). The byte range is its bytes.
        case tokenOutOfVocabulary(tokenId: Int64, vocabSize: Int, count: Int)
        /// `count` position ids in the checked blocks are not below
        /// `seq_len`; `position` is the first.
        case positionOutOfRange(position: UInt32, seqLen: Int, count: Int)
    }

    /// Shard name.
    public var shard: String
    /// Which file.
    public var file: ShardFile
    /// Block index, or `nil` for the whole file.
    public var block: Int?
    /// Byte range of the block (or file, or bad value) in the file.
    public var byteRange: Range<Int>?
    /// What is wrong.
    public var kind: Kind

    /// Creates a record.
    public init(shard: String, file: ShardFile, block: Int?, byteRange: Range<Int>?, kind: Kind) {
        self.shard = shard
        self.file = file
        self.block = block
        self.byteRange = byteRange
        self.kind = kind
    }

    /// `shard.file block k bytes a..<b: what is wrong`.
    public var description: String {
        var s = "\(shard).\(file.rawValue)"
        if let b = block { s += " block \(b)" }
        if let r = byteRange { s += " bytes \(r.lowerBound)..<\(r.upperBound)" }
        switch kind {
        case .missing: s += ": missing"
        case let .size(e, a): s += ": size \(a), expected \(e)"
        case let .checksum(e, a): s += ": xxh3 \(Checksum.hex(a)), expected \(Checksum.hex(e))"
        case let .unreadable(why): s += ": \(why)"
        case let .structure(error): s += ": unreadable by every reader: \(error)"
        case let .tokenOutOfVocabulary(id, vocab, count):
            s += ": token id \(id) outside the vocabulary 0..<\(vocab)"
            if count > 1 { s += " (\(count) such ids in this shard)" }
        case let .positionOutOfRange(p, seqLen, count):
            s += ": position id \(p) not below seq_len \(seqLen)"
            if count > 1 { s += " (\(count) such positions in this shard)" }
        }
        return s
    }
}

/// Result of `verify`.
public struct VerifyReport: Equatable, Sendable {
    /// Everything found, in shard, file, block order.
    public var damage: [Damage]
    /// Shards whose whole structure was checked (every shard with its four
    /// data files present at the manifest's sizes).
    public var shardsChecked: Int
    /// Blocks hashed.
    public var blocksChecked: Int
    /// Bytes hashed.
    public var bytesChecked: Int
    /// Token ids compared with `vocab_size` (those in the `.bin` blocks
    /// hashed clean).
    public var tokensChecked: Int

    /// Creates an empty report.
    public init() {
        damage = []
        shardsChecked = 0
        blocksChecked = 0
        bytesChecked = 0
        tokensChecked = 0
    }

    /// True when nothing is damaged.
    public var isClean: Bool { damage.isEmpty }
}
