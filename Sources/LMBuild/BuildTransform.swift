import Foundation
import LMPrep
import MapReduce

/// `prepare_for_training` as the local build runs it on the local runner:
/// the map is the shared `DocumentMapper` (counting each split's emitted
/// documents for its map receipt), and the reduce of a group is the shared
/// `ShardReducer`, which writes the group's shard and yields its receipt;
/// a group whose staged shard verifies (a rerun of a killed build) is not
/// packed again, its receipt is reused.
struct BuildTransform: MapReduceTransform {
    typealias Input = ParsedDocument
    typealias Key = ReduceChunkKey
    typealias Value = TokenizedRow
    typealias Output = ShardReceipt

    let mapper: DocumentMapper
    let ledger: MapLedger
    let reducer: ShardReducer

    func map(_ document: ParsedDocument, emit: (ReduceChunkKey, TokenizedRow) throws -> Void) throws {
        _ = try mapper.map(document) { key, row in
            ledger.emitted(file: document.file, offset: document.offset, group: key.index)
            try emit(key, row)
        }
    }

    func reduce<S: ValueStream>(key: ReduceChunkKey, values: inout S, emit: (ShardReceipt) throws -> Void) throws
    where S.Element == TokenizedRow {
        if let kept = reducer.staging.keptShard(group: key.index) {
            try emit(kept)
            return
        }
        try emit(try reducer.reduce(group: key.index, values: &values))
    }
}

/// Collects the receipts of every reduce partition (the runner calls each
/// partition's sink from the worker reducing it). `@unchecked Sendable`:
/// the list is touched only under the lock.
final class ReceiptCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var receipts: [ShardReceipt] = []

    func sink() -> any PartitionSink<ShardReceipt> { Sink(collector: self) }

    /// Every receipt so far, in group order.
    var all: [ShardReceipt] {
        lock.lock()
        defer { lock.unlock() }
        return receipts.sorted { $0.group < $1.group }
    }

    private func add(_ receipt: ShardReceipt) {
        lock.lock()
        receipts.append(receipt)
        lock.unlock()
    }

    private final class Sink: PartitionSink {
        let collector: ReceiptCollector
        init(collector: ReceiptCollector) { self.collector = collector }
        func write(_ output: ShardReceipt) throws { collector.add(output) }
        func finish() throws {}
    }
}
