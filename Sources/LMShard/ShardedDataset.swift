import Foundation

/// A whole dataset directory opened for reading: the manifest, then every
/// shard memory-mapped and validated (see `ShardReader`).
///
/// Sequences are numbered globally in manifest shard order. Lookup is a
/// binary search over shard start offsets, O(log shards), then O(1) inside
/// the shard; reads are zero-copy views over the maps.
///
/// `@unchecked Sendable`: immutable after `init`, like its `ShardReader`s;
/// data loader workers share one dataset.
public struct ShardedDataset: @unchecked Sendable {
    /// The dataset directory.
    public let directory: URL
    /// The validated manifest.
    public let manifest: DatasetManifest
    /// Open shards in manifest order.
    public let shards: [ShardReader]
    /// `starts[k]` = global index of shard k's first sequence; one extra
    /// trailing entry holds the total.
    let starts: [Int]
    /// `shards[k].planes`, kept so row lookups copy no class references.
    let planes: [ShardPlanes]

    /// Opens and validates `directory`: the manifest strictly, then every
    /// shard through `ShardReader(directory:shard:manifest:)` (file sizes
    /// against the manifest, headers, index and plane sizes against each
    /// other; FORMAT.md section 7). Checksums and token ids are not checked
    /// here (that reads every byte); call `verify` for that.
    public init(directory: URL) throws {
        self.directory = directory
        manifest = try DatasetManifest.read(from: directory)
        let dir = directory.path
        var readers: [ShardReader] = []
        var starts = [0]
        for s in manifest.shards {
            let r = try ShardReader(directory: dir, shard: s, manifest: manifest)
            readers.append(r)
            // Cannot overflow: the manifest's sequence totals were summed with checks.
            starts.append(starts[starts.count - 1] + r.sequenceCount)
        }
        shards = readers
        planes = readers.map(\.planes)
        self.starts = starts
    }

    /// Total number of sequences.
    public var count: Int { starts[starts.count - 1] }

    /// Shard index and local index of global sequence `index`. O(log shards).
    public func locate(_ index: Int) throws -> (shard: Int, local: Int) {
        guard index >= 0, index < count else { throw ShardError.indexOutOfRange(index: index, count: count) }
        // Last shard whose start <= index (empty shards share a start and are skipped).
        var lo = 0, hi = shards.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= index { lo = mid } else { hi = mid - 1 }
        }
        return (lo, index - starts[lo])
    }

    /// Length in tokens of global sequence `index`.
    public func length(of index: Int) throws -> Int {
        let (s, l) = try locate(index)
        return planes[s].span(l).count
    }

    /// Calls `body` with zero-copy views of global sequence `index` (tokens,
    /// positions, loss mask bytes). The views must not escape `body`.
    public func withSequence<R>(at index: Int, _ body: (UnsafeIntegerView, UnsafeIntegerView, UnsafeBufferPointer<UInt8>) throws -> R) throws -> R {
        let (s, l) = try locate(index)
        return try planes[s].withSequence(at: l, body)
    }

    /// Copies global sequence `index` out of the maps.
    public func sequence(at index: Int) throws -> (tokens: [UInt32], positions: [UInt32], lossMask: [Bool]) {
        try withSequence(at: index) { t, p, m in (t.toArray(), p.toArray(), m.map { $0 != 0 }) }
    }
}
