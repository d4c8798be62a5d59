/// A JSONL row that is not valid JSON: the one error every stage (build,
/// run, tokenize) reports for such a line, so they all say it the same way.
/// The stage that knows the file and line number adds them in front:
/// `rows.jsonl:17: invalid JSON at column 5: expected ',' or '}' after object member`.
public struct JSONLineError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The parser's error; its column is the column within the line.
    public let error: JSONParseError

    public init(_ error: JSONParseError) { self.error = error }

    /// `invalid JSON at column 5: expected ',' or '}' after object member`.
    public var description: String { "invalid JSON at column \(error.column): \(error.message)" }
}

extension JSONParser {
    /// Parses one JSONL row.
    ///
    /// - Throws: `JSONLineError` (the column is within the line).
    public static func parseLine(_ line: UnsafeRawBufferPointer) throws -> JSONValue {
        do {
            return try parse(line)
        } catch let error as JSONParseError {
            throw JSONLineError(error)
        }
    }
}
