import Foundation
import LMIO
import LMJSON

/// Hadoop Streaming–style stages: the mapper and reducer of a map-reduce
/// transform as separate line-oriented programs, so an external engine
/// (Hadoop, YTsaurus, Spark, or `sort` in a shell pipeline) does the
/// shuffle. The lines between them are `StreamingLine`s, `KEY\tSEQ\tVALUE`.
///
/// Why the output equals `InMemoryRunner`'s over all the inputs, however
/// many mappers and reducers run and in whatever order:
/// - every value carries its `InputPosition` (input file index, byte offset
///   of its row in that file, emit index): a map stage is given rows with
///   their positions (`Row`), read by the caller from files or byte ranges
///   of files (`lmshard run --stage map` and `lmshard build --stage map`
///   read their splits themselves, so no engine's text reader decides what
///   a row is or where it came from);
/// - a reducer needs only what Hadoop guarantees: all lines of a key are
///   contiguous and keys come in ascending byte order. A key's values may
///   come in any order (several mappers, a sort on the key alone); the
///   reducer puts them in `InputPosition` order with a bounded-memory
///   external sort (`PositionSorter`) before `reduce` sees them, so memory
///   stays bounded whatever the group's size. Lines already sorted by
///   `(KEY, SEQ)` cost no sort.
///
/// A group whose values repeat a position (the same split mapped twice)
/// fails, naming the key: it would silently count those rows twice.
public enum Streaming {
    /// Which half of a streaming job to run.
    public enum Stage: String, Sendable, CaseIterable {
        case map, reduce
    }

    /// One input row for a map stage: its JSONL bytes and where it starts.
    public struct Row: Sendable {
        /// The file's index in the job's walk of its inputs.
        public var file: UInt64
        /// Offset of the row's first byte in the (decompressed) file.
        public var offset: UInt64
        /// 1-based line, when the reader knows it (it does not inside a byte
        /// range that starts mid-file); for messages only.
        public var line: Int?
        /// The row, without its line end.
        public var bytes: [UInt8]

        public init(file: UInt64, offset: UInt64, line: Int?, bytes: [UInt8]) {
            self.file = file
            self.offset = offset
            self.line = line
            self.bytes = bytes
        }
    }

    /// A row the map stage could not parse or map, with the row (so the
    /// caller can name its file and line) and the reason.
    public struct RowError: Error, CustomStringConvertible {
        public let file: UInt64
        public let offset: UInt64
        public let line: Int?
        public let underlying: any Error

        public var description: String { "\(underlying)" }
    }

    /// Called for a bad row instead of stopping (`--skip-bad-rows`); it may
    /// throw to stop after all. Called from the map workers.
    public typealias BadRowHandler = @Sendable (RowError) throws -> Void

    /// A bad row: passed to `badRow` if there is one, else thrown as a `RowError`.
    static func reject(_ row: Row, _ error: any Error, _ badRow: BadRowHandler?) throws {
        let failure = RowError(file: row.file, offset: row.offset, line: row.line, underlying: error)
        guard let badRow else { throw failure }
        try badRow(failure)
    }

    /// Runs the map side over `rows` on `runner`'s workers, writing one
    /// `KEY\tSEQ\tVALUE` line per emitted pair to `output`, rows in input order.
    ///
    /// - Throws: `RowError` for the earliest bad row (unless `badRow` takes
    ///   it); the output's and the rows' source's errors.
    public static func map<T: MapReduceTransform, S: Sequence>(
        _ transform: T, runner: LocalRunner, rows: S, badRow: BadRowHandler?, output: BufferedWriter
    ) throws where T.Input == JSONValue, S.Element == Row {
        try run(runner, rows: rows, output: output) {
            StreamingMapper(base: transform, badRow: badRow)
        }
    }

    /// A map-only transform as a streaming stage: JSONL rows in, JSONL out,
    /// in input order.
    public static func mapOnly<T: MapTransform, S: Sequence>(
        _ transform: T, runner: LocalRunner, rows: S, badRow: BadRowHandler?, output: BufferedWriter
    ) throws where T.Input == JSONValue, T.Output == JSONValue, S.Element == Row {
        try run(runner, rows: rows, output: output) {
            StreamingMapOnly(base: transform, badRow: badRow)
        }
    }

    /// Runs a row-to-bytes transform and writes its outputs in order,
    /// unwrapping the runner's row errors into `RowError`s.
    private static func run<M: MapTransform, S: Sequence>(
        _ runner: LocalRunner, rows: S, output: BufferedWriter, _ make: () throws -> M
    ) throws where M.Input == Row, M.Output == [UInt8], S.Element == Row {
        do {
            try runner.run(try make(), input: rows, prepare: { $0 }) { try output.write($0) }
        } catch let MapReduceError.map(_, underlying) {
            throw underlying  // a RowError, or what a bad-row handler threw
        }
        try output.flush()
    }

    /// Runs the reduce side over key-grouped `KEY\tSEQ\tVALUE` lines and
    /// passes each output row to `emit`, groups in input (= key) order,
    /// each group's values in `InputPosition` order (sorted by `sorter`,
    /// whose memory budget bounds the stage's memory).
    ///
    /// - Throws: `MapReduceError.streamingLine` (1-based line) for a
    ///   malformed line, a key that is not a valid key, keys out of order (a
    ///   group split in two), a value that does not decode or a position
    ///   given twice; `.reduce` naming the key.
    public static func reduce<T: MapReduceTransform, Source: ByteSource & ~Copyable>(
        _ transform: T, lines: inout LineReader<Source>, sorter: PositionSorter, emit: (T.Output) throws -> Void
    ) throws {
        var value: [UInt8] = []
        var groupKey: [UInt8]?
        var groupLine = 0
        defer { sorter.reset() }

        func flushGroup() throws {
            guard let keyBytes = groupKey else { return }
            let keyText = String(decoding: keyBytes, as: UTF8.self)
            let key: T.Key
            do { key = try T.Key(sortableText: keyText) } catch {
                throw MapReduceError.streamingLine(line: groupLine, message: "\(error)")
            }
            var stream = SortedValueStream<T.Value>(values: try sorter.sorted(), keyText: keyText, firstLine: groupLine)
            do {
                try transform.reduce(key: key, values: &stream, emit: emit)
                while try stream.next() != nil {}  // values reduce did not read are still checked
            } catch let error as MapReduceError {
                throw error
            } catch {
                throw MapReduceError.reduce(key: keyText, underlying: error)
            }
            sorter.reset()
        }

        while let (number, fields, key) = try lines.next({ bytes, number -> (Int, StreamingLine.Fields, [UInt8]) in
            do {
                let fields = try StreamingLine.parse(bytes, value: &value)
                return (number, fields, Array(bytes[fields.key]))
            } catch let error as StreamingLine.FormatError {
                throw MapReduceError.streamingLine(line: number, message: error.message)
            }
        }) {
            if key != groupKey {
                if let previous = groupKey, !previous.lexicographicallyPrecedes(key) {
                    throw MapReduceError.streamingLine(
                        line: number, message: "keys are not sorted or a key's lines are not contiguous")
                }
                try flushGroup()
                groupKey = key
                groupLine = number
            }
            try sorter.add(fields.position, value: value)
        }
        try flushGroup()
    }

    /// `reduce` writing JSONL output rows to `output`.
    public static func reduce<T: MapReduceTransform, Source: ByteSource & ~Copyable>(
        _ transform: T, lines: inout LineReader<Source>, sorter: PositionSorter, output: BufferedWriter
    ) throws where T.Output == JSONValue {
        var rows = JSONLinesWriter(output)
        try reduce(transform, lines: &lines, sorter: sorter) { try rows.write($0) }
        try output.flush()
    }
}

/// A map-reduce transform's map as a map-only transform from positioned
/// rows to the bytes of their streaming lines.
struct StreamingMapper<Base: MapReduceTransform>: MapTransform where Base.Input == JSONValue {
    let base: Base
    let badRow: Streaming.BadRowHandler?

    func map(_ row: Streaming.Row, emit: ([UInt8]) throws -> Void) throws {
        var out: [UInt8] = []
        var scratch = ByteWriter(reservingCapacity: 256)
        var emitIndex: UInt64 = 0
        do {
            let json = try JSONLines.parse(row.bytes)
            try base.map(json) { key, value in
                guard emitIndex <= InputPosition.maximumEmitIndex else {
                    throw StreamingMapError.tooManyValues(limit: InputPosition.maximumEmitIndex + 1)
                }
                let position = InputPosition(file: row.file, offset: row.offset, emit: emitIndex)
                StreamingLine.append(key: key.sortableText.utf8, position: position, value: value, to: &out, scratch: &scratch)
                emitIndex += 1
            }
        } catch {
            return try Streaming.reject(row, error, badRow)
        }
        if !out.isEmpty { try emit(out) }
    }
}

/// A map-only transform from positioned rows to JSONL bytes.
struct StreamingMapOnly<Base: MapTransform>: MapTransform where Base.Input == JSONValue, Base.Output == JSONValue {
    let base: Base
    let badRow: Streaming.BadRowHandler?

    func map(_ row: Streaming.Row, emit: ([UInt8]) throws -> Void) throws {
        var out: [UInt8] = []
        do {
            try base.map(try JSONLines.parse(row.bytes)) { JSONLines.append($0, to: &out) }
        } catch {
            return try Streaming.reject(row, error, badRow)
        }
        if !out.isEmpty { try emit(out) }
    }
}

/// Why a map's output cannot be written as streaming lines.
enum StreamingMapError: Error, CustomStringConvertible {
    case tooManyValues(limit: UInt64)

    var description: String {
        switch self {
        case .tooManyValues(let limit): return "the row emitted more than \(limit) values (SEQ's emit index has 10 digits)"
        }
    }
}

/// A group's values from a `PositionSorter`, decoded on demand; a position
/// seen twice is an error.
struct SortedValueStream<Value: ShuffleCodable>: ValueStream {
    let values: SortedValues
    let keyText: String
    /// The group's first line, for errors found after the group was read.
    let firstLine: Int
    private var previous: InputPosition?

    init(values: SortedValues, keyText: String, firstLine: Int) {
        self.values = values
        self.keyText = keyText
        self.firstLine = firstLine
    }

    mutating func next() throws -> Value? {
        guard let (position, bytes) = try values.next() else { return nil }
        if position == previous {
            throw MapReduceError.streamingLine(
                line: firstLine,
                message: "SEQ \(position) occurs twice in the group of key \(keyText.debugDescription) (was a split mapped twice?)")
        }
        previous = position
        do {
            return try decodeExactly(Value.self, from: bytes)
        } catch {
            throw MapReduceError.streamingLine(
                line: firstLine,
                message: "VALUE at SEQ \(position) in the group of key \(keyText.debugDescription) does not decode: \(error)")
        }
    }
}
