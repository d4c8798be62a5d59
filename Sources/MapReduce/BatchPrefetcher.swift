import Foundation
import LMIO

/// Where a `LocalRunner` job's input enters: batches of input elements in
/// input order, pulled one batch ahead by the runner's reader thread
/// (`BatchPrefetcher`) and mapped by the workers.
///
/// Two sources come with the runner: `SequenceBatches` (any sequence, as
/// arrays) and LMIO's `LineBatches` (a file's lines as views into large
/// read blocks, without an allocation per line). A source is only ever
/// used from one thread at a time (the runner's reader thread, hence
/// `SendableMetatype`); `~Copyable` sources (a file reader owns its
/// descriptor) are consumed by the run.
public protocol BatchSource: ~Copyable, SendableMetatype {
    /// A batch of elements, read by several workers at once.
    associatedtype Batch: InputBatch & Sendable
    /// The next batch of at least one and at most `maxRows` elements, or nil
    /// at the end of the input.
    ///
    /// - Throws: a read error; the runner stops and rethrows it.
    mutating func nextBatch(maxRows: Int) throws -> Batch?
}

/// A batch's elements, lent out one at a time: an array's values, or a
/// line batch's lines (raw memory inside the batch's block, valid only
/// while the closure runs). Workers read one batch at once.
public protocol InputBatch {
    /// What one input row is before `prepare` turns it into a transform input.
    associatedtype Element
    /// Elements in the batch.
    var count: Int { get }
    /// Calls `body` with element `i`, which must not escape it.
    func withElement<R>(_ i: Int, _ body: (Element) throws -> R) rethrows -> R
}

extension Array: InputBatch {
    /// Lends `self[i]`.
    @inline(__always)
    public func withElement<R>(_ i: Int, _ body: (Element) throws -> R) rethrows -> R { try body(self[i]) }
}

extension LineBatch: InputBatch {
    /// Lends line `i`'s bytes (see `withUnsafeLine`).
    @inline(__always)
    public func withElement<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeLine(i, body)
    }
}

extension LineBatches: BatchSource where Source: ~Copyable {}

/// A sequence's elements in batches of `maxRows`, as arrays.
public struct SequenceBatches<Base: IteratorProtocol>: BatchSource where Base.Element: Sendable {
    private var base: Base

    public init(_ base: Base) { self.base = base }

    public mutating func nextBatch(maxRows: Int) -> [Base.Element]? {
        var batch: [Base.Element] = []
        batch.reserveCapacity(maxRows)
        while batch.count < maxRows, let e = base.next() { batch.append(e) }
        return batch.isEmpty ? nil : batch
    }
}

/// Pulls batches from a `BatchSource` on a thread of its own, one batch
/// ahead of the consumer, so reading the input (serial by nature) overlaps
/// with the workers mapping the previous batch instead of leaving them idle
/// at every batch.
///
/// Batches come in input order, each of at most `batchRows` elements; nil
/// means the input is exhausted. Only the reader thread touches the source
/// once `init` returns. Memory: at most two batches (the one being mapped
/// and the one read ahead) plus the one the reader is filling.
///
/// The consumer must call `finish()` before it returns (also on errors):
/// it stops the reader after its current batch and waits for the thread,
/// so the source is never used after the run (and, owned by the
/// prefetcher, is released with it).
///
/// `@unchecked Sendable`: the source is touched only by the reader thread;
/// `ready` and the flags only under `condition`.
final class BatchPrefetcher<Source: BatchSource & ~Copyable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var source: Source
    private let batchRows: Int
    /// The batch read ahead (nil inside: the end), or the read error; not yet taken.
    private var ready: Result<Source.Batch?, any Error>?
    private var stopRequested = false
    private var readerExited = false

    init(_ source: consuming Source, batchRows: Int) {
        self.source = source
        self.batchRows = batchRows
        let thread = Thread { [self] in read() }
        thread.name = "lmshard-input"
        thread.start()
    }

    /// Batches of an iterator's elements, as arrays.
    convenience init<I: IteratorProtocol>(_ iterator: I, batchRows: Int)
    where Source == SequenceBatches<I>, I.Element: Sendable {
        self.init(SequenceBatches(iterator), batchRows: batchRows)
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
            let batch = Result { try source.nextBatch(maxRows: batchRows) }
            condition.lock()
            while ready != nil && !stopRequested { condition.wait() }
            if !stopRequested { ready = batch }
            condition.broadcast()
            condition.unlock()
            // The end and errors stay in `ready` for every later `next()`.
            guard case .success(.some) = batch else { return }
        }
    }

    /// The next batch in input order; nil once the input is exhausted.
    ///
    /// - Throws: what the source threw, at the point of the input it failed.
    func next() throws -> Source.Batch? {
        condition.lock()
        defer { condition.unlock() }
        while ready == nil && !readerExited { condition.wait() }
        guard let result = ready else { return nil }
        if case .success(.some) = result { ready = nil }  // the end marker and errors stay
        condition.broadcast()
        return try result.get()
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
