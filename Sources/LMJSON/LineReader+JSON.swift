/// A JSONL row that is not valid JSON, located by source name and line.
public struct JSONLinesError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file name (or `<stdin>`, or whatever the caller passed).
    public let source: String
    /// 1-based line number in the source.
    public let line: Int
    /// The parse error within that line (its `column` is the column in the
    /// line; its `offset` counts from the line's first byte).
    public let error: JSONParseError

    /// Creates the error.
    public init(source: String, line: Int, error: JSONParseError) {
        self.source = source
        self.line = line
        self.error = error
    }

    /// `rows.jsonl:17:5: expected ',' or '}' after object member`.
    public var description: String { "\(source):\(line):\(error.column): \(error.message)" }
}

extension LineReader {
    /// Parses the next JSONL row, skipping lines that are empty or only
    /// whitespace, and returns it with its 1-based line number; `nil` at the
    /// end of the input.
    ///
    /// - Parameter source: the name used in errors (e.g. the file path).
    /// - Throws: `JSONLinesError` for a row that is not valid JSON (with the
    ///   line and the column within it), or the byte source's errors.
    public mutating func nextJSON(source: String) throws -> (line: Int, value: JSONValue)? {
        while let row = try next({ bytes, line -> (line: Int, value: JSONValue)? in
            guard bytes.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { return nil }
            do {
                return (line, try JSONParser.parse(bytes))
            } catch let e as JSONParseError {
                throw JSONLinesError(source: source, line: line, error: e)
            }
        }) {
            if let row { return row }
        }
        return nil
    }
}
