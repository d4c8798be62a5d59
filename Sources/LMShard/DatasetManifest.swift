import Foundation
import LMIO
import LMJSON

/// `manifest.json`: the dataset's table of contents, written last.
///
/// A directory without a manifest is not a dataset: shard writers stream
/// into it first and the manifest is renamed into place only when every
/// shard is complete, so a crash never leaves a readable half-dataset.
/// Keys are snake_case on disk (FORMAT.md, "Manifest").
public struct DatasetManifest: Codable, Equatable, Sendable {
    /// Which tokenizer produced the ids.
    public struct Tokenizer: Codable, Equatable, Sendable {
        /// Human-readable name (e.g. a Hugging Face repo id).
        public var name: String
        /// SHA-256 of the `tokenizer.json` bytes, 64 lowercase hex digits.
        public var sha256: String

        /// Creates an identity.
        public init(name: String, sha256: String) {
            self.name = name
            self.sha256 = sha256
        }
    }

    /// How checksums were computed.
    public struct ChecksumInfo: Codable, Equatable, Sendable {
        /// Always `xxh3-64` in version 1.
        public var algorithm: String
        /// Block size of the `.sum` block hashes.
        public var blockSize: Int

        /// Creates the record.
        public init(algorithm: String = "xxh3-64", blockSize: Int) {
            self.algorithm = algorithm
            self.blockSize = blockSize
        }

        enum CodingKeys: String, CodingKey {
            case algorithm
            case blockSize = "block_size"
        }
    }

    /// Sums over all shards.
    public struct Totals: Codable, Equatable, Sendable {
        /// Number of shards.
        public var shards: Int
        /// Number of sequences.
        public var sequences: Int
        /// Number of tokens.
        public var tokens: Int
        /// Bytes of all shard files (manifest excluded).
        public var bytes: Int
    }

    /// Always `Format.name`.
    public var format: String
    /// Always `Format.version`.
    public var formatVersion: Int
    /// Tokenizer identity.
    public var tokenizer: Tokenizer
    /// Vocabulary size; every token id is `< vocabSize`.
    public var vocabSize: Int
    /// End-of-sequence id, if the tokenizer has one.
    public var eosId: Int?
    /// Padding id, if the tokenizer has one.
    public var padId: Int?
    /// Packed sequence length (the longest stored sequence has at most this many tokens).
    public var seqLen: Int
    /// Token dtype name (`uint16` or `int32`).
    public var tokenDType: String
    /// Position dtype name (`uint16` or `uint32`).
    public var positionDType: String
    /// Loss-mask dtype name (`uint8`).
    public var lossMaskDType: String
    /// Checksum algorithm and block size.
    public var checksum: ChecksumInfo
    /// The full preparation config, verbatim.
    public var config: JSONValue
    /// Shards in global sequence order.
    public var shards: [ShardSummary]
    /// Dataset totals.
    public var totals: Totals

    enum CodingKeys: String, CodingKey {
        case format
        case formatVersion = "format_version"
        case tokenizer
        case vocabSize = "vocab_size"
        case eosId = "eos_id"
        case padId = "pad_id"
        case seqLen = "seq_len"
        case tokenDType = "token_dtype"
        case positionDType = "position_dtype"
        case lossMaskDType = "loss_mask_dtype"
        case checksum, config, shards, totals
    }

    /// Builds a manifest for finished shards; dtypes follow from `vocabSize`
    /// and `seqLen`, totals are summed here.
    public init(tokenizer: Tokenizer, vocabSize: Int, eosId: Int?, padId: Int?, seqLen: Int,
                config: JSONValue, shards: [ShardSummary], blockSize: Int = Format.defaultBlockSize) {
        format = Format.name
        formatVersion = Format.version
        self.tokenizer = tokenizer
        self.vocabSize = vocabSize
        self.eosId = eosId
        self.padId = padId
        self.seqLen = seqLen
        tokenDType = TokenDType.forVocabulary(size: vocabSize).name
        positionDType = PositionDType.forSequenceLength(seqLen).name
        lossMaskDType = MaskDType.name
        checksum = ChecksumInfo(blockSize: blockSize)
        self.config = config
        self.shards = shards
        let bytes = shards.reduce(0) { acc, s in ShardFile.allCases.reduce(acc) { $0 + s.files[$1].size } }
        totals = Totals(shards: shards.count, sequences: shards.reduce(0) { $0 + $1.sequences },
                        tokens: shards.reduce(0) { $0 + $1.tokens }, bytes: bytes)
    }

    /// Explicit `null` for absent ids, so every key is always present.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(format, forKey: .format)
        try c.encode(formatVersion, forKey: .formatVersion)
        try c.encode(tokenizer, forKey: .tokenizer)
        try c.encode(vocabSize, forKey: .vocabSize)
        try c.encode(eosId, forKey: .eosId)
        try c.encode(padId, forKey: .padId)
        try c.encode(seqLen, forKey: .seqLen)
        try c.encode(tokenDType, forKey: .tokenDType)
        try c.encode(positionDType, forKey: .positionDType)
        try c.encode(lossMaskDType, forKey: .lossMaskDType)
        try c.encode(checksum, forKey: .checksum)
        try c.encode(config, forKey: .config)
        try c.encode(shards, forKey: .shards)
        try c.encode(totals, forKey: .totals)
    }

    /// The token dtype, validated.
    public var tokenType: TokenDType { TokenDType.forVocabulary(size: vocabSize) }
    /// The position dtype, validated.
    public var positionType: PositionDType { PositionDType.forSequenceLength(seqLen) }

    /// Serialized form: UTF-8 JSON as Python's `json.dumps(indent=2)`
    /// writes it, keys in declaration order (the config in its own order),
    /// plus a trailing newline. Byte-for-byte reproducible, unlike
    /// Foundation's `JSONEncoder`, whose key order follows hash seeds.
    public func encoded() throws -> [UInt8] {
        try JSONValueEncoder().encodeJSON(self, style: .pretty) + [0x0A]
    }

    /// Validates, then writes `manifest.json` atomically (temporary file
    /// `.manifest.json.tmp`, fsync, rename, directory fsync).
    public func write(to directory: URL) throws {
        try validate(file: Format.manifestFileName)
        let dir = directory.path
        let file = try AtomicFileWriter(
            path: dir + "/" + Format.manifestFileName, temporaryPath: dir + "/." + Format.manifestFileName + ".tmp")
        try file.output.write(try encoded())
        try file.commit()
    }

    /// The largest manifest read: ~1 KB per shard, so 256 MiB is far beyond
    /// any real dataset, while a wrong file (or `/dev/zero`) is refused
    /// before it can fill memory.
    public static let maximumFileSize = 256 << 20

    /// Reads and strictly validates `directory/manifest.json` (a regular
    /// file of at most `maximumFileSize` bytes: a FIFO or device is refused
    /// before it can block or fill memory).
    public static func read(from directory: URL) throws -> DatasetManifest {
        let path = directory.appendingPathComponent(Format.manifestFileName).path
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readFile(path, limit: maximumFileSize)
        } catch let error as FileError where error.isNotFound {
            throw ShardError.missingFile(file: path)
        }
        return try decode(bytes, file: path)
    }

    /// Parses and strictly validates manifest bytes; `file` names them in errors.
    public static func decode(_ bytes: [UInt8], file path: String) throws -> DatasetManifest {
        let m: DatasetManifest
        do {
            // Unknown keys are errors: a newer writer's field must come with a new format_version.
            m = try JSONValueDecoder(rejectUnknownKeys: true).decode(DatasetManifest.self, fromJSON: bytes)
        } catch let e as JSONDecodeError {
            throw ShardError.badManifest(file: path, field: e.path, reason: e.message)
        } catch let e as JSONParseError {
            throw ShardError.badManifest(file: path, field: "", reason: "invalid JSON at byte \(e.offset): \(e.message)")
        }
        try m.validate(file: path)
        return m
    }
}
