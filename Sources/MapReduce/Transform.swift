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
    /// An optional map-side combiner (Hadoop's): nil, the default, sends
    /// every value `map` emits through the shuffle to `reduce` as it is.
    ///
    /// Return one only when `reduce` cannot tell combined values from the
    /// originals (see `Combiner`). A runner may then fold stretches of a
    /// group's values before the shuffle, which shrinks it by orders of
    /// magnitude for aggregations over few keys (count_chars: one pair per
    /// key per chunk of rows instead of one per key per row).
    var combiner: Combiner<Value>? { get }
}

extension MapReduceTransform {
    /// No combiner: `reduce` sees exactly the values `map` emitted.
    public var combiner: Combiner<Value>? { nil }
}

/// Folds two values of one key that are adjacent in input order into one.
///
/// Contract, which is what lets runners use it or not and still write
/// byte-identical output: for any split of a group's values (in input
/// order) into contiguous stretches, `reduce` over the folds of the
/// stretches gives the same output as `reduce` over all the values. That
/// holds when the fold is associative and `reduce` depends only on the fold
/// of its values (sums, counts, min/max, concatenation). The fold need not
/// be commutative: runners only ever fold an earlier value with a later one.
public struct Combiner<Value>: Sendable {
    /// Folds `later` into `earlier`.
    public let combine: @Sendable (_ earlier: inout Value, _ later: Value) -> Void

    public init(_ combine: @escaping @Sendable (_ earlier: inout Value, _ later: Value) -> Void) {
        self.combine = combine
    }
}

/// A once-only stream of a group's values. Unlike `IteratorProtocol`, `next()`
/// can throw, because a spilling runner reads values back from disk.
public protocol ValueStream<Element> {
    associatedtype Element
    mutating func next() throws -> Element?
}

/// A value that can cross the shuffle: written to spill files and to the
/// streaming (`KEY<TAB>VALUE`) protocol. Decoded on the runner's worker
/// threads, hence `SendableMetatype` (true of every concrete type).
public protocol ShuffleCodable: SendableMetatype {
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
