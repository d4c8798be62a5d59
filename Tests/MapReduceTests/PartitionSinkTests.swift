import Foundation
import LMJSON
import TestSupport
import Testing

@testable import MapReduce

/// Collects one partition's outputs; records whether `finish` ran.
final class CollectingSink: PartitionSink {
    let partition: Int
    var outputs: [JSONValue] = []
    var finished = 0
    init(partition: Int) { self.partition = partition }
    func write(_ output: JSONValue) throws { outputs.append(output) }
    func finish() throws { finished += 1 }
}

/// Every sink the runner made, from whichever worker made it.
final class SinkRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var sinks: [CollectingSink] = []
    func make(_ partition: Int) -> CollectingSink {
        let sink = CollectingSink(partition: partition)
        lock.lock()
        sinks.append(sink)
        lock.unlock()
        return sink
    }
}

/// Reduce outputs written through per-partition sinks: each partition once,
/// groups in key order, and together exactly what `emit` would have given.
@Suite struct PartitionSinkTests {
    let rows = randomRows(count: 1500, seed: 9)

    func id(_ row: JSONValue) -> Int64 {
        guard case .object(let o) = row, case .int(let id)? = o["id"] else { return -1 }
        return id
    }

    @Test(arguments: [1, 2, 4])
    func sinksGetEveryPartitionOnceInKeyOrder(workers: Int) throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let runner = LocalRunner(workers: workers, memoryBudget: 2048, workDirectory: tmp.path, partitions: 5, batchRows: 32)
        let registry = SinkRegistry()
        try runner.run(ListByID(), input: rows, prepare: { $0 }, sinks: { registry.make($0) })
        #expect(registry.sinks.map(\.partition).sorted() == Array(0..<5))
        #expect(registry.sinks.allSatisfy { $0.finished == 1 })
        for sink in registry.sinks {
            let keys = sink.outputs.map(id)
            #expect(keys == keys.sorted(), "partition \(sink.partition) out of key order")
        }
        let all = registry.sinks.flatMap(\.outputs).sorted { id($0) < id($1) }
        #expect(all == (try InMemoryRunner().run(ListByID(), rows: rows)))
        #expect(directoryIsEmpty(tmp.path))
    }

    @Test func failingReduceThrowsAndLeavesItsPartitionUnfinished() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let runner = LocalRunner(workers: 2, memoryBudget: 2048, workDirectory: tmp.path, partitions: 3, batchRows: 32)
        let registry = SinkRegistry()
        let failing = id(rows[10])
        #expect(throws: MapReduceError.self) {
            try runner.run(ListByID(failOnKey: failing), input: rows, prepare: { $0 }, sinks: { registry.make($0) })
        }
        let unfinished = registry.sinks.filter { $0.finished == 0 }
        #expect(unfinished.count == 1)
        #expect(unfinished.first?.outputs.map(id).allSatisfy { $0 < failing } == true)
        #expect(directoryIsEmpty(tmp.path))
    }
}
