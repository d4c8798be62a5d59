import Foundation
import LMIO
import LMJSON

/// Hadoop Streaming–style stages: the mapper and reducer of a map-reduce
/// transform as separate line-oriented programs, so an external engine
/// (Hadoop, YTsaurus, or `sort` in a shell pipeline) does the shuffle:
///
/// ```sh
/// lmshard run --config c.json --stage map < in.jsonl \
///   | LC_ALL=C sort -t$'\t' -k1,1 -s \
///   | lmshard run --config c.json --stage reduce > out.jsonl
/// ```
///
/// Mapper output, one line per `(key, value)` pair:
///
/// ```text
/// KEY <TAB> SEQ <TAB> VALUE
/// ```
///
/// - `KEY`: the key's `sortableText` (byte order == key order, no TAB/LF).
/// - `SEQ`: the pair's input position: the 0-based input line as 20 digits,
///   `:`, the emit index within that line as 10 digits. Fixed width, so it
///   also sorts byte-wise (`-k2,2` in a secondary sort).
/// - `VALUE`: base64 of the value's `ShuffleCodable` bytes, for every value
///   type, JSON rows included: exact (doubles, integers beyond 2^53) and
///   never contains TAB or newline.
///
/// The reducer needs only what Hadoop guarantees: all lines of a key are
/// contiguous and keys come in ascending byte order. Values of a key may
/// come in any order (several mappers, an unstable sort); the reducer
/// restores input order from `SEQ`, so its output equals `InMemoryRunner`'s.
/// To do that it holds one group's encoded values in memory; when the
/// engine already sorts by `(KEY, SEQ)` the check is a linear scan.
public enum Streaming {
    static let tab = UInt8(ascii: "\t")

    /// Runs the map side over JSONL lines, writing `KEY\tSEQ\tVALUE` lines.
    ///
    /// - Throws: `MapReduceError.input`/`.map` with the 1-based line number;
    ///   the line reader's and the output's errors.
    public static func map<T: MapReduceTransform, Source: ByteSource & ~Copyable>(
        _ transform: T, lines: inout LineReader<Source>, output: BufferedWriter
    ) throws where T.Input == JSONValue {
        var value = ByteWriter(reservingCapacity: 256)
        var line: [UInt8] = []
        try forEachRow(&lines) { i, row in
            var emitIndex: UInt32 = 0
            try transform.map(row) { k, v in
                line.removeAll(keepingCapacity: true)
                line.append(contentsOf: k.sortableText.utf8)
                line.append(tab)
                line.append(contentsOf: zeroPaddedDecimal(UInt64(i), width: 20).utf8)
                line.append(UInt8(ascii: ":"))
                line.append(contentsOf: zeroPaddedDecimal(UInt64(emitIndex), width: 10).utf8)
                line.append(tab)
                value.bytes.removeAll(keepingCapacity: true)
                v.encode(to: &value)
                line.append(contentsOf: Data(value.bytes).base64EncodedData())
                line.append(UInt8(ascii: "\n"))
                try output.write(line)
                emitIndex += 1
            }
        }
        try output.flush()
    }

    /// A map-only transform as a streaming stage: JSONL in, JSONL out.
    public static func mapOnly<T: MapTransform, Source: ByteSource & ~Copyable>(
        _ transform: T, lines: inout LineReader<Source>, output: BufferedWriter
    ) throws where T.Input == JSONValue, T.Output == JSONValue {
        var rows = JSONLinesWriter(output)
        try forEachRow(&lines) { _, row in
            try transform.map(row) { try rows.write($0) }
        }
        try output.flush()
    }

    /// Parses each JSONL line and passes its 0-based index and row to
    /// `body`, the part both map stages share.
    ///
    /// - Throws: `MapReduceError.input` for a line that does not parse and
    ///   `.map` for what `body` throws, both with the 1-based line number;
    ///   a `MapReduceError` or `FileError` from `body` (the output) unchanged.
    static func forEachRow<Source: ByteSource & ~Copyable>(
        _ lines: inout LineReader<Source>, _ body: (Int, JSONValue) throws -> Void
    ) throws {
        while try lines.next({ bytes, number -> Bool in
            let row: JSONValue
            do { row = try JSONLines.parse(bytes) } catch { throw MapReduceError.input(row: number, underlying: error) }
            do {
                try body(number - 1, row)
            } catch let error as MapReduceError {
                throw error
            } catch let error as FileError {
                throw error
            } catch {
                throw MapReduceError.map(row: number, underlying: error)
            }
            return true
        }) != nil {}
    }

    /// Runs the reduce side over key-grouped `KEY\tSEQ\tVALUE` lines and
    /// passes each output row to `emit`, groups in input (= key) order.
    ///
    /// - Throws: `MapReduceError.streamingLine` (1-based line) for malformed
    ///   lines, a key that is not a valid key, undecodable values, or keys
    ///   out of order (a group split in two); `.reduce` naming the key.
    public static func reduce<T: MapReduceTransform, Source: ByteSource & ~Copyable>(
        _ transform: T, lines: inout LineReader<Source>, emit: (T.Output) throws -> Void
    ) throws {
        var lineNumber = 0
        var group: [(seq: ArraySlice<UInt8>, value: [UInt8], line: Int)] = []
        var groupKeyText: [UInt8]? = nil
        var previousKeyText: [UInt8]? = nil

        func flushGroup() throws {
            guard let keyText = groupKeyText else { return }
            let textKey = String(decoding: keyText, as: UTF8.self)
            let key: T.Key
            do { key = try T.Key(sortableText: textKey) } catch {
                throw MapReduceError.streamingLine(line: group[0].line, message: "\(error)")
            }
            if !zip(group, group.dropFirst()).allSatisfy({ $0.seq.lexicographicallyPrecedes($1.seq) }) {
                group.sort { $0.seq.lexicographicallyPrecedes($1.seq) }
            }
            var stream = DecodedLineStream<T.Value>(items: group[...])
            do {
                try transform.reduce(key: key, values: &stream, emit: emit)
            } catch let error as MapReduceError {
                throw error
            } catch {
                throw MapReduceError.reduce(key: textKey, underlying: error)
            }
            group.removeAll(keepingCapacity: true)
            previousKeyText = keyText
            groupKeyText = nil
        }

        while let (number, line) = try lines.nextLine() {
            lineNumber = number
            let fields = line.split(separator: tab, maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else {
                throw MapReduceError.streamingLine(line: lineNumber, message: "expected KEY<TAB>SEQ<TAB>VALUE")
            }
            let keyText = Array(fields[0])
            if keyText != groupKeyText {
                try flushGroup()
                if let previous = previousKeyText, !previous.lexicographicallyPrecedes(keyText) {
                    throw MapReduceError.streamingLine(
                        line: lineNumber, message: "keys are not sorted or a key's lines are not contiguous")
                }
                groupKeyText = keyText
            }
            guard fields[1].count == 31, fields[1].allSatisfy({ $0 == UInt8(ascii: ":") || (48...57).contains($0) }) else {
                throw MapReduceError.streamingLine(line: lineNumber, message: "SEQ must be 20 digits, ':', 10 digits")
            }
            guard let value = Data(base64Encoded: Data(fields[2])) else {
                throw MapReduceError.streamingLine(line: lineNumber, message: "VALUE is not base64")
            }
            group.append((fields[1], [UInt8](value), lineNumber))
        }
        try flushGroup()
    }

    /// `reduce` writing JSONL output rows to `output`.
    public static func reduce<T: MapReduceTransform, Source: ByteSource & ~Copyable>(
        _ transform: T, lines: inout LineReader<Source>, output: BufferedWriter
    ) throws where T.Output == JSONValue {
        var rows = JSONLinesWriter(output)
        try reduce(transform, lines: &lines) { try rows.write($0) }
        try output.flush()
    }
}

/// A group's values decoded from base64 payloads on demand.
struct DecodedLineStream<Value: ShuffleCodable>: ValueStream {
    var items: ArraySlice<(seq: ArraySlice<UInt8>, value: [UInt8], line: Int)>

    mutating func next() throws -> Value? {
        guard let item = items.popFirst() else { return nil }
        var r = ByteReader(item.value)
        do {
            let v = try Value.decode(from: &r)
            guard r.isAtEnd else { throw ByteCodingError.malformed(offset: r.offset, what: "trailing bytes") }
            return v
        } catch {
            throw MapReduceError.streamingLine(line: item.line, message: "VALUE does not decode: \(error)")
        }
    }
}
