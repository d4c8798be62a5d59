import Foundation
import LMJSON

/// Parses `tokenizer.json` (and `tokenizer_config.json`) into a `JSONValue`.
///
/// Temporary: LMJSON's own parser is landing separately; the one line to
/// swap is this function's body (`try JSONParser.parse(data)`), after which
/// this file goes away. Foundation's `JSONSerialization` plus conversion to
/// `JSONValue` took 7.7 s on Llama 3's 17 MB file (0.5 s parsing, the rest
/// bridging NSDictionary / NSString), so this is a small byte-level
/// recursive-descent parser instead (~0.2 s).
func parseTokenizerJSON(_ data: Data) throws -> JSONValue {
    try data.withUnsafeBytes { raw in
        var p = MiniJSONReader(UnsafeBufferPointer(start: raw.bindMemory(to: UInt8.self).baseAddress, count: raw.count))
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.i == p.t.count else { throw p.fail("trailing characters after the JSON value") }
        return v
    }
}

/// The reader behind `parseTokenizerJSON`: strict RFC 8259, errors carry the byte offset.
private struct MiniJSONReader {
    let t: UnsafeBufferPointer<UInt8>
    var i = 0

    init(_ t: UnsafeBufferPointer<UInt8>) { self.t = t }

    func fail(_ why: String) -> TokenizerError {
        .invalidField(path: "$", reason: "not valid JSON at byte \(i): \(why)")
    }

    mutating func skipSpace() {
        while i < t.count, t[i] == 0x20 || t[i] == 0x0A || t[i] == 0x0D || t[i] == 0x09 { i += 1 }
    }

    mutating func expect(_ word: String, _ v: JSONValue) throws -> JSONValue {
        for b in word.utf8 {
            guard i < t.count, t[i] == b else { throw fail("expected \(word)") }
            i += 1
        }
        return v
    }

    mutating func value(depth: Int) throws -> JSONValue {
        guard depth < 512 else { throw fail("nesting deeper than 512") }
        guard i < t.count else { throw fail("unexpected end of input") }
        switch t[i] {
        case UInt8(ascii: "{"):
            i += 1
            var entries: [(key: String, value: JSONValue)] = []
            skipSpace()
            if i < t.count, t[i] == UInt8(ascii: "}") { i += 1; return .object(JSONObject(entries)) }
            while true {
                skipSpace()
                guard i < t.count, t[i] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                let key = try string()
                skipSpace()
                guard i < t.count, t[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                i += 1
                skipSpace()
                entries.append((key, try value(depth: depth + 1)))
                skipSpace()
                guard i < t.count else { throw fail("unterminated object") }
                if t[i] == UInt8(ascii: ",") { i += 1; continue }
                if t[i] == UInt8(ascii: "}") { i += 1; return .object(JSONObject(entries)) }
                throw fail("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            i += 1
            var items: [JSONValue] = []
            skipSpace()
            if i < t.count, t[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                skipSpace()
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard i < t.count else { throw fail("unterminated array") }
                if t[i] == UInt8(ascii: ",") { i += 1; continue }
                if t[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                throw fail("expected ',' or ']'")
            }
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        default:
            return try number()
        }
    }

    mutating func number() throws -> JSONValue {
        let start = i
        if i < t.count, t[i] == UInt8(ascii: "-") { i += 1 }
        var integral = true
        var digits = 0
        while i < t.count {
            let c = t[i]
            if c >= 0x30 && c <= 0x39 { digits += 1 } else if c == UInt8(ascii: ".") || c == UInt8(ascii: "e")
                || c == UInt8(ascii: "E") || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") { integral = false } else { break }
            i += 1
        }
        guard digits > 0 else { throw fail("expected a value") }
        let text = String(decoding: UnsafeBufferPointer(rebasing: t[start..<i]), as: UTF8.self)
        if integral, let v = Int64(text) { return .int(v) }
        guard let d = Double(text) else { throw fail("malformed number \(text)") }
        return .double(d)
    }

    mutating func string() throws -> String {
        i += 1  // opening quote
        let start = i
        // Fast path: no escapes.
        while i < t.count {
            let c = t[i]
            if c == UInt8(ascii: "\"") {
                let s = UnsafeBufferPointer(rebasing: t[start..<i])
                i += 1
                guard let str = String(validating: s, as: UTF8.self) else { throw fail("invalid UTF-8 in string") }
                return str
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw fail("control character in string") }
            i += 1
        }
        var bytes = Array(UnsafeBufferPointer(rebasing: t[start..<i]))
        while i < t.count {
            let c = t[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                guard let str = String(validating: bytes, as: UTF8.self) else { throw fail("invalid UTF-8 in string") }
                return str
            }
            if c < 0x20 { throw fail("control character in string") }
            if c != UInt8(ascii: "\\") { bytes.append(c); i += 1; continue }
            i += 1
            guard i < t.count else { break }
            let e = t[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(e)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var v = try hex4()
                if (0xD800..<0xDC00).contains(v), i + 1 < t.count, t[i] == UInt8(ascii: "\\"), t[i + 1] == UInt8(ascii: "u") {
                    i += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate") }
                    v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(v) else { throw fail("unpaired surrogate") }
                bytes.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                throw fail("bad escape")
            }
        }
        throw fail("unterminated string")
    }

    mutating func hex4() throws -> UInt32 {
        guard i + 4 <= t.count else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = t[i]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw fail("bad hex digit in \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }
}
