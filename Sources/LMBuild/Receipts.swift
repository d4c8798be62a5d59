import LMJSON
import LMPrep
import LMShard

/// What a reduce task reports for one reduce group, after the group's shard
/// files are in place: one JSON object per line on the reducer's stdout,
/// and the same bytes in the staging directory (`receipts/shard-NNNNN.json`).
///
/// ```json
/// {"receipt":"shard","group":3,"name":"shard-00003","sequences":N,"tokens":T,
///  "files":{"bin":{"size":..,"xxh3":".."},"idx":..,"pos":..,"mask":..,"sum":..},
///  "packing":{"documents_in":..,"tokens_in":..,...}}
/// ```
///
/// A group whose packing emitted nothing has `"name":null` and `"files":null`
/// and still reports its packing counters, so finalize can account for its
/// documents. The bytes are a function of the group's rows only: two
/// attempts of a task print identical receipts.
public struct ShardReceipt: Codable, Equatable, Sendable {
    static let kind = "shard"

    public var group: Int
    public var name: String?
    public var sequences: Int
    public var tokens: Int
    public var files: ShardFiles?
    public var packing: PackingStats

    public init(group: Int, shard: ShardSummary?, packing: PackingStats) {
        self.group = group
        name = shard?.name
        sequences = shard?.sequences ?? 0
        tokens = shard?.tokens ?? 0
        files = shard?.files
        self.packing = packing
    }

    /// The manifest's entry for the shard, if the group has one.
    public var shard: ShardSummary? {
        guard let name, let files else { return nil }
        return ShardSummary(name: name, sequences: sequences, tokens: tokens, files: files)
    }

    enum CodingKeys: String, CodingKey {
        case receipt, group, name, sequences, tokens, files, packing
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(String.self, forKey: .receipt)
        guard kind == Self.kind else {
            throw DecodingError.dataCorruptedError(
                forKey: .receipt, in: c, debugDescription: "is \(kind.debugDescription), not a shard receipt")
        }
        group = try c.decode(Int.self, forKey: .group)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        sequences = try c.decode(Int.self, forKey: .sequences)
        tokens = try c.decode(Int.self, forKey: .tokens)
        files = try c.decodeIfPresent(ShardFiles.self, forKey: .files)
        packing = try c.decode(PackingStats.self, forKey: .packing)
        guard (name == nil) == (files == nil) else {
            throw DecodingError.dataCorruptedError(forKey: .files, in: c, debugDescription: "name and files go together")
        }
    }

    /// Every key, `null` included, in a fixed order.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.kind, forKey: .receipt)
        try c.encode(group, forKey: .group)
        try c.encode(name, forKey: .name)
        try c.encode(sequences, forKey: .sequences)
        try c.encode(tokens, forKey: .tokens)
        try c.encode(files, forKey: .files)
        try c.encode(packing, forKey: .packing)
    }

    /// One line of compact JSON, newline included.
    public func line() throws -> [UInt8] { try JSONValueEncoder().encodeJSON(self) + [0x0A] }

    /// Parses one receipt line (surrounding whitespace, such as the TAB
    /// Hadoop's `TextOutputFormat` appends to a key without value, ignored).
    ///
    /// - Throws: `JSONParseError`/`JSONDecodeError`.
    public static func parse(_ bytes: [UInt8]) throws -> ShardReceipt {
        try JSONValueDecoder(rejectUnknownKeys: true).decode(ShardReceipt.self, fromJSON: bytes)
    }
}

/// What a map task records for one split (or one stretch of rows fed on
/// stdin), in the staging directory as `receipts/map-<split id>.json`:
/// finalize checks that every split was mapped and that each group's
/// documents add up to what its reducer packed.
public struct MapReceipt: Codable, Equatable, Sendable {
    static let kind = "map"

    /// A skipped row, for the summary's list of the first few.
    public struct Skipped: Codable, Equatable, Sendable {
        public var file: String
        public var line: Int?
        public var offset: Int
        public var reason: String
    }

    public var receipt = Self.kind
    /// The split id, or `stdin-FILE-OFFSET` for rows fed on stdin.
    public var split: String
    public var file: Int
    /// The bytes the receipt covers: a split's range as planned, or for
    /// stdin the offset of the first byte and one past the last byte read.
    public var start: Int64
    public var end: Int64?
    public var documentsRead: Int
    public var bytesRead: Int64
    /// `[group, documents]` pairs, ascending by group, for every group the
    /// split emitted into.
    public var emitted: [[Int]]
    public var skipped: Int
    public var firstSkipped: [Skipped]

    enum CodingKeys: String, CodingKey {
        case receipt, split, file, start, end
        case documentsRead = "documents_read"
        case bytesRead = "bytes_read"
        case emitted, skipped
        case firstSkipped = "first_skipped"
    }

    /// Documents the split emitted per group.
    var emittedByGroup: [Int: Int] {
        var out: [Int: Int] = [:]
        for pair in emitted where pair.count == 2 { out[pair[0], default: 0] += pair[1] }
        return out
    }

    /// The receipt's JSON (one line and a newline).
    func encoded() throws -> [UInt8] { try JSONValueEncoder().encodeJSON(self) + [0x0A] }

    static func parse(_ bytes: [UInt8]) throws -> MapReceipt {
        let receipt = try JSONValueDecoder(rejectUnknownKeys: true).decode(MapReceipt.self, fromJSON: bytes)
        guard receipt.receipt == kind, receipt.emitted.allSatisfy({ $0.count == 2 }) else {
            throw JSONDecodeError(kind: .invalidValue, path: "receipt", message: "not a map receipt")
        }
        return receipt
    }
}
