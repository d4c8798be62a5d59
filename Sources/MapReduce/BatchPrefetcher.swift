import Foundation

/// Pulls batches of input elements on a thread of its own, one batch ahead
/// of the consumer, so reading and splitting the input (serial by nature)
/// overlaps with the workers mapping the previous batch instead of leaving
/// them idle at every batch.
///
/// Batches come in input order, each exactly `batchRows` elements except
/// the last; an empty batch means the input is exhausted. Only the reader
/// thread touches the iterator once `init` returns. Memory: at most two
/// batches (the one being mapped and the one read ahead) plus the one the
/// reader is filling.
///
/// The consumer must call `finish()` before it returns (also on errors):
/// it stops the reader after its current batch and waits for the thread,
/// so the iterator (e.g. a `FileLines` over a descriptor the caller closes)
/// is never used after the run.
final class BatchPrefetcher<I: IteratorProtocol>: @unchecked Sendable {
    private let condition = NSCondition()
    private var iterator: I
    private let batchRows: Int
    /// The batch read ahead, not yet taken.
    private var ready: [I.Element]?
    private var stopRequested = false
    private var readerExited = false

    init(_ iterator: I, batchRows: Int) {
        self.iterator = iterator
        self.batchRows = batchRows
        let thread = Thread { [self] in read() }
        thread.name = "lmshard-input"
        thread.start()
    }

    private func read() {
        defer {
            condition.lock()
            readerExited = true
            condition.broadcast()
            condition.unlock()
        }
        while true {
            condition.lock()
            let stop = stopRequested
            condition.unlock()
            if stop { return }
            let batch = LocalRunner.nextBatch(&iterator, count: batchRows)
            condition.lock()
            while ready != nil && !stopRequested { condition.wait() }
            if !stopRequested { ready = batch }
            condition.broadcast()
            condition.unlock()
            if batch.isEmpty { return }
        }
    }

    /// The next batch in input order; empty once the input is exhausted.
    func next() -> [I.Element] {
        condition.lock()
        defer { condition.unlock() }
        while ready == nil && !readerExited { condition.wait() }
        guard let batch = ready else { return [] }
        if !batch.isEmpty { ready = nil }  // the empty end marker stays
        condition.broadcast()
        return batch
    }

    /// Stops the reader (after the batch it is reading) and waits for it.
    func finish() {
        condition.lock()
        stopRequested = true
        condition.broadcast()
        while !readerExited { condition.wait() }
        ready = nil
        condition.unlock()
    }
}
