import LMIO
import LMJSON

/// JSON rows as JSONL lines: the one parse and serialize entry points the
/// runners, streaming stages and CLI use (LMJSON's parser and its
/// Python-compatible compact writer, so object keys keep their order).
public enum JSONLines {
    /// Parses one line into a row.
    ///
    /// - Throws: `JSONLineError` with the column (runners add the row number).
    public static func parse(_ line: [UInt8]) throws -> JSONValue {
        try line.withUnsafeBytes { try JSONParser.parseLine($0) }
    }

    /// Parses one line, given as a view of its bytes, into a row.
    public static func parse(_ line: UnsafeRawBufferPointer) throws -> JSONValue {
        try JSONParser.parseLine(line)
    }

    /// Appends the row as compact JSON and a `\n`.
    public static func append(_ row: JSONValue, to bytes: inout [UInt8]) {
        var writer = JSONWriter(style: .compact)
        swap(&writer.bytes, &bytes)  // write in place, no copy of what is already there
        writer.write(row)
        swap(&writer.bytes, &bytes)
        bytes.append(UInt8(ascii: "\n"))
    }
}

/// Rows written as JSONL lines to a `BufferedWriter`, rendered in one
/// reused buffer.
struct JSONLinesWriter {
    let output: BufferedWriter
    private var line: [UInt8] = []

    init(_ output: BufferedWriter) { self.output = output }

    /// Writes `row` and a `\n`.
    mutating func write(_ row: JSONValue) throws {
        line.removeAll(keepingCapacity: true)
        JSONLines.append(row, to: &line)
        try output.write(line)
    }
}
