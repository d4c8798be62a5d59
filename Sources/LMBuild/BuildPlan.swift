import Foundation
import LMIO
import LMJSON
import LMShard

/// What a build (or a `lmshard run` streaming job) will do, fixed before
/// any row is read, and the file every stage of a distributed build reads:
/// the exact config, the tokenizer's identity, the inputs in the build's
/// order and how they are cut into splits, and where shards are staged.
///
/// `plan_id` names the work, not the moment: it is a hash of the config,
/// the tokenizer's SHA-256, every input's path, size and modification time,
/// the split size and `skip_bad_rows`, so planning the same build twice
/// gives the same id, the same staging directory, and a rerun reuses what
/// an earlier run finished; a changed input or setting gives a new id.
///
/// Paths are absolute (stages run in other working directories); each
/// file's `name` is the path as the user gave it, for messages.
public struct BuildPlan: Codable, Equatable, Sendable {
    /// The plan format this code writes and reads.
    public static let currentVersion = 1
    /// `kind` of a `lmshard build` plan.
    public static let buildKind = "build"
    /// `kind` of a `lmshard run` plan (no tokenizer, output or staging).
    public static let runKind = "run"
    /// The split size when none is given: large enough that a split's
    /// start-up (a process, loading the tokenizer) is small next to its
    /// work, small enough for tens of map tasks on 10 GB.
    public static let defaultSplitBytes = 128 << 20

    public var planVersion: Int
    public var planID: String
    public var kind: String
    /// When the plan was made (seconds since 1970), for the elapsed time in
    /// the summary; not part of `plan_id`.
    public var createdAt: Double
    /// The merged config, exactly as the manifest will record it.
    public var config: JSONValue
    public var tokenizer: PlanTokenizer?
    public var files: [PlanFile]
    public var splits: [PlanSplit]
    public var splitBytes: Int
    public var numReduceChunks: Int?
    public var skipBadRows: Bool
    public var overwrite: Bool
    /// The dataset directory to create, absolute.
    public var output: String?
    /// The hidden directory next to `output` that stages write into, absolute.
    public var staging: String?

    enum CodingKeys: String, CodingKey {
        case planVersion = "plan_version"
        case planID = "plan_id"
        case kind
        case createdAt = "created_at"
        case config, tokenizer, files, splits
        case splitBytes = "split_bytes"
        case numReduceChunks = "num_reduce_chunks"
        case skipBadRows = "skip_bad_rows"
        case overwrite, output, staging
    }

    /// The largest plan file read: ~150 bytes per split and file.
    public static let maximumFileSize = 256 << 20

    /// Reads and checks `path`.
    ///
    /// - Throws: `FileError`, or `BuildError.plan` for a file that is not a
    ///   plan of this version (with the field at fault).
    public static func read(_ path: String) throws -> BuildPlan {
        let bytes = try FileSystem.readFile(path, limit: maximumFileSize)
        let plan: BuildPlan
        do {
            plan = try JSONValueDecoder(rejectUnknownKeys: true).decode(BuildPlan.self, fromJSON: bytes)
        } catch let error as JSONDecodeError {
            throw BuildError.plan(file: path, message: "\(error.path.isEmpty ? "" : error.path + ": ")\(error.message)")
        } catch let error as JSONParseError {
            throw BuildError.plan(file: path, message: "invalid JSON at byte \(error.offset): \(error.message)")
        }
        try plan.check(file: path)
        return plan
    }

    /// The plan as written: pretty JSON and a newline.
    public func encoded() throws -> [UInt8] {
        try JSONValueEncoder().encodeJSON(self, style: .pretty) + [0x0A]
    }

    /// Writes the plan to `path` atomically (temporary file, fsync, rename).
    public func write(to path: String) throws {
        try AtomicFile.write(try encoded(), to: path)
    }

    /// The checks a stage relies on before trusting the plan's numbers.
    func check(file: String) throws {
        func bad(_ message: String) -> BuildError { .plan(file: file, message: message) }
        guard planVersion == Self.currentVersion else {
            throw bad("plan_version \(planVersion) is not \(Self.currentVersion); make the plan with this lmshard")
        }
        guard kind == Self.buildKind || kind == Self.runKind else { throw bad("kind \(kind.debugDescription) is unknown") }
        if kind == Self.buildKind {
            guard tokenizer != nil, output != nil, staging != nil, let chunks = numReduceChunks, chunks >= 1 else {
                throw bad("a build plan needs tokenizer, output, staging and num_reduce_chunks")
            }
        }
        for (i, f) in files.enumerated() where f.index != i {
            throw bad("files[\(i)] has index \(f.index)")
        }
        var ids = Set<String>()
        for s in splits {
            guard s.file >= 0 && s.file < files.count else { throw bad("split \(s.id) names file \(s.file)") }
            guard PlanSplit.isValidID(s.id), ids.insert(s.id).inserted else {
                throw bad("split id \(s.id.debugDescription) is not a unique split id")
            }
            guard s.start >= 0, (s.end ?? s.start) >= s.start else { throw bad("split \(s.id) has a bad range") }
        }
    }

    /// The split with `id`.
    public func split(_ id: String) -> PlanSplit? { splits.first { $0.id == id } }

    /// The file name of a plan file as messages show it.
    func name(ofFile index: Int) -> String { files[index].name }
}

/// The tokenizer a build plan was made with.
public struct PlanTokenizer: Codable, Equatable, Sendable {
    /// `tokenizer_name` as given (the manifest records it).
    public var name: String
    /// The `tokenizer.json` the plan stage loaded, absolute: what a driver
    /// ships to executors (with its sibling `tokenizer_config.json`).
    public var path: String
    public var sha256: String
    public var vocabSize: Int
    public var eosID: Int?
    /// The manifest's `pad_id`: the padding id for `no_incomplete` packing, else null.
    public var padID: Int?

    enum CodingKeys: String, CodingKey {
        case name, path, sha256
        case vocabSize = "vocab_size"
        case eosID = "eos_id"
        case padID = "pad_id"
    }
}

/// One input file of a plan.
public struct PlanFile: Codable, Equatable, Sendable {
    public var index: Int
    /// Absolute path (`<stdin>` for standard input).
    public var path: String
    /// As the user named it, for messages.
    public var name: String
    /// `jsonl`, `jsonl.zst`, `jsonl.gz` or `text` (`InputFile.Format`).
    public var format: String
    /// Size on disk in bytes; nil for stdin.
    public var size: Int64?
    /// Modification time in nanoseconds since 1970; nil for stdin.
    public var mtimeNs: Int64?

    enum CodingKeys: String, CodingKey {
        case index, path, name, format, size
        case mtimeNs = "mtime_ns"
    }

    var inputFormat: InputFile.Format? { InputFile.Format(rawValue: format) }
}

/// A piece of one input that one map task reads: the rows of `file` whose
/// first byte lies in `start..<end` (`end` nil: to the end of the file).
/// Plain JSONL files are cut into byte ranges; a compressed or text file is
/// one split.
public struct PlanSplit: Codable, Equatable, Sendable {
    public var id: String
    public var file: Int
    public var start: Int64
    public var end: Int64?

    /// Six or more digits: the split's index, zero-padded so that ids sort
    /// like indices.
    static func id(_ index: Int) -> String {
        let digits = String(index)
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// Split ids become file names (`map-ID.json`): digits only.
    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 20 && id.utf8.allSatisfy { (0x30...0x39).contains($0) }
    }

    /// Whether the split owns a row starting at `offset`.
    func owns(offset: Int64) -> Bool { offset >= start && end.map { offset < $0 } ?? true }
}
