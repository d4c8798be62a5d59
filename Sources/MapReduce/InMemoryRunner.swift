/// Runs a transform over rows held in memory: the seed notebook's
/// `TransformBase.run`, and the reference every other runner is tested
/// against.
///
/// Map-reduce order (the seed's `sort` + `groupby`): pairs are sorted by
/// `(key, input position)`, which is a stable sort by key, so values inside
/// a group keep input order; groups are reduced in ascending key order and
/// their outputs concatenated.
public struct InMemoryRunner: Sendable {
    public init() {}

    /// Map each row and flatten. O(rows + outputs).
    ///
    /// - Throws: `MapReduceError.map(row:underlying:)` with the 1-based row.
    public func run<T: MapTransform, S: Sequence>(_ transform: T, rows: S) throws -> [T.Output]
    where S.Element == T.Input {
        var out: [T.Output] = []
        for (i, row) in rows.enumerated() {
            do {
                try transform.map(row) { out.append($0) }
            } catch {
                throw MapReduceError.map(row: i + 1, underlying: error)
            }
        }
        return out
    }

    /// Map, stable sort by key, group, reduce each group in key order,
    /// flatten. O(n log n) in the number of pairs; holds them all in memory.
    ///
    /// - Throws: `MapReduceError.map` (1-based row) or `.reduce` (the key).
    public func run<T: MapReduceTransform, S: Sequence>(_ transform: T, rows: S) throws -> [T.Output]
    where S.Element == T.Input {
        var keys: [T.Key] = []
        var values: [T.Value] = []
        for (i, row) in rows.enumerated() {
            do {
                try transform.map(row) { k, v in
                    keys.append(k)
                    values.append(v)
                }
            } catch {
                throw MapReduceError.map(row: i + 1, underlying: error)
            }
        }
        // Sorting positions with the position as tie-break makes the sort
        // stable by construction, not by relying on the library's algorithm.
        var order = Array(keys.indices)
        order.sort { a, b in keys[a] < keys[b] || (!(keys[b] < keys[a]) && a < b) }

        var out: [T.Output] = []
        var start = 0
        while start < order.count {
            let key = keys[order[start]]
            var end = start + 1
            while end < order.count && !(key < keys[order[end]]) { end += 1 }
            var stream = IndexedValueStream(values: values, order: order[start..<end])
            do {
                try transform.reduce(key: key, values: &stream) { out.append($0) }
            } catch {
                throw MapReduceError.reduce(key: key.sortableText, underlying: error)
            }
            start = end
        }
        return out
    }
}

/// A group's values, read through a slice of sorted positions.
struct IndexedValueStream<Value>: ValueStream {
    let values: [Value]
    var order: ArraySlice<Int>

    mutating func next() throws -> Value? {
        guard let i = order.popFirst() else { return nil }
        return values[i]
    }
}

/// A `ValueStream` over any sequence, for tests and callers that already
/// hold a group's values.
public struct SequenceValueStream<Base: IteratorProtocol>: ValueStream {
    var base: Base

    /// Streams `sequence`'s elements in order.
    public init<S: Sequence>(_ sequence: S) where S.Iterator == Base { base = sequence.makeIterator() }

    /// The next element, or nil at the end. Never throws.
    public mutating func next() throws -> Base.Element? { base.next() }
}
