/// On-disk constants of the lmshard dataset format, version 1.
///
/// FORMAT.md at the repository root is the normative description; every
/// constant here names the section it implements. A dataset directory holds
/// `manifest.json` plus, per shard `NAME`, five files:
///
/// | file        | contents                                              |
/// |-------------|-------------------------------------------------------|
/// | `NAME.bin`  | token ids, Megatron-LM MMIDIDX data file (no header)   |
/// | `NAME.idx`  | Megatron-LM MMIDIDX index, version 1                  |
/// | `NAME.pos`  | position ids, plane header + one value per token      |
/// | `NAME.mask` | loss mask, plane header + one byte (0/1) per token    |
/// | `NAME.sum`  | XXH3-64 of each of the four files and of their blocks |
///
/// All integers on disk are little-endian.
public enum Format {
    /// Name written in the manifest's `format` field.
    public static let name = "lmshard"
    /// Version of the whole format (manifest, plane headers, checksum file).
    public static let version = 1
    /// Manifest file name inside a dataset directory.
    public static let manifestFileName = "manifest.json"
    /// Default checksum block size: 1 MiB. Verifying one block means reading
    /// and hashing 1 MiB (~0.1 ms at XXH3's ~10 GB/s), small next to a disk
    /// seek, while the `.sum` file stays at 8 bytes per MiB (0.0008 %).
    public static let defaultBlockSize = 1 << 20

    /// Megatron-LM `.idx` layout (`megatron/core/datasets/indexed_dataset.py`).
    public enum Index {
        /// 9-byte magic at offset 0: `MMIDIDX\0\0`.
        public static let magic: [UInt8] = Array("MMIDIDX".utf8) + [0, 0]
        /// u64 at offset 9: Megatron's index version, always 1.
        public static let version: UInt64 = 1
        /// Offset of the u64 version.
        public static let versionOffset = 9
        /// Offset of the u8 token dtype code (`TokenDType.rawValue`).
        public static let dtypeOffset = 17
        /// Offset of the u64 sequence count N.
        public static let sequenceCountOffset = 18
        /// Offset of the u64 document count (N + 1: Megatron stores document
        /// boundaries as a prefix array starting with 0).
        public static let documentCountOffset = 26
        /// Offset of the arrays: N x int32 lengths (tokens), N x int64 byte
        /// pointers into `.bin`, (N + 1) x int64 document indices.
        public static let headerSize = 34

        /// Exact `.idx` size for `n` sequences, each its own document:
        /// `34 + 20n + 8`; `nil` when `n` is negative or the size overflows
        /// `Int` (`n` comes from files, so this must not trap).
        public static func fileSize(sequenceCount n: Int) -> Int? {
            guard n >= 0 else { return nil }
            let (arrays, o1) = n.multipliedReportingOverflow(by: 4 + 8 + 8)
            let (size, o2) = arrays.addingReportingOverflow(headerSize + 8)
            return o1 || o2 ? nil : size
        }
    }

    /// Header shared by the position plane (`.pos`) and loss-mask plane (`.mask`).
    public enum Plane {
        /// 8-byte magic at offset 0 of a `.pos` file.
        public static let positionMagic: [UInt8] = Array("LMSHPOS".utf8) + [0]
        /// 8-byte magic at offset 0 of a `.mask` file.
        public static let maskMagic: [UInt8] = Array("LMSHMSK".utf8) + [0]
        /// u32 at offset 8: plane format version.
        public static let version: UInt32 = 1
        /// Offset of the u32 version.
        public static let versionOffset = 8
        /// Offset of the u8 element code: bits per element (8, 16 or 32).
        public static let dtypeOffset = 12
        /// Offsets 13..<16 are reserved and must be zero.
        public static let reservedRange = 13..<16
        /// Offset of the u64 element count (total tokens of the shard).
        public static let elementCountOffset = 16
        /// Offset of the u64 sequence count (must equal the `.idx` count).
        public static let sequenceCountOffset = 24
        /// Data starts here; 32 keeps uint32 elements naturally aligned.
        public static let headerSize = 32
    }

    /// The per-shard checksum file (`.sum`).
    public enum Checksums {
        /// 8-byte magic at offset 0.
        public static let magic: [UInt8] = Array("LMSHSUM".utf8) + [0]
        /// u32 at offset 8: checksum file version.
        public static let version: UInt32 = 1
        /// Offset of the u32 version.
        public static let versionOffset = 8
        /// Offset of the u32 file count (always 4: bin, idx, pos, mask).
        public static let fileCountOffset = 12
        /// Offset of the u64 block size in bytes.
        public static let blockSizeOffset = 16
        /// Offset of the file table: `fileCount` entries of `entrySize` bytes.
        public static let tableOffset = 24
        /// One table entry: u64 file size, u64 XXH3-64 of the whole file,
        /// u64 block count, u64 byte offset (in `.sum`) of its block hashes.
        public static let entrySize = 32
        /// Number of files covered, in `ShardFile.checksummed` order.
        public static let fileCount = 4
        /// XXH3 seed used for every hash in the format.
        public static let seed: UInt64 = 0
    }
}

/// Token dtype of a shard's `.bin`, coded as in Megatron-LM's `DType` enum.
public enum TokenDType: UInt8, Sendable, CaseIterable, Codable {
    /// Megatron code 8: every token id < 65536.
    case uint16 = 8
    /// Megatron code 4: ids up to 2^31 - 1 (Megatron has no uint32).
    case int32 = 4

    /// Bytes per token.
    public var size: Int { self == .uint16 ? 2 : 4 }
    /// Largest token id this dtype stores.
    public var maxValue: UInt32 { self == .uint16 ? UInt32(UInt16.max) : UInt32(Int32.max) }
    /// The smallest dtype that holds every id of a vocabulary of `vocabSize` ids.
    public static func forVocabulary(size vocabSize: Int) -> TokenDType {
        vocabSize <= 1 << 16 ? .uint16 : .int32
    }
    /// numpy-style name, used in the manifest.
    public var name: String { self == .uint16 ? "uint16" : "int32" }
}

/// Element type of the position plane; the header stores bits per element.
public enum PositionDType: UInt8, Sendable, CaseIterable, Codable {
    /// 16-bit positions: enough whenever `seq_len <= 65536` (positions < seq_len).
    case uint16 = 16
    /// 32-bit positions for longer contexts.
    case uint32 = 32

    /// Bytes per position.
    public var size: Int { self == .uint16 ? 2 : 4 }
    /// Largest position this dtype stores.
    public var maxValue: UInt32 { self == .uint16 ? UInt32(UInt16.max) : UInt32.max }
    /// The smallest dtype for sequences of at most `seqLen` tokens.
    public static func forSequenceLength(_ seqLen: Int) -> PositionDType {
        seqLen <= 1 << 16 ? .uint16 : .uint32
    }
    /// numpy-style name, used in the manifest.
    public var name: String { self == .uint16 ? "uint16" : "uint32" }
}

/// Element code of the loss-mask plane: one byte per token, 0 or 1.
public enum MaskDType {
    /// Bits per element written in the `.mask` header.
    public static let uint8Code: UInt8 = 8
    /// numpy-style name, used in the manifest.
    public static let name = "uint8"
}

/// The files of one shard.
public enum ShardFile: String, Sendable, CaseIterable, Codable {
    /// Token ids (Megatron data file).
    case bin
    /// Megatron index.
    case idx
    /// Position-id plane.
    case pos
    /// Loss-mask plane.
    case mask
    /// Block checksums of the four files above.
    case sum

    /// The four files covered by the `.sum` table, in table order.
    public static let checksummed: [ShardFile] = [.bin, .idx, .pos, .mask]

    /// File name of this part of shard `shard`.
    public func fileName(shard: String) -> String { "\(shard).\(rawValue)" }
    /// Temporary name used while the writer is running: `.NAME.EXT.tmp`, or
    /// `.NAME.ATTEMPT.EXT.tmp` for one attempt of a distributed reduce task,
    /// so two attempts writing the same shard at once never share a file.
    public func temporaryName(shard: String, attempt: String? = nil) -> String {
        guard let attempt else { return ".\(shard).\(rawValue).tmp" }
        return ".\(shard).\(attempt).\(rawValue).tmp"
    }
}
