import Foundation
import LMIO

/// One group's values put back in input order (`InputPosition`) with
/// bounded memory: what a streaming reducer does when the engine grouped
/// its lines by key but did not sort them by `SEQ` (Hadoop Streaming with
/// one key field, a plain `sort -k1,1`).
///
/// Values are held in memory up to `memoryBudget` bytes; beyond it the held
/// values are sorted and written as one run (the local runner's record
/// files, `RecordFileWriter`), and `sorted()` k-way merges the runs with the
/// local runner's `RunMerger`, first in passes of at most `mergeFanIn` runs
/// when there are more. Memory is therefore about `memoryBudget` plus
/// ~256 KiB per run being merged, whatever the group's size.
///
/// Records in a run: the position's file index as the key (`UInt64`), the
/// offset as the row and the emit index as the emit of the runner's spill
/// layout, then the value's bytes; `RunMerger` orders them by
/// `(key, row, emit)`, which is `InputPosition`'s order.
public final class PositionSorter {
    /// Where runs are written (created on the first spill).
    public let directory: String
    /// Bytes of held values (plus ~40 bytes of bookkeeping per value) before a spill.
    public let memoryBudget: Int

    private var positions: [InputPosition] = []
    private var ends: [Int] = []
    private var arena: [UInt8] = []
    private var runs: [String] = []
    private var spills = 0
    /// Whether every value so far came in input order (no `sort` needed).
    public private(set) var isInOrder = true
    /// Values added since the last `reset()`.
    public private(set) var count = 0

    /// - Parameters:
    ///   - directory: a directory for run files, created when first needed
    ///     and removed by `removeFiles()`.
    ///   - memoryBudget: bytes; at least 1.
    public init(directory: String, memoryBudget: Int) {
        precondition(memoryBudget > 0, "memoryBudget must be positive")
        self.directory = directory
        self.memoryBudget = memoryBudget
    }

    deinit { removeFiles() }

    private var heldBytes: Int { arena.count + positions.count * 40 }

    /// Adds one value at `position`.
    ///
    /// - Throws: `FileError` or `MapReduceError` from writing a run.
    public func add<C: Collection>(_ position: InputPosition, value: C) throws where C.Element == UInt8 {
        if let last = lastPosition, !(last < position) { isInOrder = false }
        lastPosition = position
        positions.append(position)
        arena.append(contentsOf: value)
        ends.append(arena.count)
        count += 1
        if heldBytes > memoryBudget { try spill() }
    }

    private var lastPosition: InputPosition?

    /// Indices of the held values in position order (ties by arrival).
    private func heldOrder() -> [Int] {
        if isInOrder && runs.isEmpty { return Array(positions.indices) }
        return positions.indices.sorted { (positions[$0], $0) < (positions[$1], $1) }
    }

    private func spill() throws {
        try FileSystem.makeDirectory(directory)
        let path = directory + "/run-\(spills).zst"
        spills += 1
        var writer = try RecordFileWriter(path: path)
        var body = ByteWriter(reservingCapacity: 256)
        for i in heldOrder() {
            body.bytes.removeAll(keepingCapacity: true)
            let p = positions[i]
            p.file.encode(to: &body)
            body.writeVarint(p.offset)
            body.writeVarint(p.emit)
            body.bytes.append(contentsOf: arena[(i == 0 ? 0 : ends[i - 1])..<ends[i]])
            try writer.append(body.bytes)
        }
        try writer.finish()
        runs.append(path)
        positions.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        arena.removeAll(keepingCapacity: true)
    }

    /// Run files merged at once: each open run costs about 1 MiB (the zstd
    /// decoder's window of up to 512 KiB at level 1, its buffers, the
    /// record reader's), so the fan-in stays within the budget (2 to 64
    /// runs). Measured on an unsorted 30 MB group with a 2 MiB budget:
    /// peak memory 15 MB above a reducer of a tiny group with 8 runs open
    /// at once (when 256 KiB per run was assumed), 6 MB above with 2.
    var mergeFanIn: Int { max(2, min(LocalRunner.mergeFanIn, memoryBudget / (1 << 20))) }

    /// Every value added since the last `reset()`, in position order. Read
    /// it to the end (or `reset()`) before adding more.
    ///
    /// - Throws: `FileError`, `MapReduceError.corruptFile` from the runs.
    public func sorted() throws -> SortedValues {
        if runs.isEmpty {
            // The held values move to the reader (no copy of the arena).
            let values = SortedValues(positions: positions, ends: ends, arena: arena, order: heldOrder())
            positions = []
            ends = []
            arena = []
            return values
        }
        if !positions.isEmpty { try spill() }
        var pass = 0
        while runs.count > mergeFanIn {
            var next: [String] = []
            for start in stride(from: 0, to: runs.count, by: mergeFanIn) {
                let path = directory + "/merge-\(pass)-\(next.count).zst"
                let group = Array(runs[start..<min(start + mergeFanIn, runs.count)])
                try LocalRunner.mergeRuns(group, into: path, UInt64.self)
                for run in group { try FileSystem.remove(run) }
                next.append(path)
            }
            runs = next
            pass += 1
        }
        return SortedValues(merger: try RunMerger<UInt64>(paths: runs))
    }

    /// Forgets every value and removes the run files, for the next group.
    public func reset() {
        positions.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        arena.removeAll(keepingCapacity: true)
        lastPosition = nil
        isInOrder = true
        count = 0
        removeFiles()
    }

    /// Removes the run files (and the directory, when this sorter made it).
    public func removeFiles() {
        for run in runs { try? FileSystem.remove(run) }
        runs = []
        if spills > 0 { try? FileSystem.removeTree(directory) }
        spills = 0
    }
}

/// The values of a `PositionSorter` in position order, read once.
public final class SortedValues {
    private let positions: [InputPosition]
    private let ends: [Int]
    private let arena: [UInt8]
    private let order: [Int]
    private var index = 0
    private let merger: RunMerger<UInt64>?

    init(positions: [InputPosition], ends: [Int], arena: [UInt8], order: [Int]) {
        self.positions = positions
        self.ends = ends
        self.arena = arena
        self.order = order
        merger = nil
    }

    init(merger: RunMerger<UInt64>) {
        positions = []
        ends = []
        arena = []
        order = []
        self.merger = merger
    }

    /// The next value and its position, nil after the last.
    ///
    /// - Throws: `MapReduceError.corruptFile` for a damaged run.
    public func next() throws -> (position: InputPosition, value: [UInt8])? {
        guard let merger else {
            guard index < order.count else { return nil }
            let i = order[index]
            index += 1
            return (positions[i], Array(arena[(i == 0 ? 0 : ends[i - 1])..<ends[i]]))
        }
        guard let top = merger.top, let file = merger.cursors[top].key else { return nil }
        let cursor = merger.cursors[top]
        let item = (
            position: InputPosition(file: file, offset: cursor.row, emit: cursor.emit),
            value: Array(cursor.body[cursor.valueOffset...])
        )
        try merger.pop()
        return item
    }
}
