/// Why a JSONL line has no usable string in the requested field.
public enum JSONFieldError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The line is not one valid JSON document (the parser's error, with
    /// the column within the line).
    case invalidJSON(JSONParseError)
    /// The line is valid JSON but not an object.
    case notAnObject
    /// The object has no member with the field's name.
    case missingField(String)
    /// The field's (last) value is not a string.
    case notAString(String)

    /// `invalid JSON at column 13: unexpected 'o', expected a value`,
    /// `missing field "text"`, ...; the caller adds the file and line.
    public var description: String {
        switch self {
        case .invalidJSON(let e): return JSONLineError(e).description
        case .notAnObject: return "expected a JSON object"
        case .missingField(let field): return "missing field \"\(field)\""
        case .notAString(let field): return "field \"\(field)\" is not a string"
        }
    }
}

/// Reads one string field of a JSON object line (a JSONL row) as unescaped
/// UTF-8 bytes, with the same result as parsing the line with `JSONParser`
/// and taking that member's `.string`.
///
/// Why it exists: `lmshard tokenize` reads the text of every row and nothing
/// else, so building a `JSONValue` tree and a `String` per row is wasted
/// work on its hot path. The scanner walks the line once, checks it, and
/// copies the field's bytes (escapes decoded) straight into the caller's
/// buffer; other members are checked and skipped, never materialised.
///
/// What the scan accepts on its own: an object (surrounding whitespace
/// allowed) whose keys have no escapes and no non-ASCII bytes, whose other
/// values nest at most 64 deep and whose numbers are integers or plain
/// decimals of at most 15 digits, and which holds the field as a string of
/// well-formed UTF-8 with the RFC 8259 escapes (surrogate pairs included).
/// A repeated field takes its last value, as `JSONParser` and Python's
/// `json.loads` do. Every other line (escaped keys, exponents, lone
/// surrogates, invalid UTF-8, a missing or non-string field, malformed JSON)
/// goes to `JSONParser`, which returns the value or the error to report, so
/// the two routes cannot disagree: the scan accepts only lines the parser
/// accepts, and yields the same bytes.
///
/// Thread-safe: a value holding only the field name.
public struct JSONFieldScanner: Sendable {
    /// The member name looked up.
    public let field: String
    /// `field`'s UTF-8, compared byte for byte with keys (as `JSONParser`
    /// compares keys: `"é"` and `"e\u0301"` are different names).
    let fieldBytes: [UInt8]

    /// A scanner for the member named `field`.
    public init(field: String) {
        self.field = field
        fieldBytes = Array(field.utf8)
    }

    /// Writes the field's string, unescaped UTF-8, to the start of `out`
    /// and returns its length in bytes.
    ///
    /// The value never takes more bytes than the line (every escape decodes
    /// to fewer bytes than it is spelled with), so an `out` as long as the
    /// line always suffices; that is why the scan needs no bounds checks on
    /// its writes.
    ///
    /// - Precondition: `out.count >= line.count`.
    /// - Throws: `JSONFieldError` when the line is not valid JSON, not an
    ///   object, or lacks a string in the field.
    public func string(in line: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>) throws -> Int {
        precondition(out.count >= line.count, "JSONFieldScanner: out is shorter than the line")
        guard let dst = out.baseAddress else { return try parsedString(in: line, into: out) }
        var scan = Scan(t: line, out: dst)
        if fieldBytes.withUnsafeBufferPointer({ scan.object(field: $0) }) { return scan.written }
        return try parsedString(in: line, into: out)
    }

    /// Replaces the contents of `out` with the field's string as unescaped
    /// UTF-8 (see `string(in:into:)` with a buffer for what is accepted).
    ///
    /// - Throws: `JSONFieldError`; `out` is then empty.
    public func string(in line: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) throws {
        if out.count < line.count { out.append(contentsOf: repeatElement(0, count: line.count - out.count)) }
        var written = 0
        defer { out.removeSubrange(written...) }
        written = try out.withUnsafeMutableBufferPointer { try string(in: line, into: $0) }
    }

    /// The general route: `JSONParser` decides, and its string is copied out.
    func parsedString(in line: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>) throws -> Int {
        let value: JSONValue
        do {
            value = try JSONParser.parse(UnsafeRawBufferPointer(line))
        } catch let e as JSONParseError {
            throw JSONFieldError.invalidJSON(e)
        }
        guard case .object(let object) = value else { throw JSONFieldError.notAnObject }
        // Keys by bytes, as the parser merged duplicates (String == would
        // also match canonically equivalent spellings).
        guard let member = object.entries.first(where: { $0.key.utf8.elementsEqual(fieldBytes) }) else {
            throw JSONFieldError.missingField(field)
        }
        guard case .string(var text) = member.value else { throw JSONFieldError.notAString(field) }
        return text.withUTF8 { bytes in
            precondition(bytes.count <= out.count)
            if let src = bytes.baseAddress, let dst = out.baseAddress { dst.update(from: src, count: bytes.count) }
            return bytes.count
        }
    }

    /// The scan over one line. `out` has room for `t.count` bytes; `written`
    /// is the length of the field's value decoded so far.
    struct Scan {
        let t: UnsafeBufferPointer<UInt8>
        let out: UnsafeMutablePointer<UInt8>
        var i = 0
        var written = 0

        init(t: UnsafeBufferPointer<UInt8>, out: UnsafeMutablePointer<UInt8>) {
            self.t = t
            self.out = out
        }

        @inline(__always)
        mutating func skipSpace() {
            while i < t.count {
                let b = t[i]
                if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { i += 1 } else { break }
            }
        }

        /// The whole line: true when it is an object holding `field` as a
        /// string, whose bytes are then `out[0..<written]`.
        mutating func object(field: UnsafeBufferPointer<UInt8>) -> Bool {
            skipSpace()
            guard i < t.count, t[i] == UInt8(ascii: "{") else { return false }
            i += 1
            skipSpace()
            var found = false
            if i < t.count, t[i] == UInt8(ascii: "}") { return false }
            while true {
                skipSpace()
                guard i < t.count, t[i] == UInt8(ascii: "\"") else { return false }
                i += 1
                let keyStart = i
                while i < t.count, t[i] != UInt8(ascii: "\""), t[i] != UInt8(ascii: "\\"), t[i] >= 0x20, t[i] < 0x80 { i += 1 }
                guard i < t.count, t[i] == UInt8(ascii: "\"") else { return false }
                let key = UnsafeBufferPointer(rebasing: t[keyStart..<i])
                i += 1
                skipSpace()
                guard i < t.count, t[i] == UInt8(ascii: ":") else { return false }
                i += 1
                skipSpace()
                if key.elementsEqual(field) {
                    // A repeated field: the last value wins, so start over.
                    guard i < t.count, t[i] == UInt8(ascii: "\"") else { return false }
                    found = true
                    written = 0
                    guard string(decoding: true) else { return false }
                } else {
                    guard value(depth: 0) else { return false }
                }
                skipSpace()
                guard i < t.count else { return false }
                if t[i] == UInt8(ascii: ",") { i += 1; continue }
                guard t[i] == UInt8(ascii: "}") else { return false }
                i += 1
                break
            }
            skipSpace()
            return found && i == t.count
        }

        /// Skips one value, checking it.
        mutating func value(depth: Int) -> Bool {
            guard depth < 64, i < t.count else { return false }
            switch t[i] {
            case UInt8(ascii: "\""):
                return string(decoding: false)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let close = t[i] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                let isObject = close == UInt8(ascii: "}")
                i += 1
                skipSpace()
                if i < t.count, t[i] == close { i += 1; return true }
                while true {
                    skipSpace()
                    if isObject {
                        guard i < t.count, t[i] == UInt8(ascii: "\"") else { return false }
                        guard value(depth: depth + 1) else { return false }
                        skipSpace()
                        guard i < t.count, t[i] == UInt8(ascii: ":") else { return false }
                        i += 1
                        skipSpace()
                    }
                    guard value(depth: depth + 1) else { return false }
                    skipSpace()
                    guard i < t.count else { return false }
                    if t[i] == UInt8(ascii: ",") { i += 1; continue }
                    guard t[i] == close else { return false }
                    i += 1
                    return true
                }
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            default: return number()
            }
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let n = word.utf8CodeUnitCount
            guard i + n <= t.count else { return false }
            let w = word.utf8Start
            for k in 0..<n where t[i + k] != w[k] { return false }
            i += n
            return true
        }

        /// Integers and plain decimals of at most 15 digits; anything else
        /// (exponents, long numbers) is left to the parser.
        mutating func number() -> Bool {
            var digits = 0
            if i < t.count, t[i] == UInt8(ascii: "-") { i += 1 }
            guard i < t.count, t[i] >= 0x30, t[i] <= 0x39 else { return false }
            if t[i] == 0x30 {
                i += 1
                digits = 1
            } else {
                while i < t.count, t[i] >= 0x30, t[i] <= 0x39 { i += 1; digits += 1 }
            }
            if i < t.count, t[i] == UInt8(ascii: ".") {
                i += 1
                let before = digits
                while i < t.count, t[i] >= 0x30, t[i] <= 0x39 { i += 1; digits += 1 }
                guard digits > before else { return false }
            }
            if i < t.count, t[i] == UInt8(ascii: "e") || t[i] == UInt8(ascii: "E") { return false }
            return digits <= 15
        }

        mutating func hex4() -> UInt32? {
            guard i + 4 <= t.count else { return nil }
            var v: UInt32 = 0
            for k in 0..<4 {
                guard let h = JSONStringBytes.hexDigit(t[i + k]) else { return nil }
                v = v << 4 | h
            }
            i += 4
            return v
        }

        /// The end of the run of plain ASCII string bytes (not `"`, `\`, a
        /// control or non-ASCII) from `start`, eight bytes per step where
        /// the line allows: JSONL text runs tens of bytes between escapes.
        @inline(__always)
        func plainEnd(from start: Int) -> Int {
            var i = start
            if let base = t.baseAddress { i = JSONStringBytes.plainWordsEnd(base, from: i, end: t.count) }
            while i < t.count {
                let b = t[i]
                if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 || b >= 0x80 { break }
                i += 1
            }
            return i
        }

        /// Appends `t[from..<to]` to the value (the caller has checked it).
        @inline(__always)
        mutating func copy(_ from: Int, _ to: Int) {
            (out + written).update(from: t.baseAddress! + from, count: to - from)
            written += to - from
        }

        @inline(__always)
        mutating func put(_ b: UInt8) {
            out[written] = b
            written += 1
        }

        /// A string starting at the opening quote, checked; with `decoding`
        /// its UTF-8 is appended to the value.
        mutating func string(decoding: Bool) -> Bool {
            i += 1
            while true {
                // Plain ASCII run.
                let runStart = i
                i = plainEnd(from: i)
                if decoding && i > runStart { copy(runStart, i) }
                guard i < t.count else { return false }
                let b = t[i]
                if b == UInt8(ascii: "\"") {
                    i += 1
                    return true
                }
                if b < 0x20 { return false }
                if b >= 0x80 {
                    let n = validUTF8Length(at: i)
                    guard n > 0 else { return false }
                    if decoding { copy(i, i + n) }
                    i += n
                    continue
                }
                // Escape: at least two bytes in, at most one out (or a
                // \u: six in, three out; a pair: twelve in, four out).
                i += 1
                guard i < t.count else { return false }
                let e = t[i]
                i += 1
                if let simple = JSONStringBytes.simpleEscape(e) {
                    if decoding { put(simple) }
                    continue
                }
                guard e == UInt8(ascii: "u"), var v = hex4() else { return false }
                if v >= 0xDC00 && v <= 0xDFFF { return false }
                if v >= 0xD800 && v <= 0xDBFF {
                    guard i + 2 <= t.count, t[i] == UInt8(ascii: "\\"), t[i + 1] == UInt8(ascii: "u") else { return false }
                    i += 2
                    guard let lo = hex4(), lo >= 0xDC00, lo <= 0xDFFF else { return false }
                    v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                }
                if decoding { putScalar(v) }
            }
        }

        @inline(__always)
        mutating func putScalar(_ v: UInt32) {
            JSONStringBytes.encodeUTF8(v) { put($0) }
        }

        /// Length of the well-formed UTF-8 sequence at `p` (lead byte >= 0x80),
        /// or 0 when it is not well-formed (the parser's rules).
        func validUTF8Length(at p: Int) -> Int {
            JSONStringBytes.utf8SequenceLength(t.baseAddress!, at: p, end: t.count)
        }
    }
}
