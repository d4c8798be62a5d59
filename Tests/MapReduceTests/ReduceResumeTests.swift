import Foundation
import TestSupport
import Testing
@testable import MapReduce

/// Values appended from several worker threads, in the order they came.
final class LockedList<Element>: @unchecked Sendable {
    private let lock = NSLock()
    private var elements: [Element] = []

    func add(_ element: Element) {
        lock.lock()
        defer { lock.unlock() }
        elements.append(element)
    }

    var all: [Element] {
        lock.lock()
        defer { lock.unlock() }
        return elements
    }
}

/// The keys a transform reduced (or the rows it mapped), in order.
typealias ReducedKeys = LockedList<Int>

/// Rows `i` grouped by `i % 60`; each group emits several outputs (so a
/// group's output is more than one record) and can fail on one key.
struct ModuloLists: MapReduceTransform {
    var failOnKey: Int?
    var reduced = ReducedKeys()
    /// The rows mapped (so a test sees whether a resumed run mapped again).
    var mapped = ReducedKeys()

    func map(_ row: Int, emit: (Int, Int) throws -> Void) throws {
        mapped.add(row)
        try emit(row % 60, row)
    }

    func reduce<S: ValueStream>(key: Int, values: inout S, emit: ([Int]) throws -> Void) throws
    where S.Element == Int {
        reduced.add(key)
        var all: [Int] = []
        while let v = try values.next() {
            all.append(v)
            if all.count % 7 == 0 { try emit([key] + all) }  // output before a failure
        }
        if key == failOnKey { throw RowError.missingColumn("boom") }
        try emit([key] + all)
    }
}

@Suite struct ReduceResumeTests {
    let rows = Array(0..<1200)
    /// One partition holds every group; a small budget spills a few runs.
    let runner = LocalRunner(workers: 2, memoryBudget: 4096, partitions: 1, batchRows: 100)

    func run(_ t: ModuloLists, rows: [Int], dir: String) throws -> [[Int]] {
        var r = runner
        r.workDirectory = dir
        var out: [[Int]] = []
        try r.run(t, rows: rows, jobIdentity: "resume") { out.append($0) }
        return out
    }

    /// Fails the reduce on `key`: the persistent job directory stays behind.
    func fail(on key: Int, rows: [Int], dir: String) {
        #expect(throws: MapReduceError.self) { _ = try run(ModuloLists(failOnKey: key), rows: rows, dir: dir) }
    }

    /// The partition's output `.tmp` and progress log of the job left in `dir`.
    func partitionFiles(dir: String) throws -> (output: String, progress: String) {
        let job = try #require(try FileManager.default.contentsOfDirectory(atPath: dir).first)
        let reduce = dir + "/" + job + "/reduce"
        return (reduce + "/p0.zst.tmp", reduce + "/p0.progress")
    }

    func append(_ bytes: [UInt8], to path: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(bytes))
    }

    @Test func rerunsDoNotReduceCommittedGroupsAgain() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let clean = try InMemoryRunner().run(ModuloLists(), rows: rows)
        #expect(clean.count > 60)
        fail(on: 20, rows: rows, dir: tmp.path)
        // The second attempt starts at the failed group and fails further on.
        let second = ModuloLists(failOnKey: 40)
        #expect(throws: MapReduceError.self) { _ = try run(second, rows: [], dir: tmp.path) }
        #expect(second.reduced.all == Array(20...40))
        // The third reads no input (map output is reused) and reduces only the rest.
        let third = ModuloLists()
        #expect(try run(third, rows: [], dir: tmp.path) == clean)
        #expect(third.reduced.all == Array(40..<60))
        #expect(directoryIsEmpty(tmp.path))
    }

    @Test func tornProgressAndUncommittedOutputAreDropped() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        fail(on: 30, rows: rows, dir: tmp.path)
        // A kill mid-append tears the last record; one after writing a
        // group's output leaves bytes past the committed length.
        let files = try partitionFiles(dir: tmp.path)
        try append([7, 0, 0, 0, 1, 2], to: files.progress)
        try append([0x28, 0xB5, 0x2F, 0xFD, 9, 9, 9], to: files.output)
        let rerun = ModuloLists()
        #expect(try run(rerun, rows: [], dir: tmp.path) == (try InMemoryRunner().run(ModuloLists(), rows: rows)))
        #expect(rerun.reduced.all == Array(30..<60))
    }

    @Test func outputShorterThanCommittedStartsThePartitionOver() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        fail(on: 30, rows: rows, dir: tmp.path)
        let files = try partitionFiles(dir: tmp.path)
        let handle = try #require(FileHandle(forWritingAtPath: files.output))
        try handle.truncate(atOffset: 3)
        try handle.close()
        let rerun = ModuloLists()
        #expect(try run(rerun, rows: [], dir: tmp.path) == (try InMemoryRunner().run(ModuloLists(), rows: rows)))
        #expect(rerun.reduced.all == Array(0..<60))
    }

    @Test func progressLogKeepsTheLastWholeRecord() {
        let first = ReduceProgress.record(keyBytes: [1, 2], output: .init(length: 10, blocks: 1))
        let second = ReduceProgress.record(keyBytes: [3], output: .init(length: 25, blocks: 3))
        // Key length 4, key 2, output length 8, blocks 8, checksum 8.
        #expect(first.count == 30)
        let log = first + second
        #expect(
            ReduceProgress.lastCommit(in: log)
                == .init(keyBytes: [3], output: .init(length: 25, blocks: 3), logLength: UInt64(log.count)))
        // Torn: cut short, or garbage after the last record.
        let atFirst = ReduceProgress.Commit(
            keyBytes: [1, 2], output: .init(length: 10, blocks: 1), logLength: UInt64(first.count))
        #expect(ReduceProgress.lastCommit(in: Array(log.dropLast())) == atFirst)
        var flipped = log
        flipped[first.count + 4] ^= 1  // second record's key, checksum no longer matches
        #expect(ReduceProgress.lastCommit(in: flipped) == atFirst)
        #expect(ReduceProgress.lastCommit(in: [9, 9, 9]) == nil)
    }
}
