import Foundation

/// Rows the build skipped (with `--skip-bad-rows`): a count and the first
/// few reasons in input order. Shared by the map workers: `@unchecked
/// Sendable` because every access takes its lock.
public final class RejectLog: @unchecked Sendable {
    public struct Entry: Sendable, Equatable {
        public let file: String
        public let line: Int?
        public let reason: String
        /// Position of `file` in the build's input list: input order, which
        /// the path's spelling does not give.
        let fileIndex: Int
        /// Byte offset of the row in its file, for order within a file.
        let offset: Int

        init(file: String, line: Int?, reason: String, fileIndex: Int, offset: Int = 0) {
            self.file = file
            self.line = line
            self.reason = reason
            self.fileIndex = fileIndex
            self.offset = offset
        }

        public var description: String { line.map { "\(file):\($0): \(reason)" } ?? "\(file): \(reason)" }

        /// Input order: file, then offset (rows read whole have offset 0
        /// only when they are the file's only document; lines order ties).
        static func precedes(_ a: Entry, _ b: Entry) -> Bool {
            (a.fileIndex, a.offset, a.line ?? 0) < (b.fileIndex, b.offset, b.line ?? 0)
        }
    }
    private let lock = NSLock()
    private var entries: [Entry] = []
    private var total = 0
    let keep: Int

    init(keep: Int = 5) { self.keep = keep }

    func add(_ entry: Entry) {
        lock.lock()
        defer { lock.unlock() }
        total += 1
        entries.append(entry)
        // Workers finish out of order: keep the earliest rows, not the first to arrive.
        if entries.count > keep * 4 { trim() }
    }

    /// Adds `count` skipped rows of which `first` are the earliest (another
    /// split's log, read back from its receipt).
    func merge(count: Int, first: [Entry]) {
        lock.lock()
        defer { lock.unlock() }
        total += count
        entries += first
        trim()
    }

    private func trim() {
        entries.sort(by: Entry.precedes)
        entries.removeSubrange(min(keep, entries.count)...)
    }

    /// `snapshot` with each kept entry's unknown line counted in its file
    /// (or the entry named by its byte offset where it cannot be).
    func located(by locator: RowLocator) -> (count: Int, first: [Entry]) {
        let (count, first) = snapshot
        return (count, first.map { e in
            guard e.line == nil else { return e }
            let place = locator.place(file: e.fileIndex, line: nil, offset: e.offset)
            return Entry(file: place.file, line: place.line, reason: place.prefix + e.reason, fileIndex: e.fileIndex, offset: e.offset)
        })
    }

    /// How many rows were skipped, and the first few by input order.
    var snapshot: (count: Int, first: [Entry]) {
        lock.lock()
        defer { lock.unlock() }
        trim()
        return (total, entries)
    }
}
