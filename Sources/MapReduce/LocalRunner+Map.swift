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

/// Encodes one pair and appends it to the buffer of its partition, chosen by
/// a stable hash (FNV-1a) of the encoded key; `scratch` is reused per pair.
@inline(__always)
func appendPair<Key: ShuffleKey, Value: ShuffleCodable>(
    _ key: Key, _ value: Value, row: UInt64, emit: UInt32,
    to parts: inout [PartitionBuffer<Key>], scratch: inout ByteWriter
) {
    scratch.bytes.removeAll(keepingCapacity: true)
    key.encode(to: &scratch)
    let keyLength = scratch.bytes.count
    value.encode(to: &scratch)
    let p = Int(fnv1a(scratch.bytes[0..<keyLength]) % UInt64(parts.count))
    let start = parts[p].arena.count
    parts[p].arena.append(contentsOf: scratch.bytes)
    parts[p].keys.append(key)
    parts[p].rows.append(row)
    parts[p].emits.append(emit)
    parts[p].keyEnds.append(start + keyLength)
    parts[p].ends.append(parts[p].arena.count)
}

/// One chunk's pairs of one batch folded per key with the transform's
/// combiner, in first-occurrence order.
///
/// Why this keeps the output identical: a chunk's rows are contiguous, so
/// each fold covers a contiguous stretch of its group's values and folds
/// them in input order, which is all `Combiner`'s contract allows. A fold
/// takes the position `(row, emit)` of its first pair, so the shuffle's
/// `(key, row, emit)` order puts folds from different chunks and batches in
/// input order too. Folding across batches would not: a chunk's rows in
/// the next batch are not adjacent to its rows in this one.
struct CombineBuffer<Key: Hashable, Value> {
    private var slots: [Key: Int] = [:]
    private var keys: [Key] = []
    private var values: [Value] = []
    private var positions: [(row: UInt64, emit: UInt32)] = []

    /// Folds `value` into its key's fold, or starts one at `(row, emit)`.
    @inline(__always)
    mutating func add(_ key: Key, _ value: Value, row: UInt64, emit: UInt32, _ combiner: Combiner<Value>) {
        if let slot = slots[key] {
            combiner.combine(&values[slot], value)
        } else {
            slots[key] = keys.count
            keys.append(key)
            values.append(value)
            positions.append((row, emit))
        }
    }

    /// Hands every fold to `body` and empties the buffer (keeping capacity).
    mutating func drain(_ body: (Key, Value, UInt64, UInt32) -> Void) {
        for i in keys.indices { body(keys[i], values[i], positions[i].row, positions[i].emit) }
        slots.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        positions.removeAll(keepingCapacity: true)
    }
}

/// A chunk's shuffle buffers. Only the thread working on the chunk touches
/// it during map; the worker moves the buffers into a local variable for
/// the chunk (class property accesses carry exclusivity checks, which cost
/// ~15% of a count_chars map when done per pair). `@unchecked Sendable`:
/// during map one worker owns chunk `c`'s state; during a spill each
/// worker reads only its partition's buffers and nothing writes them; the
/// runner's thread touches the states only between phases, after the
/// workers have been joined.
final class ChunkShuffleState<Key: Hashable, Value>: @unchecked Sendable {
    var partitions: [PartitionBuffer<Key>]
    var folds = CombineBuffer<Key, Value>()
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
    func mapAndSpill<T: MapReduceTransform, Source: BatchSource & ~Copyable>(
        _ transform: T, source: consuming Source, prepare: @escaping @Sendable (Source.Batch.Element) throws -> T.Input,
        job: JobDirectory
    ) throws {
        let chunkCount = chunksPerBatch
        let states = (0..<chunkCount).map { _ in ChunkShuffleState<T.Key, T.Value>(partitions: partitions) }
        let combiner = combines ? transform.combiner : nil
        let batches = BatchPrefetcher(source, batchRows: batchRows)
        defer { batches.finish() }
        var rowBase = 0
        var runIndex = 0
        while let batch = try batches.next() {
            let base = rowBase
            forEachChunk(rows: batch.count, chunks: chunkCount) { c, range in
                let state = states[c]
                var parts = state.partitions
                state.partitions = []
                var scratch = state.scratch
                var folds = state.folds
                state.folds = CombineBuffer()
                defer {
                    folds.drain { appendPair($0, $1, row: $2, emit: $3, to: &parts, scratch: &scratch) }
                    state.partitions = parts
                    state.folds = folds
                    state.scratch = scratch
                }
                for i in range {
                    let row = UInt64(base + i)
                    let input: T.Input
                    do { input = try batch.withElement(i) { try prepare($0) } } catch {
                        state.error = MapReduceError.input(row: base + i + 1, underlying: error)
                        return
                    }
                    var emitIndex: UInt32 = 0
                    do {
                        if let combiner {
                            try transform.map(input) { key, value in
                                folds.add(key, value, row: row, emit: emitIndex, combiner)
                                emitIndex += 1
                            }
                        } else {
                            try transform.map(input) { key, value in
                                appendPair(key, value, row: row, emit: emitIndex, to: &parts, scratch: &scratch)
                                emitIndex += 1
                            }
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
                try spill(states, run: runIndex, combiner: combiner, job: job)
                runIndex += 1
            }
        }
        try spill(states, run: runIndex, combiner: combiner, job: job)
    }

    /// Sorts each partition's pairs by `(key, row, emit)` and writes them as
    /// run `run`, each key's pairs folded into one with `combiner`, if given;
    /// partitions spill in parallel, largest first (see `largestFirst`).
    /// Empty partitions write nothing.
    func spill<Key: ShuffleKey, Value: ShuffleCodable>(
        _ states: [ChunkShuffleState<Key, Value>], run: Int, combiner: Combiner<Value>?, job: JobDirectory
    ) throws {
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
            do {
                var writer = try RecordFileWriter(path: job.runPath(partition: p, run: run))
                var body = ByteWriter(reservingCapacity: 256)
                let arenas = buffers.map(\.arena), keyEnds = buffers.map(\.keyEnds), ends = buffers.map(\.ends)
                let rows = buffers.map(\.rows), emits = buffers.map(\.emits)
                /// Writes the pair at `(chunk, index)`, with `value` in place of its own.
                func write(_ chunk: UInt32, _ index: UInt32, value: Value? = nil) throws {
                    let c = Int(chunk), i = Int(index)
                    body.bytes.removeAll(keepingCapacity: true)
                    let start = i == 0 ? 0 : ends[c][i - 1]
                    body.bytes.append(contentsOf: arenas[c][start..<keyEnds[c][i]])
                    body.writeVarint(rows[c][i])
                    body.writeVarint(UInt64(emits[c][i]))
                    if let value {
                        value.encode(to: &body)
                    } else {
                        body.bytes.append(contentsOf: arenas[c][keyEnds[c][i]..<ends[c][i]])
                    }
                    try writer.append(body.bytes)
                }
                func value(_ chunk: UInt32, _ index: UInt32) throws -> Value {
                    var r = ByteReader(arenas[Int(chunk)], offset: keyEnds[Int(chunk)][Int(index)])
                    return try Value.decode(from: &r)
                }
                for k in keyOrder {
                    items[k].sort { ($0.row, $0.emit) < ($1.row, $1.emit) }
                    let group = items[k]
                    items[k] = []
                    // A spill holds every pair of the rows mapped since the
                    // previous spill, so a key's pairs here are a contiguous
                    // stretch of its group: with a combiner they fold into
                    // one record (at the first pair's position), as Hadoop
                    // combines on spill. Chunk folds alone leave one pair per
                    // key per chunk, which the reduce would merge again.
                    if let combiner, group.count > 1 {
                        var folded = try value(group[0].chunk, group[0].index)
                        for item in group.dropFirst() { combiner.combine(&folded, try value(item.chunk, item.index)) }
                        try write(group[0].chunk, group[0].index, value: folded)
                    } else {
                        for item in group { try write(item.chunk, item.index) }
                    }
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
