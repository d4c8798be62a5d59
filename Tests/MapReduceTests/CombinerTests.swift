import Foundation
import TestSupport
import LMJSON
import Testing
@testable import MapReduce

/// Counts combiner calls across worker threads.
final class CallCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func increment() {
        lock.lock()
        defer { lock.unlock() }
        count += 1
    }

    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}

/// Joins each group's contents with "|" in the order the reducer sees them.
/// Its combiner joins too: associative but not commutative, so folding
/// anything but adjacent values in input order changes the output. Keys are
/// skewed: about three quarters of the rows land on key 0.
struct JoinBySkewedID: MapReduceTransform, JSONRowTransform {
    let calls = CallCounter()

    func map(_ row: JSONValue, emit: (Int64, String) throws -> Void) throws {
        guard case .object(let o) = row, case .int(let id)? = o["id"] else { throw RowError.missingColumn("id") }
        let content = try row.stringColumn("content")
        try emit(id > -3 ? 0 : id, "\(id):\(content)")
        try emit(0, "#")  // a second pair of the same key in the same row
    }

    var combiner: Combiner<String>? {
        Combiner { [calls] earlier, later in
            calls.increment()
            earlier += "|" + later
        }
    }

    func reduce<S: ValueStream>(key: Int64, values: inout S, emit: (JSONValue) throws -> Void) throws
    where S.Element == String {
        var all: [String] = []
        while let v = try values.next() { all.append(v) }
        try emit(.object(JSONObject([("id", .int(key)), ("joined", .string(all.joined(separator: "|")))])))
    }
}

@Suite struct CombinerTests {
    let rows = randomRows(count: 3000, seed: 7)

    func collect<T: MapReduceTransform>(_ t: T, workers: Int, combines: Bool, dir: String) throws -> [JSONValue]
    where T.Input == JSONValue, T.Output == JSONValue {
        try collectLocal(t, rows: rows, workers: workers, dir: dir, combines: combines)
    }

    @Test(arguments: [1, 2, 4])
    func orderSensitiveCombinerGivesIdenticalOutput(workers: Int) throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let dir = tmp.path
        let expected = try InMemoryRunner().run(JoinBySkewedID(), rows: rows)
        #expect(expected.count == 4)  // keys -5, -4, -3 and the heavy 0

        let plain = JoinBySkewedID()
        #expect(try collect(plain, workers: workers, combines: false, dir: dir) == expected)
        #expect(plain.calls.value == 0)

        let combined = JoinBySkewedID()
        #expect(try collect(combined, workers: workers, combines: true, dir: dir) == expected)
        #expect(combined.calls.value > 0)  // the combiner really ran
        #expect(directoryIsEmpty(dir))
    }

    @Test(arguments: [1, 2, 4])
    func countCharsWithAndWithoutCombinerMatchInMemory(workers: Int) throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let dir = tmp.path
        let t = CountCharsTransform(CountCharsConfig(column: "content"))
        let expected = try InMemoryRunner().run(t, rows: rows)
        #expect(try collect(t, workers: workers, combines: true, dir: dir) == expected)
        #expect(try collect(t, workers: workers, combines: false, dir: dir) == expected)
        #expect(directoryIsEmpty(dir))
    }

    @Test func transformsWithoutCombinerHaveNone() {
        #expect(ListByID().combiner == nil)
        #expect(CountCharsTransform(CountCharsConfig(column: "content")).combiner != nil)
    }
}
