import LMIO
import LMJSON

/// A transform over JSON rows whose concrete type has been erased, as the
/// registry returns it from a config.
///
/// Each runner has its own requirement, implemented once for every map and
/// map-reduce transform by the extensions below. A conforming type only
/// declares the conformance:
///
/// ```swift
/// extension MyTransform: JSONRowTransform {}
/// ```
///
/// Why requirements per runner and not only a visitor: a requirement's
/// witness is compiled with the concrete transform type, so the runner's
/// generic code is specialized for it (keys compared with their own `<`,
/// no runtime generic metadata). Going through the generic `accept`
/// visitor instead left the runner unspecialized (runtime generic metadata
/// lookups on every pair): `lmshard run` count_chars over 30 MB took 12.2 s
/// that way and 6.4 s with these requirements, 1 worker. `accept` remains for
/// code that needs the concrete type for something else.
public protocol JSONRowTransform: Sendable {
    /// Calls the visitor method matching this transform's kind.
    func accept<V: JSONTransformVisitor>(_ visitor: V) throws -> V.Result
    /// `InMemoryRunner` over rows.
    func runInMemory(_ runner: InMemoryRunner, rows: [JSONValue]) throws -> [JSONValue]
    /// `LocalRunner` over JSONL lines (parsed on the workers).
    func runLocal(
        _ runner: LocalRunner, lines: AnySequence<[UInt8]>, jobIdentity: String?, emit: (JSONValue) throws -> Void
    ) throws
    /// `LocalRunner` over a JSONL file's lines (parsed on the workers).
    func runLocal(
        _ runner: LocalRunner, file: consuming LineBatches<FileDescriptor>, jobIdentity: String?,
        emit: (JSONValue) throws -> Void
    ) throws
    /// The streaming map stage (`Streaming.map`, or `mapOnly` for a map-only
    /// transform) over positioned rows.
    func runStreamingMap(
        _ runner: LocalRunner, rows: AnySequence<Streaming.Row>, badRow: Streaming.BadRowHandler?,
        output: BufferedWriter
    ) throws
    /// The streaming reduce stage (`Streaming.reduce`).
    func runStreamingReduce<Source: ByteSource & ~Copyable>(
        lines: inout LineReader<Source>, sorter: PositionSorter, output: BufferedWriter
    ) throws
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

    /// Maps every row in order.
    public func runInMemory(_ runner: InMemoryRunner, rows: [JSONValue]) throws -> [JSONValue] {
        try runner.run(self, rows: rows)
    }

    /// Map-only `LocalRunner` run; the job identity is unused (nothing spills).
    public func runLocal(
        _ runner: LocalRunner, lines: AnySequence<[UInt8]>, jobIdentity: String?, emit: (JSONValue) throws -> Void
    ) throws {
        try runner.run(self, input: lines, prepare: { try JSONLines.parse($0) }, emit: emit)
    }

    /// Map-only `LocalRunner` run over a file's lines.
    public func runLocal(
        _ runner: LocalRunner, file: consuming LineBatches<FileDescriptor>, jobIdentity: String?,
        emit: (JSONValue) throws -> Void
    ) throws {
        try runner.run(self, batches: file, prepare: { try JSONLines.parse($0) }, emit: emit)
    }

    /// The map stage writes JSONL rows.
    public func runStreamingMap(
        _ runner: LocalRunner, rows: AnySequence<Streaming.Row>, badRow: Streaming.BadRowHandler?,
        output: BufferedWriter
    ) throws {
        try Streaming.mapOnly(self, runner: runner, rows: rows, badRow: badRow, output: output)
    }

    /// A map-only transform has no reduce stage.
    public func runStreamingReduce<Source: ByteSource & ~Copyable>(
        lines: inout LineReader<Source>, sorter: PositionSorter, output: BufferedWriter
    ) throws {
        throw ConfigError(
            transform: nil, field: "type", message: "\(Self.self) is map-only; run it with --stage map and no reducer")
    }
}

extension JSONRowTransform where Self: MapReduceTransform, Input == JSONValue, Output == JSONValue {
    /// Dispatches to `visitMapReduce`.
    public func accept<V: JSONTransformVisitor>(_ visitor: V) throws -> V.Result {
        try visitor.visitMapReduce(self)
    }

    /// Map, sort, group, reduce in memory.
    public func runInMemory(_ runner: InMemoryRunner, rows: [JSONValue]) throws -> [JSONValue] {
        try runner.run(self, rows: rows)
    }

    /// Spilling `LocalRunner` run.
    public func runLocal(
        _ runner: LocalRunner, lines: AnySequence<[UInt8]>, jobIdentity: String?, emit: (JSONValue) throws -> Void
    ) throws {
        try runner.run(self, input: lines, prepare: { try JSONLines.parse($0) }, jobIdentity: jobIdentity, emit: emit)
    }

    /// Spilling `LocalRunner` run over a file's lines.
    public func runLocal(
        _ runner: LocalRunner, file: consuming LineBatches<FileDescriptor>, jobIdentity: String?,
        emit: (JSONValue) throws -> Void
    ) throws {
        try runner.run(
            self, batches: file, prepare: { try JSONLines.parse($0) }, jobIdentity: jobIdentity, emit: emit)
    }

    /// `Streaming.map`.
    public func runStreamingMap(
        _ runner: LocalRunner, rows: AnySequence<Streaming.Row>, badRow: Streaming.BadRowHandler?,
        output: BufferedWriter
    ) throws {
        try Streaming.map(self, runner: runner, rows: rows, badRow: badRow, output: output)
    }

    /// `Streaming.reduce`.
    public func runStreamingReduce<Source: ByteSource & ~Copyable>(
        lines: inout LineReader<Source>, sorter: PositionSorter, output: BufferedWriter
    ) throws {
        try Streaming.reduce(self, lines: &lines, sorter: sorter, output: output)
    }
}

extension InMemoryRunner {
    /// Runs a type-erased JSON transform (as made by `TransformRegistry`).
    public func run<S: Sequence>(jsonTransform transform: any JSONRowTransform, rows: S) throws -> [JSONValue]
    where S.Element == JSONValue {
        try transform.runInMemory(self, rows: Array(rows))
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
