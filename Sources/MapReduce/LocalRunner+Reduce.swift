import Foundation
import LMIO

/// The reduce side of `LocalRunner`: k-way merge of each partition's runs,
/// grouped reduce, and the final merge of partition outputs by key.

/// Reads spill records from one run file; the current record (the head)
/// is decoded in place.
///
/// The body buffer is reused from record to record, and the typed key is
/// decoded only when the encoded key changes: runs are sorted by key, so
/// most records repeat the previous key (count_chars: millions of records
/// over ~100 keys). Key encodings are self-delimiting (a value follows the
/// key in a record), so a body that starts with the previous key's bytes
/// holds that same key.
struct RunCursor<Key: ShuffleKey> {
    var reader: RecordFileReader
    /// Whether `body` holds a record; false once the run is exhausted.
    private(set) var hasHead = false
    private(set) var body: [UInt8] = []
    /// The head's key (the last decoded one once the run is exhausted).
    private(set) var key: Key?
    /// The encoding of `key`: the head body's first bytes.
    private(set) var keyBytes: [UInt8] = []
    private(set) var row: UInt64 = 0
    private(set) var emit: UInt64 = 0
    private(set) var valueOffset = 0
    /// Decompressed offset of the head record, for error messages.
    private(set) var headOffset = 0

    init(path: String) throws {
        reader = try RecordFileReader(path: path)
        body.reserveCapacity(256)
        try advance()
    }

    var path: String { reader.path }

    mutating func advance() throws {
        headOffset = reader.offset
        guard try reader.next(into: &body) else {
            hasHead = false
            return
        }
        hasHead = true
        do {
            var r: ByteReader
            if key != nil && body.starts(with: keyBytes) {
                r = ByteReader(body, offset: keyBytes.count)
            } else {
                r = ByteReader(body)
                key = try Key.decode(from: &r)
                keyBytes = Array(body[0..<r.offset])
            }
            row = try r.readVarint()
            emit = try r.readVarint()
            valueOffset = r.offset
        } catch {
            throw MapReduceError.corruptFile(path: reader.path, offset: headOffset, message: "\(error)")
        }
    }

    /// Decodes the head's value (call only while `hasHead`).
    func value<Value: ShuffleCodable>(_: Value.Type) throws -> Value {
        var r = ByteReader(body, offset: valueOffset)
        do {
            return try Value.decode(from: &r)
        } catch {
            throw MapReduceError.corruptFile(
                path: reader.path, offset: headOffset, message: "value in a record: \(error)")
        }
    }
}

/// Merges sorted runs into one stream ordered by `(key, row, emit)`.
/// A binary heap of cursor indices: O(log runs) per record. The smallest
/// record is read in place through `top` and consumed with `pop`.
final class RunMerger<Key: ShuffleKey> {
    private(set) var cursors: [RunCursor<Key>]
    private var heap: [Int] = []

    init(paths: [String]) throws {
        cursors = try paths.map { try RunCursor(path: $0) }
        for i in cursors.indices where cursors[i].hasHead { push(i) }
    }

    /// The cursor holding the smallest record, nil when all runs are done.
    var top: Int? { heap.first }

    /// Moves past the smallest record (`top` must not be nil).
    func pop() throws {
        let top = heap[0]
        try cursors[top].advance()
        if cursors[top].hasHead {
            siftDown(0)
        } else {
            heap.swapAt(0, heap.count - 1)
            heap.removeLast()
            if !heap.isEmpty { siftDown(0) }
        }
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        // Equal encodings are equal keys: skip the typed comparison (the
        // common case, since runs hold long stretches of one key).
        if cursors[a].keyBytes != cursors[b].keyBytes {
            guard let x = cursors[a].key, let y = cursors[b].key else { return false }
            if x < y { return true }
            if y < x { return false }
        }
        return (cursors[a].row, cursors[a].emit) < (cursors[b].row, cursors[b].emit)
    }

    private func push(_ i: Int) {
        heap.append(i)
        var c = heap.count - 1
        while c > 0 {
            let parent = (c - 1) / 2
            guard less(heap[c], heap[parent]) else { break }
            heap.swapAt(c, parent)
            c = parent
        }
    }

    private func siftDown(_ start: Int) {
        var p = start
        while true {
            let l = 2 * p + 1, r = l + 1
            var m = p
            if l < heap.count && less(heap[l], heap[m]) { m = l }
            if r < heap.count && less(heap[r], heap[m]) { m = r }
            if m == p { return }
            heap.swapAt(p, m)
            p = m
        }
    }
}

/// The values of one group, decoded lazily from the merge.
struct MergedGroupStream<Key: ShuffleKey, Value: ShuffleCodable>: ValueStream {
    let merger: RunMerger<Key>
    let key: Key

    mutating func next() throws -> Value? {
        guard let top = merger.top, merger.cursors[top].key == key else { return nil }
        let value = try merger.cursors[top].value(Value.self)
        try merger.pop()
        return value
    }
}

/// Per-partition reduce failures, with the key for picking the smallest;
/// set from worker threads under a lock.
final class ReduceFailures<Key>: @unchecked Sendable {
    private let lock = NSLock()
    private var failures: [(key: Key?, error: any Error)?]
    init(count: Int) { failures = Array(repeating: nil, count: count) }

    func set(key: Key?, error: any Error, partition: Int) {
        lock.lock()
        defer { lock.unlock() }
        if failures[partition] == nil { failures[partition] = (key, error) }
    }

    var all: [(key: Key?, error: any Error)] {
        lock.lock()
        defer { lock.unlock() }
        return failures.compactMap { $0 }
    }
}

extension LocalRunner {
    /// Runs more than this many at once are first merged in passes, to bound
    /// open files and read buffers (about 256 KiB per open run).
    static let mergeFanIn = 64

    /// Reduces every partition not already done (resume) into its output
    /// file, in parallel, largest (by run bytes) first.
    func reduceAllPartitions<T: MapReduceTransform>(_ transform: T, job: JobDirectory) throws
    where T.Output: ShuffleCodable {
        try forEachPartition(T.Key.self, job: job) { p, failures in
            if job.persistent && FileSystem.exists(job.outputPath(partition: p)) { return }
            try withMerger(partition: p, job: job, T.Key.self) { merger in
                try reducePartition(transform, merger: merger, partition: p, job: job, failures: failures)
            }
        }
    }

    /// Reduces every partition into the sink `sinks` makes for it, on the
    /// worker reducing it, in parallel, largest first.
    func reduceAllPartitions<T: MapReduceTransform>(
        _ transform: T, job: JobDirectory, sinks: @Sendable (Int) throws -> any PartitionSink<T.Output>
    ) throws {
        try forEachPartition(T.Key.self, job: job) { p, failures in
            let sink = try sinks(p)
            let completed = try withMerger(partition: p, job: job, T.Key.self) { merger in
                try reduceGroups(
                    transform, merger: merger, partition: p, failures: failures,
                    deliver: { _, out in try sink.write(out) }, afterGroup: { _ in })
            }
            if completed { try sink.finish() }
        }
    }

    /// Runs `body` for every partition from `workers` threads, largest (by
    /// run bytes) first, then throws the error that does not depend on timing:
    /// an I/O error first, else the reduce failure with the smallest key.
    private func forEachPartition<Key: ShuffleKey>(
        _: Key.Type, job: JobDirectory, _ body: @Sendable (Int, ReduceFailures<Key>) throws -> Void
    ) throws {
        let failures = ReduceFailures<Key>(count: partitions)
        let runBytes = (0..<partitions).map { p in
            job.runs(partition: p).reduce(0) { $0 + (FileSystem.fileSize($1) ?? 0) }
        }
        let order = Self.largestFirst(runBytes)
        parallelFor(partitions) { i in
            let p = order[i]
            do {
                try body(p, failures)
            } catch {
                failures.set(key: nil, error: error, partition: p)
            }
        }
        let all = failures.all
        if let io = all.first(where: { $0.key == nil }) { throw io.error }
        let keyed = all.compactMap { f in f.key.map { (key: $0, error: f.error) } }
        if let first = keyed.min(by: { $0.key < $1.key }) { throw first.error }
    }

    /// A merger over partition `p`'s runs, given to `body`. More than
    /// `mergeFanIn` runs are first merged in passes; those merged files are
    /// removed when `body` returns.
    private func withMerger<Key: ShuffleKey, R>(
        partition p: Int, job: JobDirectory, _: Key.Type, _ body: (RunMerger<Key>) throws -> R
    ) throws -> R {
        var runs = job.runs(partition: p)
        var merged: [String] = []
        defer { for path in merged { try? FileSystem.remove(path) } }
        var pass = 0
        while runs.count > Self.mergeFanIn {
            var next: [String] = []
            for (g, start) in stride(from: 0, to: runs.count, by: Self.mergeFanIn).enumerated() {
                let path = job.mergedRunPath(partition: p, pass: pass, index: g)
                try Self.mergeRuns(Array(runs[start..<min(start + Self.mergeFanIn, runs.count)]), into: path, Key.self)
                merged.append(path)
                next.append(path)
            }
            runs = next
            pass += 1
        }
        return try body(try RunMerger<Key>(paths: runs))
    }

    /// Reduces the groups left in `merger`, in key order: outputs go to
    /// `deliver` with the group's encoded key, and `afterGroup` runs once a
    /// group's outputs are all delivered. Returns false when `reduce` threw
    /// (recorded in `failures` under its key); errors from `deliver` and
    /// `MapReduceError`s are rethrown.
    private func reduceGroups<T: MapReduceTransform>(
        _ transform: T, merger: RunMerger<T.Key>, partition p: Int, failures: ReduceFailures<T.Key>,
        deliver: ([UInt8], T.Output) throws -> Void, afterGroup: ([UInt8]) throws -> Void
    ) throws -> Bool {
        while let top = merger.top, let key = merger.cursors[top].key {
            let keyBytes = merger.cursors[top].keyBytes
            var stream = MergedGroupStream<T.Key, T.Value>(merger: merger, key: key)
            var deliverError: (any Error)?
            do {
                try transform.reduce(key: key, values: &stream) { out in
                    do { try deliver(keyBytes, out) } catch {
                        deliverError = error
                        throw error
                    }
                }
            } catch {
                if let deliverError { throw deliverError }
                if error is MapReduceError { throw error }
                failures.set(key: key, error: MapReduceError.reduce(key: key.sortableText, underlying: error), partition: p)
                return false
            }
            while try stream.next() != nil {}  // values reduce did not read
            try afterGroup(keyBytes)
        }
        return true
    }

    /// Reduces partition `p` into its output file, committing each group
    /// when the job is persistent and skipping the groups a previous run
    /// committed.
    private func reducePartition<T: MapReduceTransform>(
        _ transform: T, merger: RunMerger<T.Key>, partition p: Int, job: JobDirectory, failures: ReduceFailures<T.Key>
    ) throws where T.Output: ShuffleCodable {
        let output = job.outputPath(partition: p)
        let opened = try openPartitionOutput(T.Key.self, partition: p, job: job)
        var writer = opened.writer
        let progress = opened.progress
        if let lastCommitted = opened.lastCommitted {
            // Resume: these groups' outputs are already in the file.
            while let top = merger.top, let key = merger.cursors[top].key, key <= lastCommitted { try merger.pop() }
        }
        var body = ByteWriter(reservingCapacity: 256)
        let completed = try reduceGroups(
            transform, merger: merger, partition: p, failures: failures,
            deliver: { keyBytes, out in
                body.bytes.removeAll(keepingCapacity: true)
                body.bytes.append(contentsOf: keyBytes)
                out.encode(to: &body)
                try writer.append(body.bytes)
            },
            afterGroup: { keyBytes in
                if let progress {
                    try progress.append(ReduceProgress.record(keyBytes: keyBytes, outputLength: try writer.commit()))
                }
            })
        guard completed else { return }
        try writer.finish()
        try FileSystem.rename(output + ".tmp", to: output)
        if let progress { try? FileSystem.remove(progress.path) }
    }

    /// The writer for partition `p`'s output (`.tmp`), with the progress log
    /// to commit groups to when the job is persistent, and the last committed
    /// group's key when this resumes a killed or failed reduce.
    ///
    /// Resumes from the log's last valid record when the output holds at
    /// least the committed bytes (a longer output was killed after writing a
    /// group but before committing it, and is cut back); otherwise, or when
    /// the record's key does not decode, the partition starts over.
    private func openPartitionOutput<Key: ShuffleKey>(
        _: Key.Type, partition p: Int, job: JobDirectory
    ) throws -> (writer: RecordFileWriter, progress: ProgressLog?, lastCommitted: Key?) {
        let tmp = job.outputPath(partition: p) + ".tmp"
        guard job.persistent else { return (try RecordFileWriter(path: tmp), nil, nil) }
        let progressPath = job.progressPath(partition: p)
        if FileSystem.exists(progressPath), let commit = ReduceProgress.lastCommit(in: try ProgressLog.contents(progressPath)),
            let size = FileSystem.fileSize(tmp), UInt64(size) >= commit.outputLength
        {
            var r = ByteReader(commit.keyBytes)
            if let key = try? Key.decode(from: &r) {
                let writer = try RecordFileWriter(path: tmp, appendingAfter: commit.outputLength)
                return (writer, try ProgressLog(path: progressPath, keepingFirst: commit.logLength), key)
            }
        }
        return (try RecordFileWriter(path: tmp), try ProgressLog(path: progressPath, keepingFirst: 0), nil)
    }

    /// Merges sorted runs into one sorted run at `path` (also the external
    /// sort's merge pass, `PositionSorter`).
    static func mergeRuns<Key: ShuffleKey>(_ paths: [String], into path: String, _: Key.Type) throws {
        let merger = try RunMerger<Key>(paths: paths)
        var writer = try RecordFileWriter(path: path)
        while let top = merger.top {
            try writer.append(merger.cursors[top].body)
            try merger.pop()
        }
        try writer.finish()
    }

    /// Merges the partition outputs by key and emits the rows.
    func mergeOutputs<T: MapReduceTransform>(_: T.Type, job: JobDirectory, emit: (T.Output) throws -> Void) throws
    where T.Output: ShuffleCodable {
        var readers = try (0..<partitions).map { try RecordFileReader(path: job.outputPath(partition: $0)) }
        var heads: [(key: T.Key, body: [UInt8], outputOffset: Int)?] = Array(repeating: nil, count: partitions)
        func advance(_ p: Int) throws {
            let at = readers[p].offset
            guard let body = try readers[p].next() else {
                heads[p] = nil
                return
            }
            var r = ByteReader(body)
            do {
                let key = try T.Key.decode(from: &r)
                heads[p] = (key, body, r.offset)
            } catch {
                throw MapReduceError.corruptFile(path: readers[p].path, offset: at, message: "\(error)")
            }
        }
        for p in 0..<partitions { try advance(p) }
        // Partitions hold disjoint keys and there are few of them, so a linear
        // scan for the smallest head is enough.
        while true {
            var best: Int?
            for p in 0..<partitions {
                guard let h = heads[p] else { continue }
                if let b = best, let hb = heads[b], !(h.key < hb.key) { continue }
                best = p
            }
            guard let p = best, let head = heads[p] else { return }
            var r = ByteReader(head.body, offset: head.outputOffset)
            let row: T.Output
            do { row = try T.Output.decode(from: &r) } catch {
                throw MapReduceError.corruptFile(path: readers[p].path, offset: readers[p].offset, message: "\(error)")
            }
            try emit(row)
            try advance(p)
        }
    }
}
