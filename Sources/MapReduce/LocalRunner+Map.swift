import Foundation

/// The map side of `LocalRunner`'s shuffle: partitioned in-memory buffers
/// and sorted spill runs.

/// One partition's pairs from one chunk, held until the next spill.
///
/// Pair `i`'s encoded key is `arena[start(i)..<keyEnds[i]]` and its encoded
/// value `arena[keyEnds[i]..<ends[i]]`; `keys[i]` keeps the typed key for
/// ordering with `<` (encodings need not sort like keys).
struct PartitionBuffer<Key> {
    var keys: [Key] = []
    var rows: [UInt64] = []
    var emits: [UInt32] = []
    var keyEnds: [Int] = []
    var ends: [Int] = []
    var arena: [UInt8] = []

    /// Arena bytes plus per-pair bookkeeping (typed key, row, emit, two offsets).
    var approximateBytes: Int { arena.count + keys.count * (MemoryLayout<Key>.stride + 28) }
}

/// A chunk's shuffle buffers. Only the thread working on the chunk touches
/// it during map; the worker moves the buffers into a local variable for
/// the chunk (class property accesses carry exclusivity checks, which cost
/// ~15% of a count_chars map when done per pair).
final class ChunkShuffleState<Key> {
    var partitions: [PartitionBuffer<Key>]
    var scratch = ByteWriter(reservingCapacity: 256)
    var error: MapReduceError?

    init(partitions: Int) { self.partitions = Array(repeating: PartitionBuffer(), count: partitions) }
}

/// First error per slot, set from worker threads under a lock.
final class ErrorSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [(any Error)?]
    init(count: Int) { errors = Array(repeating: nil, count: count) }

    func set(_ error: any Error, at slot: Int) {
        lock.lock()
        defer { lock.unlock() }
        if errors[slot] == nil { errors[slot] = error }
    }

    /// The error of the lowest slot.
    var first: (any Error)? {
        lock.lock()
        defer { lock.unlock() }
        return errors.lazy.compactMap { $0 }.first
    }
}

extension LocalRunner {
    /// Maps every input row and spills sorted runs whenever the buffers
    /// exceed `memoryBudget`.
    func mapAndSpill<T: MapReduceTransform, S: Sequence>(
        _ transform: T, input: S, prepare: @escaping @Sendable (S.Element) throws -> T.Input, job: JobDirectory
    ) throws {
        let chunkCount = workers * 4
        let states = (0..<chunkCount).map { _ in ChunkShuffleState<T.Key>(partitions: partitions) }
        let partitionCount = UInt64(partitions)
        let batches = BatchPrefetcher(input.makeIterator(), batchRows: batchRows)
        defer { batches.finish() }
        var rowBase = 0
        var runIndex = 0
        while true {
            let batch = batches.next()
            if batch.isEmpty { break }
            let base = rowBase
            forEachChunk(rows: batch.count, chunks: chunkCount) { c, range in
                let state = states[c]
                var parts = state.partitions
                state.partitions = []
                var scratch = state.scratch
                defer {
                    state.partitions = parts
                    state.scratch = scratch
                }
                for i in range {
                    let row = UInt64(base + i)
                    let input: T.Input
                    do { input = try prepare(batch[i]) } catch {
                        state.error = MapReduceError.input(row: base + i + 1, underlying: error)
                        return
                    }
                    var emitIndex: UInt32 = 0
                    do {
                        try transform.map(input) { key, value in
                            scratch.bytes.removeAll(keepingCapacity: true)
                            key.encode(to: &scratch)
                            let keyLength = scratch.bytes.count
                            value.encode(to: &scratch)
                            let p = Int(fnv1a(scratch.bytes[0..<keyLength]) % partitionCount)
                            let start = parts[p].arena.count
                            parts[p].arena.append(contentsOf: scratch.bytes)
                            parts[p].keys.append(key)
                            parts[p].rows.append(row)
                            parts[p].emits.append(emitIndex)
                            parts[p].keyEnds.append(start + keyLength)
                            parts[p].ends.append(parts[p].arena.count)
                            emitIndex += 1
                        }
                    } catch {
                        state.error = MapReduceError.map(row: base + i + 1, underlying: error)
                        return
                    }
                }
            }
            // Chunks cover rows in order, so the first chunk with an error
            // holds the earliest failing row, whatever the worker count.
            if let error = states.lazy.compactMap(\.error).first { throw error }
            rowBase += batch.count
            let held = states.reduce(0) { sum, s in sum + s.partitions.reduce(0) { $0 + $1.approximateBytes } }
            if held > memoryBudget {
                try spill(states, run: runIndex, job: job)
                runIndex += 1
            }
        }
        try spill(states, run: runIndex, job: job)
    }

    /// Sorts each partition's pairs by `(key, row, emit)` and writes them as
    /// run `run`; partitions spill in parallel, largest first (see
    /// `largestFirst`). Empty partitions write nothing.
    func spill<Key: ShuffleKey>(_ states: [ChunkShuffleState<Key>], run: Int, job: JobDirectory) throws {
        let errors = ErrorSlots(count: partitions)
        let order = Self.largestFirst((0..<partitions).map { p in states.reduce(0) { $0 + $1.partitions[p].keys.count } })
        parallelFor(partitions) { i in
            let p = order[i]
            let buffers = states.map { $0.partitions[p] }
            // Bucket pairs by key with a hash map, order buckets by key, and
            // order each bucket by input position. Pairs share keys heavily
            // (count_chars: ~100 keys for millions of pairs), so this does
            // O(keys log keys) key comparisons instead of O(n log n); a full
            // comparison sort spent ~30% of a run in key `<`.
            var bucketOf: [Key: Int] = [:]
            var bucketKeys: [Key] = []
            var items: [[(row: UInt64, emit: UInt32, chunk: UInt32, index: UInt32)]] = []
            for (c, b) in buffers.enumerated() {
                let keys = b.keys, rows = b.rows, emits = b.emits
                for i in keys.indices {
                    let bucket: Int
                    if let existing = bucketOf[keys[i]] {
                        bucket = existing
                    } else {
                        bucket = bucketKeys.count
                        bucketOf[keys[i]] = bucket
                        bucketKeys.append(keys[i])
                        items.append([])
                    }
                    items[bucket].append((rows[i], emits[i], UInt32(c), UInt32(i)))
                }
            }
            if bucketKeys.isEmpty { return }
            let keyOrder = bucketKeys.indices.sorted { bucketKeys[$0] < bucketKeys[$1] }
            var refs: [(chunk: UInt32, index: UInt32)] = []
            refs.reserveCapacity(items.reduce(0) { $0 + $1.count })
            for k in keyOrder {
                items[k].sort { ($0.row, $0.emit) < ($1.row, $1.emit) }
                for item in items[k] { refs.append((item.chunk, item.index)) }
                items[k] = []
            }
            do {
                var writer = try RecordFileWriter(path: job.runPath(partition: p, run: run))
                var body = ByteWriter(reservingCapacity: 256)
                let arenas = buffers.map(\.arena), keyEnds = buffers.map(\.keyEnds), ends = buffers.map(\.ends)
                let rows = buffers.map(\.rows), emits = buffers.map(\.emits)
                for (c, i) in refs {
                    let c = Int(c), i = Int(i)
                    body.bytes.removeAll(keepingCapacity: true)
                    let start = i == 0 ? 0 : ends[c][i - 1]
                    body.bytes.append(contentsOf: arenas[c][start..<keyEnds[c][i]])
                    body.writeVarint(rows[c][i])
                    body.writeVarint(UInt64(emits[c][i]))
                    body.bytes.append(contentsOf: arenas[c][keyEnds[c][i]..<ends[c][i]])
                    try writer.append(body.bytes)
                }
                try writer.finish()
            } catch {
                errors.set(error, at: p)
            }
        }
        // Freed here, not per partition above: partitions spill in parallel
        // and must not mutate the shared arrays.
        for s in states { s.partitions = Array(repeating: PartitionBuffer(), count: partitions) }
        if let error = errors.first { throw error }
    }
}
