/// The two kinds of transform the seed notebook defines, as protocols.
///
/// A transform only says what happens to rows; *where* it runs is a runner's
/// job (`InMemoryRunner` for tests and small jobs, `LocalRunner` for all cores
/// with a disk-spilling shuffle, the streaming mapper/reducer for Hadoop
/// Streaming–style engines). That split is what lets users add transforms in
/// Swift without touching any runner.

/// One row in, any number of rows out (the seed's `MapTransformBase`).
public protocol MapTransform: Sendable {
    associatedtype Input
    associatedtype Output
    func map(_ row: Input, emit: (Output) throws -> Void) throws
}

/// Map to `(key, value)` pairs, group by key, reduce each group
/// (the seed's `MapReduceTransformBase`).
///
/// Runners guarantee the seed's order: groups in ascending key order, values
/// inside a group in input order, whatever the number of workers.
public protocol MapReduceTransform: Sendable {
    associatedtype Input
    associatedtype Key: ShuffleKey
    associatedtype Value: ShuffleCodable
    associatedtype Output
    func map(_ row: Input, emit: (Key, Value) throws -> Void) throws
    /// `values` streams the group's values in input order; it may be read once.
    func reduce<S: ValueStream>(key: Key, values: inout S, emit: (Output) throws -> Void) throws
    where S.Element == Value
}

/// A once-only stream of a group's values. Unlike `IteratorProtocol`, `next()`
/// can throw, because a spilling runner reads values back from disk.
public protocol ValueStream<Element> {
    associatedtype Element
    mutating func next() throws -> Element?
}

/// A value that can cross the shuffle: written to spill files and to the
/// streaming (`KEY<TAB>VALUE`) protocol.
public protocol ShuffleCodable {
    func encode(to writer: inout ByteWriter)
    static func decode(from reader: inout ByteReader) throws -> Self
}

/// A shuffle key: ordered, hashable, and with a byte encoding whose
/// lexicographic (memcmp) order equals `<`, so that external sorters (spill
/// merges, Hadoop's text sort) agree with the in-memory order.
public protocol ShuffleKey: Comparable, Hashable, Sendable, ShuffleCodable {
    /// Bytes that sort like the key. Must not contain TAB or newline.
    var sortableText: String { get }
    init(sortableText: String) throws
}
