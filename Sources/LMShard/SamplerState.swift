import LMJSON

/// Where a `BatchSampler` is in its stream of batches: what a training
/// checkpoint saves to resume mid-epoch (FORMAT.md section 8).
///
/// The same fields, names and meaning as the Python sampler's `state_dict()`,
/// so a run can resume on either side: `{"format": "lmshard.sampler",
/// "version": 1, "count", "batch_size", "world_size", "shuffle", "drop_last",
/// "seed", "epoch", "position"}`. `position` counts this epoch's batches
/// already delivered; the state is the same on every rank (rank is not saved).
public struct SamplerState: Equatable, Sendable {
    /// `"lmshard.sampler"`.
    public static let format = "lmshard.sampler"
    /// Version of this layout.
    public static let version = 1

    /// Sequences in the dataset.
    public var count: Int
    /// Sequences per batch on one rank.
    public var batchSize: Int
    /// Number of trainers.
    public var worldSize: Int
    /// Whether epochs are shuffled.
    public var shuffle: Bool
    /// Whether the incomplete last global batch is dropped.
    public var dropLast: Bool
    /// Shuffle seed; below 2^63 so every JSON reader holds it exactly.
    public var seed: UInt64
    /// Current epoch.
    public var epoch: Int
    /// Batches of `epoch` already delivered, `0...batchesPerEpoch`.
    public var position: Int

    /// Creates a state.
    public init(count: Int, batchSize: Int, worldSize: Int, shuffle: Bool, dropLast: Bool, seed: UInt64,
                epoch: Int, position: Int) {
        self.count = count
        self.batchSize = batchSize
        self.worldSize = worldSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed
        self.epoch = epoch
        self.position = position
    }

    /// The state as a JSON object, keys in the order above. Throws for a seed of
    /// 2^63 or more, which a JSON integer cannot carry to every reader.
    public func json() throws(SamplerStateError) -> JSONValue {
        guard seed < 1 << 63 else { throw .badField("seed", value: "\(seed)", expected: "below 2^63") }
        return .object(JSONObject([
            ("format", .string(Self.format)), ("version", .int(Int64(Self.version))),
            ("count", .int(Int64(count))), ("batch_size", .int(Int64(batchSize))),
            ("world_size", .int(Int64(worldSize))), ("shuffle", .bool(shuffle)), ("drop_last", .bool(dropLast)),
            ("seed", .int(Int64(seed))), ("epoch", .int(Int64(epoch))),
            ("position", .int(Int64(position))),
        ]))
    }

    /// Reads a state written by either side; throws naming the first bad field.
    public init(json: JSONValue) throws(SamplerStateError) {
        guard case let .object(o) = json else { throw .notAnObject }
        func int(_ key: String, min: Int64) throws(SamplerStateError) -> Int64 {
            guard let v = o[key] else { throw .missingField(key) }
            guard case let .int(i) = v, i >= min else {
                throw .badField(key, value: v.serialized(), expected: "an integer >= \(min)")
            }
            return i
        }
        func bool(_ key: String) throws(SamplerStateError) -> Bool {
            guard let v = o[key] else { throw .missingField(key) }
            guard case let .bool(b) = v else { throw .badField(key, value: v.serialized(), expected: "true or false") }
            return b
        }
        guard let f = o["format"] else { throw .missingField("format") }
        guard f == .string(Self.format) else {
            throw .badField("format", value: f.serialized(), expected: "\"\(Self.format)\"")
        }
        let version = try int("version", min: 0)
        guard version == Int64(Self.version) else { throw .badField("version", value: "\(version)", expected: "\(Self.version)") }
        self.init(count: Int(try int("count", min: 0)), batchSize: Int(try int("batch_size", min: 1)),
                  worldSize: Int(try int("world_size", min: 1)), shuffle: try bool("shuffle"),
                  dropLast: try bool("drop_last"), seed: UInt64(try int("seed", min: 0)),
                  epoch: Int(try int("epoch", min: 0)), position: Int(try int("position", min: 0)))
    }
}

extension BatchSampler {
    /// This sampler's state at `epoch` after `position` delivered batches.
    public func state(epoch: Int, position: Int) -> SamplerState {
        SamplerState(count: count, batchSize: batchSize, worldSize: worldSize, shuffle: shuffle, dropLast: dropLast,
                     seed: seed, epoch: epoch, position: position)
    }

    /// The sampler that saved `state`, for this `rank` (the state is the same on every rank).
    /// Throws when the state is out of range (`position` beyond the epoch, `seed >= 2^63`).
    public init(resuming state: SamplerState, rank: Int = 0) throws(SamplerStateError) {
        guard rank >= 0, rank < state.worldSize else {
            throw .badField("world_size", value: "\(state.worldSize)", expected: "more than rank \(rank)")
        }
        guard state.seed < 1 << 63 else { throw .badField("seed", value: "\(state.seed)", expected: "below 2^63") }
        self.init(count: state.count, batchSize: state.batchSize, shuffle: state.shuffle, seed: state.seed,
                  dropLast: state.dropLast, rank: rank, worldSize: state.worldSize)
        guard state.position <= batchesPerEpoch else {
            throw .badField("position", value: "\(state.position)", expected: "at most \(batchesPerEpoch) batches per epoch")
        }
    }

    /// Throws unless `state` was saved by a sampler configured like this one
    /// (same dataset size, batch size, world size, shuffling and drop_last).
    public func checkCompatible(_ state: SamplerState) throws(SamplerStateError) {
        let pairs: [(String, String, String)] = [
            ("count", "\(state.count)", "\(count)"), ("batch_size", "\(state.batchSize)", "\(batchSize)"),
            ("world_size", "\(state.worldSize)", "\(worldSize)"), ("shuffle", "\(state.shuffle)", "\(shuffle)"),
            ("drop_last", "\(state.dropLast)", "\(dropLast)"),
        ]
        for (field, saved, mine) in pairs where saved != mine {
            throw .mismatch(field: field, saved: saved, sampler: mine)
        }
    }
}

/// Why a saved sampler state cannot be read or does not fit a sampler.
public enum SamplerStateError: Error, Equatable, CustomStringConvertible {
    /// The JSON is not an object.
    case notAnObject
    /// A required field is absent.
    case missingField(String)
    /// A field has the wrong type or range.
    case badField(String, value: String, expected: String)
    /// The state was saved by a sampler with another configuration.
    case mismatch(field: String, saved: String, sampler: String)

    public var description: String {
        switch self {
        case .notAnObject: return "sampler state: expected a JSON object"
        case let .missingField(f): return "sampler state: missing field '\(f)'"
        case let .badField(f, v, e): return "sampler state: \(f) is \(v), expected \(e)"
        case let .mismatch(f, saved, sampler): return "sampler state: \(f) is \(saved), this sampler has \(sampler)"
        }
    }
}
