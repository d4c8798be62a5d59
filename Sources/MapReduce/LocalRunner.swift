import Dispatch
import Foundation

/// Runs transforms on all cores of one machine, with a shuffle that spills
/// to disk so memory stays bounded whatever the input size.
///
/// Output order is exactly `InMemoryRunner`'s, whatever `workers` is:
/// map-only outputs come in input order; map-reduce groups come in
/// ascending key order with values in input order, because every pair
/// carries its input position `(row, emit index)` and is sorted by
/// `(key, row, emit index)`.
///
/// Map-reduce data flow:
/// 1. Map: rows are pulled from the input (a `BatchSource`) in batches of
///    at most `batchRows` by a reader thread that stays one batch ahead
///    (`BatchPrefetcher`); each batch is split into chunks that `workers`
///    threads take in turn; `prepare` (e.g. JSON parsing) runs on the
///    workers too. Each pair goes to one of `partitions` buffers by a stable
///    hash (FNV-1a) of its encoded key.
///    With a transform `combiner` (and `combines` on), a chunk first folds
///    its pairs per key, and only the folds reach the buffers: one pair per
///    key per chunk, positioned at the key's first pair in the chunk.
/// 2. Spill: when the buffers exceed `memoryBudget`, each partition's pairs
///    are sorted by `(key, row, emit)` and written as one zstd "run" file
///    (partitions spill in parallel). With a combiner, each key's pairs in
///    a spill fold into one record (they cover a contiguous stretch of rows).
/// 3. Reduce: each partition (in parallel) k-way merges its runs, groups
///    equal keys, streams each group's values to `reduce` and writes the
///    outputs, tagged with the key, to a partition output file.
/// 4. Output: the partition outputs are merged by key (keys are disjoint
///    across partitions) and passed to `emit` in ascending key order.
///
/// Work directory and resumability: files live in a job directory under
/// `workDirectory` (the system temporary directory when nil). Without a
/// `jobIdentity` the job directory is private to the run and removed on
/// success and on failure. With a `jobIdentity` (the CLI passes a hash of
/// the config and the input's path, size and modification time) the job
/// directory is named by its fingerprint and is kept when the run fails:
/// - `JOB` holds the identity, checked on reuse (a mismatch is an error);
/// - `map/DONE` is renamed into place after the last spill, so a rerun that
///   finds it skips the map phase and reuses the runs;
/// - `reduce/p<N>.zst` is written as `.tmp` and renamed once partition N is
///   fully reduced, so a rerun skips finished partitions (the rename is the
///   durable "done" marker);
/// - `reduce/p<N>.progress` commits groups inside an unfinished partition:
///   after each group the `.tmp` ends a zstd frame and a checksummed record
///   (the group's key, the `.tmp` length) is appended (`ReduceProgress`). A
///   rerun cuts `.tmp` back to the last valid record's length and skips the
///   groups up to its key, so a killed or failed run redoes at most the group
///   it was in; with no usable record the partition starts over.
/// Success removes the job directory.
public struct LocalRunner: Sendable {
    /// Threads for map and reduce. At least 1.
    public var workers: Int
    /// Approximate bytes of shuffle pairs held in memory before spilling
    /// (encoded key and value plus ~28 bytes of bookkeeping and the typed
    /// key per pair). Not counted: up to three input batches (being mapped,
    /// read ahead, being read), the 8-byte-per-pair sort index during a
    /// spill, array growth slack (up to 2x), ~256 KiB per open run during
    /// merges (at most `mergeFanIn` per reducing worker), and with a combiner
    /// each chunk's folds of the batch being mapped (at most one per pair).
    public var memoryBudget: Int
    /// Where job directories are created; nil for the system temporary directory.
    public var workDirectory: String?
    /// Shuffle partitions: the unit of reduce parallelism (resume goes by
    /// group inside a partition, see `ReduceProgress`).
    public var partitions: Int
    /// Rows pulled from the input per map batch.
    public var batchRows: Int
    /// Whether to fold map output with the transform's `combiner`, when it
    /// has one, before the shuffle. The output is the same either way (that
    /// is the combiner's contract); tests turn it off to check exactly that.
    var combines = true

    /// - Parameters:
    ///   - workers: threads; defaults to the active processor count.
    ///   - memoryBudget: bytes; 256 MiB by default.
    public init(
        workers: Int = ProcessInfo.processInfo.activeProcessorCount,
        memoryBudget: Int = 256 << 20,
        workDirectory: String? = nil,
        partitions: Int = 16,
        batchRows: Int = 4096
    ) {
        precondition(workers >= 1 && partitions >= 1 && batchRows >= 1 && memoryBudget >= 0)
        self.workers = workers
        self.memoryBudget = memoryBudget
        self.workDirectory = workDirectory
        self.partitions = partitions
        self.batchRows = batchRows
    }

    /// Map-only: outputs go to `emit` in input order. Memory is about three
    /// batches: the one being mapped, with its outputs, and the input read
    /// ahead (see `BatchPrefetcher`).
    ///
    /// - Parameter prepare: turns an input element into a row on a worker
    ///   thread (parse a JSONL line here so parsing runs on all cores).
    /// - Throws: `MapReduceError.input`/`.map` with the 1-based row (the
    ///   earliest failing row, whatever the worker count), what the source
    ///   throws, or what `emit` throws.
    public func run<T: MapTransform, Source: BatchSource & ~Copyable>(
        _ transform: T, batches source: consuming Source,
        prepare: @escaping @Sendable (Source.Batch.Element) throws -> T.Input,
        emit: (T.Output) throws -> Void
    ) throws {
        let batches = BatchPrefetcher(source, batchRows: batchRows)
        defer { batches.finish() }
        var rowBase = 0
        let chunkCount = chunksPerBatch
        while let batch = try batches.next() {
            let outputs = (0..<chunkCount).map { _ in ChunkOutput<T.Output>() }
            let base = rowBase
            forEachChunk(rows: batch.count, chunks: chunkCount) { c, range in
                let out = outputs[c]
                for i in range {
                    let input: T.Input
                    do { input = try batch.withElement(i) { try prepare($0) } } catch {
                        out.error = MapReduceError.input(row: base + i + 1, underlying: error)
                        return
                    }
                    do { try transform.map(input) { out.rows.append($0) } } catch {
                        out.error = MapReduceError.map(row: base + i + 1, underlying: error)
                        return
                    }
                }
            }
            if let error = outputs.lazy.compactMap(\.error).first { throw error }
            for out in outputs { for r in out.rows { try emit(r) } }
            rowBase += batch.count
        }
    }

    /// Map-only over a sequence's elements.
    public func run<T: MapTransform, S: Sequence>(
        _ transform: T, input: S,
        prepare: @escaping @Sendable (S.Element) throws -> T.Input,
        emit: (T.Output) throws -> Void
    ) throws where S.Element: Sendable {
        try run(transform, batches: SequenceBatches(input.makeIterator()), prepare: prepare, emit: emit)
    }

    /// Map-only over rows that need no preparation.
    public func run<T: MapTransform, S: Sequence>(_ transform: T, rows: S, emit: (T.Output) throws -> Void) throws
    where S.Element == T.Input, S.Element: Sendable {
        try run(transform, input: rows, prepare: { $0 }, emit: emit)
    }

    /// Map-reduce with a disk-spilling shuffle (see the type's comment).
    ///
    /// - Parameters:
    ///   - jobIdentity: makes the job directory persistent and resumable.
    /// - Throws: `MapReduceError` (`.input`/`.map` with the earliest failing
    ///   row, `.reduce` with the smallest failing key, `.io`, `.corruptFile`).
    public func run<T: MapReduceTransform, Source: BatchSource & ~Copyable>(
        _ transform: T, batches source: consuming Source,
        prepare: @escaping @Sendable (Source.Batch.Element) throws -> T.Input,
        jobIdentity: String? = nil,
        emit: (T.Output) throws -> Void
    ) throws where T.Output: ShuffleCodable {
        let job = try JobDirectory(
            root: workDirectory, identity: jobIdentity.map {
                "\($0)\npartitions=\(partitions)\n\(T.self)"
            })
        var succeeded = false
        defer { job.finish(succeeded: succeeded) }
        if !job.mapIsDone {
            try mapAndSpill(transform, source: source, prepare: prepare, job: job)
            try job.markMapDone()
        }
        try reduceAllPartitions(transform, job: job)
        try mergeOutputs(T.self, job: job, emit: emit)
        succeeded = true
    }

    /// Map-reduce over a sequence's elements.
    public func run<T: MapReduceTransform, S: Sequence>(
        _ transform: T, input: S,
        prepare: @escaping @Sendable (S.Element) throws -> T.Input,
        jobIdentity: String? = nil,
        emit: (T.Output) throws -> Void
    ) throws where T.Output: ShuffleCodable, S.Element: Sendable {
        try run(
            transform, batches: SequenceBatches(input.makeIterator()), prepare: prepare, jobIdentity: jobIdentity,
            emit: emit)
    }

    /// Map-reduce whose reduce outputs go to caller-made sinks, one per
    /// partition, on the worker that reduces it, instead of through the
    /// runner's partition output files and `emit` on the calling thread.
    /// The output of a job then never passes through one thread or is
    /// written twice: `lmshard build` writes each reduce group's shard
    /// straight from the reducer, as a Hadoop reducer writes its own part
    /// file.
    ///
    /// A sink sees its partition's groups in ascending key order, each
    /// group's outputs in the order `reduce` emits them; which keys share a
    /// partition depends only on `partitions`, so a sink that starts a new
    /// file per group (the group's key in its name) gives the same files for
    /// any number of workers. `finish` is called once the partition is fully
    /// reduced; on failure the run throws as `run(_:input:prepare:emit:)`
    /// does and the caller cleans up what its sinks wrote.
    ///
    /// With a `jobIdentity` the map phase is resumable: its spill runs are
    /// kept when the run fails, and a rerun with the same identity whose map
    /// phase had completed skips it (the input is not read at all) and
    /// reduces again; what to keep of the sinks' earlier output is the
    /// caller's business (`lmshard build` keeps shards whose receipts
    /// verify). `beforeMapDone` runs after the last spill and before the
    /// map phase is marked complete, and only when the map phase ran: the
    /// place to record durably what the map saw (the build's map receipts).
    public func run<T: MapReduceTransform, S: Sequence>(
        _ transform: T, input: S,
        prepare: @escaping @Sendable (S.Element) throws -> T.Input,
        jobIdentity: String? = nil,
        beforeMapDone: () throws -> Void = {},
        sinks: @escaping @Sendable (_ partition: Int) throws -> any PartitionSink<T.Output>
    ) throws where S.Element: Sendable {
        let job = try JobDirectory(
            root: workDirectory, identity: jobIdentity.map { "\($0)\npartitions=\(partitions)\n\(T.self)\nsinks" })
        var succeeded = false
        defer { job.finish(succeeded: succeeded) }
        if !job.mapIsDone {
            try mapAndSpill(transform, source: SequenceBatches(input.makeIterator()), prepare: prepare, job: job)
            try beforeMapDone()
            if job.persistent { try job.markMapDone() }
        }
        try reduceAllPartitions(transform, job: job, sinks: sinks)
        succeeded = true
    }

    /// Map-reduce over rows that need no preparation.
    public func run<T: MapReduceTransform, S: Sequence>(
        _ transform: T, rows: S, jobIdentity: String? = nil, emit: (T.Output) throws -> Void
    ) throws where S.Element == T.Input, S.Element: Sendable, T.Output: ShuffleCodable {
        try run(transform, input: rows, prepare: { $0 }, jobIdentity: jobIdentity, emit: emit)
    }

    // MARK: - Helpers shared by the phases

    /// Chunks a batch is split into for the workers. Every batch ends in a
    /// barrier (the next one starts when all its chunks are done), where the
    /// workers that finish first idle until the last chunk is done. Chunks
    /// shrink from first to last (see `chunkRange`), so the chunks still
    /// running at the barrier are small. On 2 workers, 512 MiB of
    /// count_chars went from 1.64x to 1.82x the 1-worker speed when this went
    /// from 4 to 16 equal chunks per worker (single runs, on a machine that
    /// drifts by ~10%). A chunk costs a work-queue take and, with a combiner,
    /// one fold per key; 64 per worker was slower (more folds to spill).
    var chunksPerBatch: Int { workers * 16 }

    /// Row range of chunk `c` of `chunks` over `0..<rows`: contiguous, in
    /// order, covering every row, with sizes falling linearly from the first
    /// chunk to the last (weights `chunks - c`), like OpenMP's guided
    /// schedule but fixed in advance. Workers take chunks in index order, so
    /// they start on the big ones and end on the smallest (the last is
    /// ~2/chunks² of the batch instead of 1/chunks), which shortens the wait
    /// at the batch barrier. The ranges depend only on `rows` and `chunks`,
    /// never on scheduling, so results indexed by chunk are deterministic.
    static func chunkRange(_ c: Int, of chunks: Int, rows: Int) -> Range<Int> {
        // Cumulative weight before chunk k: sum of (chunks - j) for j < k.
        func before(_ k: Int) -> Int { k * chunks - k * (k - 1) / 2 }
        let total = before(chunks)
        return (rows * before(c) / total)..<(rows * before(c + 1) / total)
    }

    /// Splits `0..<rows` into `chunks` contiguous ranges (`chunkRange`) and
    /// runs `body` on them from `workers` threads; chunk `c` always gets the
    /// same range, so results indexed by chunk are independent of scheduling.
    func forEachChunk(rows: Int, chunks: Int, _ body: @Sendable (Int, Range<Int>) -> Void) {
        let queue = WorkQueue(count: chunks)
        DispatchQueue.concurrentPerform(iterations: min(workers, chunks)) { _ in
            while let c = queue.take() {
                body(c, Self.chunkRange(c, of: chunks, rows: rows))
            }
        }
    }

    /// Indices of `sizes` by descending size (ties by index), the order in
    /// which to hand out per-partition work: partitions differ in size (a
    /// few heavy keys land where their hash puts them), and starting the
    /// biggest first keeps one worker from finishing a phase alone with a
    /// big partition it picked up last. Only scheduling changes; results
    /// are still stored per partition.
    static func largestFirst(_ sizes: [Int]) -> [Int] {
        sizes.indices.sorted { (sizes[$0], $1) > (sizes[$1], $0) }
    }

    /// Runs `body(i)` for `i` in `0..<count` on `workers` threads.
    func parallelFor(_ count: Int, _ body: @Sendable (Int) -> Void) {
        let queue = WorkQueue(count: count)
        DispatchQueue.concurrentPerform(iterations: max(1, min(workers, count))) { _ in
            while let i = queue.take() { body(i) }
        }
    }
}

/// Hands out `0..<count` to threads, each index once (`@unchecked
/// Sendable`: the counter is touched only under the lock).
final class WorkQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private let count: Int

    init(count: Int) { self.count = count }

    func take() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }
}

/// One chunk's map-only results. `@unchecked Sendable`: only the worker
/// mapping the chunk writes it, and the caller reads it after
/// `forEachChunk` has returned (which waits for every worker).
final class ChunkOutput<Row>: @unchecked Sendable {
    var rows: [Row] = []
    var error: MapReduceError?
}
