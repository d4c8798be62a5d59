import Foundation

/// Strict RFC 8259 JSON parser over UTF-8 bytes.
///
/// One value with optional surrounding whitespace; rejects trailing garbage,
/// trailing commas, leading zeros, `NaN`/`Infinity`, unknown escapes, raw
/// control characters in strings, malformed UTF-8, lone UTF-16 surrogates in
/// `\u` escapes and nesting deeper than `maximumDepth`. Integer literals
/// that fit `Int64` become `.int`; every other number becomes a correctly
/// rounded `.double`. A duplicated object key keeps its first position and
/// takes the last value, as Python's `json.loads` into a `dict` does; keys are
/// compared by their UTF-8 bytes, not by Swift's canonical equivalence, so
/// `"é"` and `"e\u0301"` stay two keys as they do in Python.
///
/// Why it is written this way (release build, 2 shared cores, see
/// tools/bench/json): one pass over the bytes with an integer cursor, strings
/// without escapes become `String(decoding:as:)` of the input slice after
/// validating UTF-8 in the same scan, and the line/column of an error is
/// computed only when one is thrown. Measured on the 17.2 MB Llama-3
/// `tokenizer.json`: see `JSONParserCore` for the numbers.
public enum JSONParser {
    /// The deepest nesting of arrays and objects accepted; the recursive
    /// descent needs about 200 bytes of stack per level, so this bounds the
    /// stack used by hostile input.
    public static let maximumDepth = 512

    /// Parses one JSON document from raw UTF-8 bytes.
    ///
    /// - Complexity: O(n) in the input length.
    /// - Throws: `JSONParseError` with the byte offset, line and column.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws -> JSONValue {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw JSONParseError(
                kind: .unexpectedEnd, offset: 0, line: 1, column: 1,
                message: "unexpected end of input, expected a value")
        }
        var core = JSONParserCore(
            base: base.assumingMemoryBound(to: UInt8.self), count: bytes.count, raw: bytes)
        return try core.parseDocument()
    }

    /// Parses one JSON document from a byte array.
    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBytes { try parse($0) }
    }

    /// Parses one JSON document from a slice; offsets in errors are relative
    /// to the slice's first byte.
    public static func parse(_ bytes: ArraySlice<UInt8>) throws -> JSONValue {
        try bytes.withUnsafeBytes { try parse($0) }
    }

    /// Parses one JSON document from `Data`.
    public static func parse(_ data: Data) throws -> JSONValue {
        try data.withUnsafeBytes { try parse($0) }
    }

    /// Parses one JSON document from a string's UTF-8 form.
    public static func parse(_ text: String) throws -> JSONValue {
        var text = text
        return try text.withUTF8 { try parse(UnsafeRawBufferPointer($0)) }
    }
}
