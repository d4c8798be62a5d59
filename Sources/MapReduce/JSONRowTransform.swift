import LMJSON

/// A transform over JSON rows whose concrete type has been erased, as the
/// registry returns it from a config.
///
/// Erasure goes through a visitor instead of boxing keys and values: the
/// runner receives the concrete transform type again (`visitMap` /
/// `visitMapReduce` are generic), so keys keep their typed `<` and nothing
/// is re-encoded. A map or map-reduce transform with `JSONValue` input and
/// output gets `accept` for free by declaring conformance:
///
/// ```swift
/// extension MyTransform: JSONRowTransform {}
/// ```
public protocol JSONRowTransform: Sendable {
    /// Calls the visitor method matching this transform's kind.
    func accept<V: JSONTransformVisitor>(_ visitor: V) throws -> V.Result
}

/// Something that runs (or inspects) a JSON-row transform of either kind.
public protocol JSONTransformVisitor {
    associatedtype Result
    /// Called for one-row-in, many-rows-out transforms.
    func visitMap<T: MapTransform>(_ transform: T) throws -> Result
    where T.Input == JSONValue, T.Output == JSONValue
    /// Called for map-reduce transforms.
    func visitMapReduce<T: MapReduceTransform>(_ transform: T) throws -> Result
    where T.Input == JSONValue, T.Output == JSONValue
}

extension JSONRowTransform where Self: MapTransform, Input == JSONValue, Output == JSONValue {
    /// Dispatches to `visitMap`.
    public func accept<V: JSONTransformVisitor>(_ visitor: V) throws -> V.Result { try visitor.visitMap(self) }
}

extension JSONRowTransform where Self: MapReduceTransform, Input == JSONValue, Output == JSONValue {
    /// Dispatches to `visitMapReduce`.
    public func accept<V: JSONTransformVisitor>(_ visitor: V) throws -> V.Result {
        try visitor.visitMapReduce(self)
    }
}

extension InMemoryRunner {
    /// Runs a type-erased JSON transform (as made by `TransformRegistry`).
    public func run<S: Sequence>(jsonTransform transform: any JSONRowTransform, rows: S) throws -> [JSONValue]
    where S.Element == JSONValue {
        try transform.accept(InMemoryVisitor(runner: self, rows: Array(rows)))
    }
}

private struct InMemoryVisitor: JSONTransformVisitor {
    let runner: InMemoryRunner
    let rows: [JSONValue]

    func visitMap<T: MapTransform>(_ transform: T) throws -> [JSONValue]
    where T.Input == JSONValue, T.Output == JSONValue {
        try runner.run(transform, rows: rows)
    }

    func visitMapReduce<T: MapReduceTransform>(_ transform: T) throws -> [JSONValue]
    where T.Input == JSONValue, T.Output == JSONValue {
        try runner.run(transform, rows: rows)
    }
}

/// A transform's problem with one row: a missing or mistyped column.
/// Runners add the row number (`MapReduceError.map`).
public enum RowError: Error, Equatable, CustomStringConvertible {
    /// The row has no such column.
    case missingColumn(String)
    /// The column holds another JSON type than the transform needs.
    case wrongType(column: String, expected: String, found: String)
    /// The row is not a JSON object.
    case notAnObject(found: String)

    public var description: String {
        switch self {
        case .missingColumn(let c): return "column \(String(reflecting: c)) is missing"
        case let .wrongType(c, expected, found):
            return "column \(String(reflecting: c)) is \(found), expected \(expected)"
        case .notAnObject(let found): return "row is \(found), expected an object"
        }
    }
}

extension JSONValue {
    /// "null", "bool", "int", ... for error messages.
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a bool"
        case .int: return "an int"
        case .double: return "a double"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// The string in `column` of an object row, or a `RowError`.
    func stringColumn(_ column: String) throws -> String {
        guard case .object(let object) = self else { throw RowError.notAnObject(found: kindName) }
        guard let value = object[column] else { throw RowError.missingColumn(column) }
        guard case .string(let s) = value else {
            throw RowError.wrongType(column: column, expected: "a string", found: value.kindName)
        }
        return s
    }
}
