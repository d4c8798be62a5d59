import Foundation
import TestSupport
import LMJSON
import Testing
@testable import MapReduce

/// Counts how many elements were pulled, from any thread.
final class CountingIterator: IteratorProtocol, @unchecked Sendable {
    private let lock = NSLock()
    private var pulled = 0
    let limit: Int

    init(limit: Int) { self.limit = limit }

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return pulled
    }

    func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard pulled < limit else { return nil }
        pulled += 1
        return pulled - 1
    }
}

struct CountingSequence: Sequence {
    let iterator: CountingIterator
    func makeIterator() -> CountingIterator { iterator }
}

/// Emits the row back, failing on the chosen rows.
struct FailOn: MapTransform {
    var failing: Set<Int> = []
    func map(_ row: Int, emit: (Int) throws -> Void) throws {
        if failing.contains(row) { throw RowError.missingColumn("row \(row)") }
        try emit(row)
    }
}

/// Sums rows by `row % 7`, failing on the chosen rows.
struct SumMod7FailOn: MapReduceTransform {
    var failing: Set<Int> = []
    func map(_ row: Int, emit: (Int64, Int64) throws -> Void) throws {
        if failing.contains(row) { throw RowError.missingColumn("row \(row)") }
        try emit(Int64(row % 7), Int64(row))
    }
    func reduce<S: ValueStream>(key: Int64, values: inout S, emit: (Int64) throws -> Void) throws
    where S.Element == Int64 {
        var sum: Int64 = 0
        while let v = try values.next() { sum += v }
        try emit(sum)
    }
}

@Suite struct PipelineTests {
    @Test func prefetcherYieldsFullBatchesInOrderThenStaysEmpty() throws {
        let batches = BatchPrefetcher(CountingIterator(limit: 10), batchRows: 4)
        defer { batches.finish() }
        #expect(try batches.next() == [0, 1, 2, 3])
        #expect(try batches.next() == [4, 5, 6, 7])
        #expect(try batches.next() == [8, 9])
        #expect(try batches.next() == nil)
        #expect(try batches.next() == nil)
    }

    @Test func prefetcherOnEmptyInput() throws {
        let batches = BatchPrefetcher(CountingIterator(limit: 0), batchRows: 4)
        #expect(try batches.next() == nil)
        batches.finish()
    }

    @Test func finishStopsTheReaderAndNothingIsPulledAfterIt() throws {
        let source = CountingIterator(limit: 1_000_000)
        let batches = BatchPrefetcher(source, batchRows: 10)
        #expect(try batches.next() == Array(0..<10))
        batches.finish()
        let after = source.count
        // At most the batch read ahead and the one being filled.
        #expect(after <= 30)
        Thread.sleep(forTimeInterval: 0.05)
        #expect(source.count == after)
        #expect(try batches.next() == nil)
    }

    @Test func largestFirstOrdersBySizeThenIndex() {
        #expect(LocalRunner.largestFirst([3, 9, 0, 9, 5]) == [1, 3, 4, 0, 2])
        #expect(LocalRunner.largestFirst([]) == [])
    }

    @Test(arguments: [1, 2, 3])
    func mapOnlyErrorIsTheEarliestRowAndReadingStops(workers: Int) {
        let source = CountingIterator(limit: 100_000)
        // Row 2051 (index 2050) fails in the 33rd batch, row 2990 in a later one.
        #expect {
            try LocalRunner(workers: workers, batchRows: 64)
                .run(FailOn(failing: [2990, 2050]), input: CountingSequence(iterator: source), prepare: { $0 }) { _ in }
        } throws: { error in
            (error as? MapReduceError)?.row == 2051
        }
        // The run stopped the reader: a few batches past the failing one at most.
        #expect(source.count <= 2050 + 3 * 64)
    }

    @Test(arguments: [1, 2, 3])
    func mapReduceErrorIsTheEarliestRowAndReadingStops(workers: Int) throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let dir = tmp.path
        let source = CountingIterator(limit: 100_000)
        #expect {
            try LocalRunner(workers: workers, memoryBudget: 4096, workDirectory: dir, partitions: 3, batchRows: 64)
                .run(SumMod7FailOn(failing: [1000, 640]), input: CountingSequence(iterator: source), prepare: { $0 }) { _ in }
        } throws: { error in
            (error as? MapReduceError)?.row == 641
        }
        #expect(source.count <= 640 + 3 * 64)
        #expect(directoryIsEmpty(dir))
    }

    @Test func mapReduceOutputIsTheSameForEveryWorkerCount() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let dir = tmp.path
        var expected: [Int64] = []
        for workers in [1, 2, 3, 5] {
            var out: [Int64] = []
            // Tiny budget and batches: many spills, partitions of unequal size.
            try LocalRunner(workers: workers, memoryBudget: 2048, workDirectory: dir, partitions: 4, batchRows: 50)
                .run(SumMod7FailOn(), input: 0..<20_000, prepare: { $0 }) { out.append($0) }
            if expected.isEmpty { expected = out }
            #expect(out == expected)
        }
        var sums = [Int64](repeating: 0, count: 7)
        for r in 0..<20_000 { sums[r % 7] += Int64(r) }
        #expect(expected == sums)
    }

    @Test func jsonlFileOutputIsByteIdenticalForEveryWorkerCount() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let dir = tmp.path
        var input: [UInt8] = []
        for r in randomRows(count: 2000, seed: 7) { JSONLines.append(r, to: &input) }
        try Data(input).write(to: URL(fileURLWithPath: dir + "/in.jsonl"))
        let transforms: [any JSONRowTransform] = [
            CountCharsTransform(CountCharsConfig(column: "content")),
            ChangeCaseTransform(ChangeCaseConfig(column: "content", toLower: true)),
        ]
        for (n, t) in transforms.enumerated() {
            var first: Data?
            for workers in [1, 2, 4] {
                let out = dir + "/out-\(n)-\(workers).jsonl"
                try LocalRunner(workers: workers, memoryBudget: 8192, workDirectory: dir, partitions: 3, batchRows: 37)
                    .run(jsonTransform: t, inputPath: dir + "/in.jsonl", outputPath: out)
                let data = try #require(FileManager.default.contents(atPath: out))
                #expect(!data.isEmpty)
                if let first { #expect(data == first) } else { first = data }
            }
        }
    }
}
