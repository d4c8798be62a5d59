/// The map side of `LocalRunner`'s shuffle: partitioned in-memory buffers
/// and sorted spill runs.

/// One partition's pairs from one chunk, held until the next spill.
///
/// Pair `i`'s encoded key is `arena[starts[i]..<keyEnds[i]]` and its encoded
/// value `arena[keyEnds[i]..<ends[i]]`; `keys[i]` keeps the typed key for
/// sorting with `<` (encodings need not sort like keys).
final class PartitionBuffer<Key> {
    var keys: [Key] = []
    var rows: [UInt64] = []
    var emits: [UInt32] = []
    var keyEnds: [Int] = []
    var ends: [Int] = []
    var arena: [UInt8] = []

    func start(_ i: Int) -> Int { i == 0 ? 0 : ends[i - 1] }

    /// Arena bytes plus per-pair bookkeeping (typed key, row, emit, two offsets).
    var approximateBytes: Int { arena.count + keys.count * (MemoryLayout<Key>.stride + 28) }

    func clear() {
        keys = []
        rows = []
        emits = []
        keyEnds = []
        ends = []
        arena = []
    }
}

/// A chunk's shuffle buffers; only the thread working on the chunk writes it.
final class ChunkShuffleState<Key> {
    let partitions: [PartitionBuffer<Key>]
    var scratch = ByteWriter(reservingCapacity: 256)
    var error: MapReduceError?

    init(partitions: Int) { self.partitions = (0..<partitions).map { _ in PartitionBuffer() } }
}

/// First error per slot; each slot is written by one thread only.
final class ErrorSlots: @unchecked Sendable {
    var errors: [(any Error)?]
    init(count: Int) { errors = Array(repeating: nil, count: count) }
    var first: (any Error)? { errors.lazy.compactMap { $0 }.first }
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
        var iterator = input.makeIterator()
        var rowBase = 0
        var runIndex = 0
        while true {
            let batch = Self.nextBatch(&iterator, count: batchRows)
            if batch.isEmpty { break }
            let base = rowBase
            forEachChunk(rows: batch.count, chunks: chunkCount) { c, range in
                let state = states[c]
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
                            state.scratch.bytes.removeAll(keepingCapacity: true)
                            key.encode(to: &state.scratch)
                            let keyLength = state.scratch.bytes.count
                            value.encode(to: &state.scratch)
                            let p = Int(fnv1a(state.scratch.bytes[0..<keyLength]) % partitionCount)
                            let buffer = state.partitions[p]
                            let start = buffer.arena.count
                            buffer.arena.append(contentsOf: state.scratch.bytes)
                            buffer.keys.append(key)
                            buffer.rows.append(row)
                            buffer.emits.append(emitIndex)
                            buffer.keyEnds.append(start + keyLength)
                            buffer.ends.append(buffer.arena.count)
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
    /// run `run`; partitions spill in parallel. Empty partitions write nothing.
    func spill<Key: ShuffleKey>(_ states: [ChunkShuffleState<Key>], run: Int, job: JobDirectory) throws {
        let errors = ErrorSlots(count: partitions)
        parallelFor(partitions) { p in
            let buffers = states.map { $0.partitions[p] }
            var refs: [(chunk: UInt32, index: UInt32)] = []
            refs.reserveCapacity(buffers.reduce(0) { $0 + $1.keys.count })
            for (c, b) in buffers.enumerated() {
                for i in 0..<b.keys.count { refs.append((UInt32(c), UInt32(i))) }
            }
            if refs.isEmpty { return }
            refs.sort { a, b in
                let ba = buffers[Int(a.chunk)], bb = buffers[Int(b.chunk)]
                let ia = Int(a.index), ib = Int(b.index)
                let ka = ba.keys[ia], kb = bb.keys[ib]
                if ka < kb { return true }
                if kb < ka { return false }
                return (ba.rows[ia], ba.emits[ia]) < (bb.rows[ib], bb.emits[ib])
            }
            do {
                var writer = try RecordFileWriter(path: job.runPath(partition: p, run: run))
                var body = ByteWriter(reservingCapacity: 256)
                for (c, i) in refs {
                    let b = buffers[Int(c)]
                    let i = Int(i)
                    body.bytes.removeAll(keepingCapacity: true)
                    body.bytes.append(contentsOf: b.arena[b.start(i)..<b.keyEnds[i]])
                    body.writeVarint(b.rows[i])
                    body.writeVarint(UInt64(b.emits[i]))
                    body.bytes.append(contentsOf: b.arena[b.keyEnds[i]..<b.ends[i]])
                    try writer.append(body.bytes)
                }
                try writer.finish()
            } catch {
                errors.errors[p] = error
            }
            for b in buffers { b.clear() }
        }
        if let error = errors.first { throw error }
    }
}
