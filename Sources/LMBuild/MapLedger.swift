import Foundation

/// Where a map records a skipped row: one log for the whole build, or the
/// per-split `MapLedger`.
protocol RejectRecorder: Sendable {
    func add(_ entry: RejectLog.Entry)
}

extension RejectLog: RejectRecorder {}

/// What a map saw, per split, for its map receipts: documents read and
/// their bytes (counted on the reading thread), documents emitted into each
/// reduce group and rows skipped (counted on the map workers).
///
/// Rows are attributed to a split by `(file, offset)`, the rule the splits
/// are defined by, so the local build (which reads whole files) writes the
/// same receipts as map tasks reading the splits one by one. `@unchecked
/// Sendable`: every access takes the lock (a few per document, against
/// tokenizing it).
final class MapLedger: RejectRecorder, @unchecked Sendable {
    struct Counts {
        var documentsRead = 0
        var bytesRead: Int64 = 0
        var emitted: [Int: Int] = [:]
        var rejects = RejectLog()
    }
    /// The splits receipts are written for, with their receipt ids.
    let splits: [(id: String, split: PlanSplit)]
    private var counts: [Counts]
    /// Per file: indices into `splits` in ascending `start` order.
    private let byFile: [Int: [Int]]
    private let lock = NSLock()

    init(splits: [(id: String, split: PlanSplit)]) {
        self.splits = splits
        counts = splits.map { _ in Counts() }
        var byFile: [Int: [Int]] = [:]
        for (i, s) in splits.enumerated() { byFile[s.split.file, default: []].append(i) }
        self.byFile = byFile.mapValues { $0.sorted { splits[$0].split.start < splits[$1].split.start } }
    }

    /// The split owning the row at `offset` of `file` (the last split of
    /// the file starting at or before it).
    private func index(file: Int, offset: Int) -> Int? {
        guard let candidates = byFile[file] else { return nil }
        var low = 0, high = candidates.count
        while low < high {
            let mid = (low + high) / 2
            if splits[candidates[mid]].split.start <= Int64(offset) { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? nil : candidates[low - 1]
    }

    func read(file: Int, offset: Int, bytes: Int) {
        guard let i = index(file: file, offset: offset) else { return }
        lock.lock()
        counts[i].documentsRead += 1
        counts[i].bytesRead += Int64(bytes)
        lock.unlock()
    }

    func emitted(file: Int, offset: Int, group: Int) {
        guard let i = index(file: file, offset: offset) else { return }
        lock.lock()
        counts[i].emitted[group, default: 0] += 1
        lock.unlock()
    }

    func add(_ entry: RejectLog.Entry) {
        guard let i = index(file: entry.fileIndex, offset: entry.offset) else { return }
        lock.lock()
        let log = counts[i].rejects
        lock.unlock()
        log.add(entry)
    }

    /// The receipts, in split order. Lines of skipped rows that the reader
    /// did not know are counted now, for the few entries kept.
    ///
    /// - Parameter end: overrides each receipt's end (stdin: what was read).
    func receipts(locator: RowLocator, end: ((Int) -> Int64?)? = nil) -> [MapReceipt] {
        lock.lock()
        defer { lock.unlock() }
        return splits.indices.map { i in
            let c = counts[i]
            let (skipped, first) = c.rejects.located(by: locator)
            return MapReceipt(
                split: splits[i].id, file: splits[i].split.file, start: splits[i].split.start,
                end: end.map { $0(i) } ?? splits[i].split.end, documentsRead: c.documentsRead,
                bytesRead: c.bytesRead, emitted: c.emitted.sorted { $0.key < $1.key }.map { [$0.key, $0.value] },
                skipped: skipped,
                firstSkipped: first.map { .init(file: $0.file, line: $0.line, offset: $0.offset, reason: $0.reason) })
        }
    }

    /// Documents read over every split.
    var documentsRead: Int {
        lock.lock()
        defer { lock.unlock() }
        return counts.reduce(0) { $0 + $1.documentsRead }
    }
}
