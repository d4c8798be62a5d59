import Foundation
import TestSupport
import LMJSON
import Testing
@testable import MapReduce

/// Groups rows by their `id` column and lists the contents in the order the
/// reducer sees them, so any break of "values in input order" shows up.
struct ListByID: MapReduceTransform, JSONRowTransform {
    var failOnKey: Int64? = nil

    func map(_ row: JSONValue, emit: (Int64, JSONValue) throws -> Void) throws {
        guard case .object(let o) = row, case .int(let id)? = o["id"] else { throw RowError.missingColumn("id") }
        try emit(id, row)
        try emit(id &+ 100, .string(try row.stringColumn("content")))  // two pairs per row
    }

    func reduce<S: ValueStream>(key: Int64, values: inout S, emit: (JSONValue) throws -> Void) throws
    where S.Element == JSONValue {
        if key == failOnKey { throw RowError.missingColumn("boom") }
        var all: [JSONValue] = []
        while let v = try values.next() { all.append(v) }
        try emit(.object(JSONObject([("id", .int(key)), ("values", .array(all))])))
    }
}

func directoryIsEmpty(_ path: String) -> Bool {
    ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? ["?"]).isEmpty
}

/// `LocalRunner`'s output for 3000 rows in 5 partitions. A 2 KiB budget and
/// 32-row batches spill about once per batch: ~94 runs per partition, more
/// than the 64-run merge fan-in.
func collectLocal<T: MapReduceTransform>(
    _ t: T, rows: [JSONValue], workers: Int, dir: String, combines: Bool = true
) throws -> [JSONValue] where T.Input == JSONValue, T.Output == JSONValue {
    var runner = LocalRunner(workers: workers, memoryBudget: 2048, workDirectory: dir, partitions: 5, batchRows: 32)
    runner.combines = combines
    var out: [JSONValue] = []
    try runner.run(t, rows: rows) { out.append($0) }
    return out
}

@Suite struct LocalRunnerTests {
    let rows = randomRows(count: 3000, seed: 42)

    func collect<T: MapReduceTransform>(_ t: T, workers: Int, dir: String) throws -> [JSONValue]
    where T.Input == JSONValue, T.Output == JSONValue {
        try collectLocal(t, rows: rows, workers: workers, dir: dir)
    }

    @Test(arguments: [1, 2, 4])
    func countCharsMatchesInMemoryWithManySpills(workers: Int) throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let dir = tmp.path
        let t = CountCharsTransform(CountCharsConfig(column: "content", lowercase: true))
        let expected = try InMemoryRunner().run(t, rows: rows)
        #expect(expected.count > 10)
        #expect(try collect(t, workers: workers, dir: dir) == expected)
        #expect(directoryIsEmpty(dir))
    }

    @Test(arguments: [1, 2, 4])
    func groupValuesKeepInputOrder(workers: Int) throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let dir = tmp.path
        let expected = try InMemoryRunner().run(ListByID(), rows: rows)
        // ids -5...5 and 95...105: 22 groups of ~136 values each.
        #expect(expected.count == 22)
        #expect(try collect(ListByID(), workers: workers, dir: dir) == expected)
        #expect(directoryIsEmpty(dir))
    }

    /// Chunk ranges tile the batch in order and shrink from first to last,
    /// so the work left at a batch barrier is small.
    @Test(arguments: [(0, 16), (1, 16), (15, 16), (4096, 32), (4097, 32), (100_000, 64), (7, 128)])
    func chunkRangesTileTheBatchAndShrink(rows: Int, chunks: Int) {
        let ranges = (0..<chunks).map { LocalRunner.chunkRange($0, of: chunks, rows: rows) }
        #expect(ranges.first?.lowerBound == 0)
        #expect(ranges.last?.upperBound == rows)
        for (a, b) in zip(ranges, ranges.dropFirst()) {
            #expect(a.upperBound == b.lowerBound)
            #expect(a.count + 1 >= b.count)  // non-increasing up to rounding
        }
        if rows >= chunks * chunks {
            #expect(ranges[0].count > 4 * ranges[chunks - 1].count)
        }
    }

    @Test func emptyInputGivesNoRowsAndCleansUp() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let dir = tmp.path
        var out: [JSONValue] = []
        try LocalRunner(workers: 2, workDirectory: dir).run(ListByID(), rows: [JSONValue]()) { out.append($0) }
        #expect(out.isEmpty)
        #expect(directoryIsEmpty(dir))
    }

    @Test func mapOnlyKeepsInputOrder() throws {
        let t = ChangeCaseTransform(ChangeCaseConfig(column: "content", toLower: false))
        let expected = try InMemoryRunner().run(t, rows: rows)
        for workers in [1, 3] {
            var out: [JSONValue] = []
            try LocalRunner(workers: workers, batchRows: 100).run(t, rows: rows) { out.append($0) }
            #expect(out == expected)
        }
    }

    @Test func failingReduceCleansUpAndNamesKey() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let dir = tmp.path
        #expect {
            _ = try collect(ListByID(failOnKey: 3), workers: 2, dir: dir)
        } throws: { error in
            // Key 3's sortable text; the message carries the key and the cause.
            "\(error)".contains("00000000000000000003") && "\(error)".contains("boom")
        }
        #expect(directoryIsEmpty(dir))
    }

    @Test func failingMapReportsEarliestRow() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let dir = tmp.path
        var bad = Array(rows.prefix(500))
        bad[400] = row(("id", .int(1)))  // no "content": row 401
        bad[77] = row(("content", .string("x")))  // no "id": row 78, the earliest
        for workers in [1, 2, 4] {
            #expect {
                try LocalRunner(workers: workers, memoryBudget: 1024, workDirectory: dir, batchRows: 32)
                    .run(ListByID(), rows: bad) { _ in }
            } throws: { error in
                (error as? MapReduceError)?.row == 78
            }
        }
        #expect(directoryIsEmpty(dir))
    }

    @Test func resumesFromPersistentWorkDirectory() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let dir = tmp.path
        let runner = LocalRunner(workers: 2, memoryBudget: 4096, workDirectory: dir, partitions: 4, batchRows: 64)
        // First attempt fails in reduce: the job directory stays, map marked done.
        #expect(throws: MapReduceError.self) {
            try runner.run(ListByID(failOnKey: 2), rows: rows, jobIdentity: "job-1") { _ in }
        }
        #expect(!directoryIsEmpty(dir))
        // The rerun reads no input at all (the map output is reused): feed it
        // an empty input and still get the full answer.
        var out: [JSONValue] = []
        try runner.run(ListByID(), rows: [JSONValue](), jobIdentity: "job-1") { out.append($0) }
        #expect(out == (try InMemoryRunner().run(ListByID(), rows: rows)))
        #expect(directoryIsEmpty(dir))
    }

    @Test func corruptSpillIsATypedError() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let dir = tmp.path
        let runner = LocalRunner(workers: 1, memoryBudget: 1 << 20, workDirectory: dir, partitions: 1, batchRows: 64)
        #expect(throws: MapReduceError.self) {
            try runner.run(ListByID(failOnKey: 2), rows: rows, jobIdentity: "job-2") { _ in }
        }
        // Truncate the single run file, then resume.
        let job = try #require(try FileManager.default.contentsOfDirectory(atPath: dir).first)
        let run = dir + "/" + job + "/map/p0-r0.zst"
        let data = try #require(FileManager.default.contents(atPath: run))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: run))
        try? FileManager.default.removeItem(atPath: dir + "/" + job + "/reduce")
        #expect {
            try runner.run(ListByID(), rows: rows, jobIdentity: "job-2") { _ in }
        } throws: { error in
            if case .corruptFile(let path, _, _)? = error as? MapReduceError { return path.hasSuffix("p0-r0.zst") }
            return false
        }
    }
}
