import TestSupport
import Testing

@testable import LMJSON

/// The field through the public API: its string, or the error.
private func field(_ line: String, _ name: String = "text") -> Result<String, JSONFieldError> {
    field(bytes: Array(line.utf8), name)
}

private func field(bytes line: [UInt8], _ name: String = "text") -> Result<String, JSONFieldError> {
    var out: [UInt8] = [1, 2, 3]  // replaced, not appended to
    do {
        try line.withUnsafeBufferPointer { try JSONFieldScanner(field: name).string(in: $0, into: &out) }
        return .success(String(decoding: out, as: UTF8.self))
    } catch let e as JSONFieldError {
        #expect(out.isEmpty)
        return .failure(e)
    } catch {
        Issue.record("unexpected \(error)")
        return .failure(.notAnObject)
    }
}

/// The scan alone, without the parser behind it: nil when it leaves the line to the parser.
private func scanned(_ line: String, _ name: String = "text") -> String? {
    var line = line
    return line.withUTF8 { t in
        var out = [UInt8](repeating: 0, count: t.count)
        return out.withUnsafeMutableBufferPointer { o -> String? in
            var scan = JSONFieldScanner.Scan(t: t, out: o.baseAddress!)
            let found = Array(name.utf8).withUnsafeBufferPointer { scan.object(field: $0) }
            return found ? String(decoding: o[..<scan.written], as: UTF8.self) : nil
        }
    }
}

/// The parser's kind of error for a line, when the line is invalid JSON.
private func parseKind(_ line: String) -> JSONParseError.Kind? {
    if case .failure(.invalidJSON(let e)) = field(line) { return e.kind }
    return nil
}

@Suite struct JSONFieldScannerTests {
    @Test func plainStringAndWhitespace() {
        #expect(scanned(#"{"text":"hello"}"#) == "hello")
        #expect(scanned(" \t{ \"text\" :\r\n \"x y\" ,\"n\":1 } \n") == "x y")
        #expect(scanned(#"{"id":7,"text":""}"#) == "")
        #expect(scanned("{\"text\":\"héllo 中 😀\"}") == "héllo 中 😀")
        #expect(field(#"{"text":"hello"}"#) == .success("hello"))
    }

    @Test func escapesDecodeAsTheParserDoes() {
        let line = #"{"text":"q\" b\\ s\/ \b\f\n\r\t \u00e9\u4E2D \ud83d\ude00\uD83D\uDE00"}"#
        let expected = "q\" b\\ s/ \u{8}\u{c}\n\r\t é中 😀😀"
        #expect(scanned(line) == expected)
        #expect(field(line) == .success(expected))
        #expect(scanned(#"{"text":"\u0000"}"#) == "\u{0}")
    }

    @Test func otherValuesAreSkippedUnread() {
        let line = #"{"meta":{"a":[1,-2.5,0,true,false,null,{"text":"no"}],"b":"s\"t\u00e9","c":[]},"text":"yes","d":{}}"#
        #expect(scanned(line) == "yes")
        #expect(field(line) == .success("yes"))
    }

    /// Python's `json.loads` (and so Hugging Face) keeps a repeated key's last value.
    @Test func aRepeatedFieldTakesItsLastValue() {
        #expect(scanned(#"{"text":"a longer first value","text":"b"}"#) == "b")
        #expect(field(#"{"text":1,"text":"b"}"#) == .success("b"))
        #expect(field(#"{"text":"a","text":1}"#) == .failure(.notAString("text")))
        #expect(field(#"{"te\u0078t":"a","text":"b"}"#) == .success("b"))
        #expect(field(#"{"text":"a","te\u0078t":"b"}"#) == .success("b"))
    }

    /// Lines the scan leaves to the parser still give the parser's answer.
    @Test func unusualLinesGoToTheParser() {
        for (line, value) in [
            (#"{"te\u0078t":"a"}"#, "a"),
            (#"{"n":1e400,"text":"a"}"#, "a"),
            (#"{"n":123456789012345678901234567890,"text":"a"}"#, "a"),
            (#"{"clé":1,"text":"a"}"#, "a"),
        ] {
            #expect(scanned(line) == nil, "\(line)")
            #expect(field(line) == .success(value), "\(line)")
        }
        let deep = #"{"a":"# + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + #","text":"ok"}"#
        #expect(scanned(deep) == nil)
        #expect(field(deep) == .success("ok"))
        // Keys compare by bytes, as the parser merges them: "é" is not "e\u{301}".
        #expect(field("{\"e\u{301}\":\"a\"}", "é") == .failure(.missingField("é")))
        #expect(field("{\"é\":\"a\"}", "é") == .success("a"))
    }

    @Test func failuresNameTheReason() {
        #expect(field(#"{"other":"a"}"#) == .failure(.missingField("text")))
        #expect(field(#"{}"#) == .failure(.missingField("text")))
        #expect(field(#"{"text":3}"#) == .failure(.notAString("text")))
        #expect(field(#"{"text":null}"#) == .failure(.notAString("text")))
        #expect(field(#"["text"]"#) == .failure(.notAnObject))
        #expect(parseKind(#"{"text":"\ud800"}"#) == .loneSurrogate)
        #expect(parseKind(#"{"text":"\udc00"}"#) == .loneSurrogate)
        #expect(parseKind(#"{"text":"\ud83d\u0041"}"#) == .loneSurrogate)
        #expect(parseKind(#"{"text":"\ud83d x"}"#) == .loneSurrogate)
        #expect(parseKind(#"{"text":"a"} x"#) == .trailingCharacters)
        #expect(parseKind(#"{"text":"a"#) == .unexpectedEnd)
        #expect(parseKind("") == .unexpectedEnd)
        #expect(parseKind("{\"text\":\"a\tb\"}") == .controlCharacterInString)
        #expect(parseKind(#"{"text":"\x"}"#) == .invalidEscape)
        #expect(parseKind(#"{"n":NaN,"text":"a"}"#) == .unexpectedCharacter)
        #expect(field(#"{"text": oops}"#).description.contains("invalid JSON at column 10"))
        for bad: [UInt8] in [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE4, 0xB8]] {
            let line = Array(#"{"text":"a"#.utf8) + bad + Array(#""}"#.utf8)
            guard case .failure(.invalidJSON(let e)) = field(bytes: line) else {
                Issue.record("invalid UTF-8 \(bad) accepted")
                continue
            }
            #expect(e.kind == .invalidUTF8)
        }
    }

    /// Random rows with escapes, quotes, controls and non-ASCII at every
    /// offset of the scan's 8-byte words: the scan and the parser agree.
    @Test func scanAgreesWithTheParser() throws {
        var rng = SplitMix64(seed: 7)
        let pieces = ["a", "bc", " ", "\\n", "\\\"", "\\\\", "\\/", "\\u00e9", "\\ud83d\\ude00", "é", "中", "😀",
                      "\\t", "\\u0041"]
        for _ in 0..<300 {
            var body = ""
            for _ in 0..<Int.random(in: 0..<24, using: &rng) { body += pieces.randomElement(using: &rng)! }
            let other = Bool.random(using: &rng) ? #""k":[1,{"x":"\#(body)"}],"# : ""
            let line = "{\(other)\"text\":\"\(body)\"}"
            let parsed = try JSONParser.parse(line)
            guard case .object(let o) = parsed, case .string(let s) = o["text"] else {
                Issue.record("\(line)")
                continue
            }
            #expect(scanned(line) == s, "\(line)")
            #expect(field(line) == .success(s), "\(line)")
        }
    }

    /// The buffer API writes from the start of `out`; as many bytes as the
    /// line is always room enough.
    @Test func bufferAPIWritesAtMostTheLine() throws {
        let line = Array(#"{"text":"\u00e9\u00e9\ud83d\ude00"}"#.utf8)
        var out = [UInt8](repeating: 0xAA, count: line.count)
        let n = try line.withUnsafeBufferPointer { l in
            try out.withUnsafeMutableBufferPointer { try JSONFieldScanner(field: "text").string(in: l, into: $0) }
        }
        #expect(String(decoding: out[..<n], as: UTF8.self) == "éé😀")
    }
}

extension Result where Success == String, Failure == JSONFieldError {
    fileprivate var description: String {
        switch self {
        case .success(let s): return s
        case .failure(let e): return e.description
        }
    }
}
