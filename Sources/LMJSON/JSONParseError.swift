/// Why a JSON document was rejected, and where.
///
/// The position is computed only when an error is thrown (a rescan from the
/// start of the input), so the parser's hot loop tracks nothing but a byte
/// offset.
public struct JSONParseError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What kind of mistake the input made; tests and callers match on this.
    public enum Kind: Equatable, Sendable {
        /// The input ended inside a value (or was empty).
        case unexpectedEnd
        /// A byte that cannot start or continue the expected token.
        case unexpectedCharacter
        /// A complete value was followed by something other than whitespace.
        case trailingCharacters
        /// A number that breaks the RFC 8259 grammar (leading zero, lone `-`,
        /// missing digits after `.` or `e`).
        case invalidNumber
        /// A backslash escape that is not one of `\" \\ \/ \b \f \n \r \t \uXXXX`.
        case invalidEscape
        /// A `\u` escape naming half of a surrogate pair without the other half.
        case loneSurrogate
        /// A raw byte below 0x20 inside a string.
        case controlCharacterInString
        /// Bytes that are not well-formed UTF-8 (overlong, surrogate, > U+10FFFF, truncated).
        case invalidUTF8
        /// More nested arrays/objects than `JSONParser.maximumDepth`.
        case tooDeep
    }

    /// The kind of mistake.
    public let kind: Kind
    /// Byte offset (0-based) of the offending byte in the input.
    public let offset: Int
    /// 1-based line of `offset` (lines end at `\n`).
    public let line: Int
    /// 1-based column of `offset`, counted in Unicode scalars as Python's
    /// `json` module counts characters.
    public let column: Int
    /// Human-readable explanation without the position, e.g.
    /// `expected ',' or '}' after object member`.
    public let message: String

    /// Creates an error with an explicit position (mainly for tests and for
    /// callers that re-anchor errors inside a larger file).
    public init(kind: Kind, offset: Int, line: Int, column: Int, message: String) {
        self.kind = kind
        self.offset = offset
        self.line = line
        self.column = column
        self.message = message
    }

    /// `line 3, column 17: expected ',' or '}' after object member`.
    public var description: String { "line \(line), column \(column): \(message)" }

    /// Builds an error at `offset` of `bytes`, computing line and column by
    /// rescanning the prefix.
    static func at(_ offset: Int, in bytes: UnsafeRawBufferPointer, _ kind: Kind, _ message: String)
        -> JSONParseError
    {
        var line = 1
        var column = 1
        var i = 0
        let end = min(offset, bytes.count)
        while i < end {
            let b = bytes[i]
            if b == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {
                // Count scalars: skip UTF-8 continuation bytes.
                column += 1
            }
            i += 1
        }
        return JSONParseError(kind: kind, offset: offset, line: line, column: column, message: message)
    }
}
