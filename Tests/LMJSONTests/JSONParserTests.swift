import TestSupport
import Foundation
import Testing

@testable import LMJSON

/// Parses `text` and returns the error it must throw.
func parseError(_ text: String) -> JSONParseError? {
    do {
        _ = try JSONParser.parse(text)
        return nil
    } catch let e as JSONParseError {
        return e
    } catch {
        return nil
    }
}

func parseError(bytes: [UInt8]) -> JSONParseError? {
    do {
        _ = try JSONParser.parse(bytes)
        return nil
    } catch let e as JSONParseError {
        return e
    } catch {
        return nil
    }
}

@Suite struct JSONParserValueTests {
    @Test func scalars() throws {
        #expect(try JSONParser.parse("null") == .null)
        #expect(try JSONParser.parse(" true ") == .bool(true))
        #expect(try JSONParser.parse("\n\tfalse\r\n") == .bool(false))
        #expect(try JSONParser.parse("0") == .int(0))
        #expect(try JSONParser.parse("-0") == .int(0))  // Python: json.loads("-0") == 0, an int
        #expect(try JSONParser.parse("\"\"") == .string(""))
    }

    @Test func integersStayExactUpToInt64Bounds() throws {
        #expect(try JSONParser.parse("9223372036854775807") == .int(Int64.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .int(Int64.min))
        // One past the bounds no longer fits, so it becomes the nearest double (2^63).
        #expect(try JSONParser.parse("9223372036854775808") == .double(9223372036854775808.0))
        #expect(try JSONParser.parse("-9223372036854775809") == .double(-9223372036854775808.0))
        #expect(try JSONParser.parse("123456789012345678901234567890") == .double(1.2345678901234568e29))
    }

    @Test func doublesAreCorrectlyRounded() throws {
        #expect(try JSONParser.parse("1.5") == .double(1.5))
        #expect(try JSONParser.parse("-0.0") == .double(-0.0))
        #expect(try JSONParser.parse("1e2") == .double(100))  // an exponent makes it a double, as in Python
        #expect(try JSONParser.parse("1E-2") == .double(0.01))
        #expect(try JSONParser.parse("2.5e+3") == .double(2500))
        #expect(try JSONParser.parse("0.1") == .double(0.1))
        // Needs the slow path (17 significant digits): the literal is the
        // shortest repr of 0.1 + 0.2.
        #expect(try JSONParser.parse("0.30000000000000004") == .double(0.1 + 0.2))
        #expect(try JSONParser.parse("5e-324") == .double(Double.leastNonzeroMagnitude))
        #expect(try JSONParser.parse("1.7976931348623157e308") == .double(Double.greatestFiniteMagnitude))
        // Halfway case between two doubles (2^53 + 1): round-half-even gives 2^53.
        #expect(try JSONParser.parse("9007199254740993.0") == .double(9007199254740992.0))
        // Python also turns an overflowing literal into inf.
        #expect(try JSONParser.parse("1e400") == .double(.infinity))
    }

    @Test func fastAndSlowNumberPathsAgreeWithSwift() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let d = Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF)
            let lit = "\(d)"
            let parsed = try JSONParser.parse(lit)
            #expect(parsed == .double(d), "\(lit)")
            // And short decimals that take the fast path.
            let m = Int.random(in: 0..<1_000_000), e = Int.random(in: -22...22)
            let short = "\(m)e\(e)"
            #expect(try JSONParser.parse(short) == .double(Double(short)!), "\(short)")
        }
    }

    @Test func stringsAndEscapes() throws {
        #expect(try JSONParser.parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{c}\n\r\t"))
        #expect(try JSONParser.parse(#""\u00e9\u4e2D""#) == .string("é中"))
        // A surrogate pair is one scalar: U+1F600.
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try JSONParser.parse("\"héllo 中文 😀\"") == .string("héllo 中文 😀"))
        // DEL (0x7F) is not a control character for JSON.
        #expect(try JSONParser.parse("\"\u{7F}\"") == .string("\u{7F}"))
    }

    @Test func specialBytesAtEveryWordOffset() throws {
        // The string scan skips 8 bytes at a time; put each kind of special
        // byte at every offset around two word boundaries.
        for k in 0..<20 {
            let pre = String(repeating: "a", count: k)
            let post = String(repeating: "b", count: 19 - k)
            #expect(try JSONParser.parse("\"\(pre)\\n\(post)\"") == .string(pre + "\n" + post))
            #expect(try JSONParser.parse("\"\(pre)é中😀\(post)\"") == .string(pre + "é中😀" + post))
            #expect(try JSONParser.parse("\"\(pre)\"") == .string(pre))
            #expect(try JSONParser.parse("[\"\(pre)\\u0041\(post)\", \"\(pre)\"]")
                    == .array([.string(pre + "A" + post), .string(pre)]))
            let control = parseError("\"\(pre)\u{1}\(post)\"")
            #expect(control?.kind == .controlCharacterInString)
            #expect(control?.offset == k + 1)
            let escapedThenControl = parseError("\"\\n\(pre)\u{1f}\(post)\"")
            #expect(escapedThenControl?.offset == k + 3)
            let bad = parseError(bytes: [0x22] + Array(pre.utf8) + [0xFF] + Array(post.utf8) + [0x22])
            #expect(bad?.kind == .invalidUTF8)
            #expect(bad?.offset == k + 1)
        }
    }

    @Test func containersKeepOrder() throws {
        let v = try JSONParser.parse(#"{"b": [1, 2.5, "x", null], "a": {"c": true}, "e": {}, "f": []}"#)
        let expected = JSONValue.object(JSONObject([
            ("b", .array([.int(1), .double(2.5), .string("x"), .null])),
            ("a", .object(JSONObject([("c", .bool(true))]))),
            ("e", .object(JSONObject())),
            ("f", .array([])),
        ]))
        #expect(v == expected)
    }

    @Test func duplicateKeysLastValueFirstPosition() throws {
        // Python: json.loads('{"a":1,"b":2,"a":3}') == {"a": 3, "b": 2}, "a" first.
        let v = try JSONParser.parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(v == .object(JSONObject([("a", .int(3)), ("b", .int(2))])))
        // Same rule past the hash-index threshold (40 keys, then k7 again).
        var text = "{"
        for k in 0..<40 { text += "\"k\(k)\":\(k)," }
        text += "\"k7\":\"again\"}"
        guard case .object(let o) = try JSONParser.parse(text) else {
            Issue.record("not an object")
            return
        }
        #expect(o.count == 40)
        #expect(o.entries[7].key == "k7" && o.entries[7].value == .string("again"))
        #expect(o.entries[39].key == "k39")
    }

    @Test func canonicallyEquivalentKeysStayDistinct() throws {
        // "é" precomposed and "e" + combining acute are equal Swift Strings but
        // different keys for Python (and for HF vocabularies).
        let v = try JSONParser.parse("{\"\u{E9}\":1,\"e\u{301}\":2}")
        guard case .object(let o) = v else {
            Issue.record("not an object")
            return
        }
        #expect(o.count == 2)
    }

    @Test func nestingUpToTheLimit() throws {
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        _ = try JSONParser.parse(ok)
        let tooDeep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        let e = try #require(parseError(tooDeep))
        #expect(e.kind == .tooDeep)
        #expect(e.offset == 512)  // the 513th '['
    }

    @Test func conveniencesAgree() throws {
        let text = #"{"k":[1,"é"]}"#
        let bytes = Array(text.utf8)
        let v = try JSONParser.parse(text)
        #expect(try JSONParser.parse(bytes) == v)
        #expect(try JSONParser.parse(Data(bytes)) == v)
        #expect(try JSONParser.parse(([0x20] + bytes + [0x20])[1...bytes.count]) == v)
    }
}

@Suite struct JSONParserErrorTests {
    @Test func errorCarriesLineAndColumn() throws {
        // Line 3 is `  "b": 2 "c": 3`; the offending '"' is the 10th character.
        let text = "{\n  \"a\": 1,\n  \"b\": 2 \"c\": 3\n}"
        let e = try #require(parseError(text))
        #expect(e.kind == .unexpectedCharacter)
        #expect(e.line == 3)
        #expect(e.column == 10)
        #expect(e.offset == 21)
        #expect(e.description == "line 3, column 10: expected ',' or '}' after object member")
    }

    @Test func columnsCountScalarsNotBytes() throws {
        // "é" is two bytes but one column: the bad byte 'x' is at column 7.
        let e = try #require(parseError("[\"é\", x]"))
        #expect(e.offset == 7)
        #expect(e.column == 7)
    }

    @Test func everyKindOfMistake() throws {
        // (input, kind, line, column); columns are 1-based scalar counts.
        let cases: [(String, JSONParseError.Kind, Int, Int)] = [
            ("", .unexpectedEnd, 1, 1),
            ("   ", .unexpectedEnd, 1, 4),
            ("[1,", .unexpectedEnd, 1, 4),
            ("{\"a\"", .unexpectedEnd, 1, 5),
            ("\"abc", .unexpectedEnd, 1, 1),  // unterminated: points at the opening quote
            ("tru", .unexpectedEnd, 1, 4),
            ("nul x", .unexpectedCharacter, 1, 4),
            ("NaN", .unexpectedCharacter, 1, 1),
            ("Infinity", .unexpectedCharacter, 1, 1),
            ("[1,]", .unexpectedCharacter, 1, 4),  // trailing comma, at the ']'
            ("{\"a\":1,}", .unexpectedCharacter, 1, 8),
            ("{\"a\" 1}", .unexpectedCharacter, 1, 6),
            ("{1:2}", .unexpectedCharacter, 1, 2),
            ("[1 2]", .unexpectedCharacter, 1, 4),
            ("'a'", .unexpectedCharacter, 1, 1),
            ("1 2", .trailingCharacters, 1, 3),
            ("{}\n}", .trailingCharacters, 2, 1),
            ("01", .invalidNumber, 1, 1),
            ("-01", .invalidNumber, 1, 1),
            ("-", .unexpectedEnd, 1, 2),
            ("-a", .invalidNumber, 1, 2),
            ("1.", .invalidNumber, 1, 3),
            ("1.e3", .invalidNumber, 1, 3),
            ("1e", .invalidNumber, 1, 3),
            ("1e+", .invalidNumber, 1, 4),
            (".5", .unexpectedCharacter, 1, 1),
            ("+1", .unexpectedCharacter, 1, 1),
            ("\"a\\x\"", .invalidEscape, 1, 3),
            ("\"\\u12G4\"", .invalidEscape, 1, 2),
            ("\"\\ud800\"", .loneSurrogate, 1, 2),
            ("\"\\ud800\\u0041\"", .loneSurrogate, 1, 2),
            ("\"\\udc00\"", .loneSurrogate, 1, 2),
            ("\"a\tb\"", .controlCharacterInString, 1, 3),
            ("\"a\nb\"", .controlCharacterInString, 1, 3),
        ]
        for (text, kind, line, column) in cases {
            let e = parseError(text)
            #expect(e?.kind == kind, "\(text.debugDescription): \(String(describing: e))")
            #expect(e?.line == line, "\(text.debugDescription): \(String(describing: e))")
            #expect(e?.column == column, "\(text.debugDescription): \(String(describing: e))")
        }
    }

    @Test func invalidUTF8ReportsTheByteOffset() throws {
        // (bytes after the opening quote, offset of the bad lead byte)
        let bad: [[UInt8]] = [
            [0x80],  // continuation byte as lead
            [0xC0, 0x80],  // overlong NUL
            [0xC1, 0xBF],  // overlong
            [0xE0, 0x80, 0x80],  // overlong 3-byte
            [0xED, 0xA0, 0x80],  // UTF-16 surrogate encoded in UTF-8
            [0xF0, 0x80, 0x80, 0x80],  // overlong 4-byte
            [0xF4, 0x90, 0x80, 0x80],  // > U+10FFFF
            [0xF5, 0x80, 0x80, 0x80],
            [0xFF],
            [0xE4, 0xB8],  // truncated before the closing quote
            [0xC3, 0x41],  // lead without its continuation
        ]
        for seq in bad {
            let bytes: [UInt8] = Array("[\"ab".utf8) + seq + Array("\"]".utf8)
            let e = parseError(bytes: bytes)
            #expect(e?.kind == .invalidUTF8, "\(seq)")
            #expect(e?.offset == 4, "\(seq)")
        }
        // Outside strings a non-ASCII byte is just an unexpected character.
        #expect(parseError(bytes: [0x5B, 0xC3, 0xA9, 0x5D])?.kind == .unexpectedCharacter)
        // Escaped string path validates too.
        let e = parseError(bytes: Array("\"\\n".utf8) + [0xC0, 0x80, 0x22])
        #expect(e?.kind == .invalidUTF8)
        #expect(e?.offset == 3)
        // A byte order mark is rejected like Python's json.loads does.
        #expect(parseError(bytes: [0xEF, 0xBB, 0xBF, 0x31])?.kind == .unexpectedCharacter)
    }
}

@Suite struct JSONParserMutationTests {
    /// Random byte edits of valid documents: every outcome is either a value
    /// that survives serialize -> parse, or a `JSONParseError` whose position
    /// lies inside the input. (A differential run of 60k such inputs against
    /// Python's json.loads agreed on every accept/reject and value, apart from
    /// Python's extensions: NaN, lone surrogates, integers beyond Int64.)
    @Test func mutatedDocumentsParseOrFailWithAPosition() throws {
        let seeds: [[UInt8]] = [
            Array(#"{"a": [1, 2.5e3, -0, "x\n\u00e9"], "b": {"c": null, "d": true}}"#.utf8),
            Array("[\"é中\\ud83d\\ude00\", {\"k\": -12.5E-3, \"k\": [false]}]".utf8),
        ]
        let alphabet = Array("{}[],:\"\\ 0123456789.-+eEtrufalsnu\n\t".utf8) + [0x01, 0xC3, 0xA9, 0xFF, 0x80]
        var rng = SplitMix64(seed: 11)
        var accepted = 0
        for _ in 0..<3000 {
            var doc = seeds[Int(rng.next() % UInt64(seeds.count))]
            for _ in 0...(rng.next() % 3) {
                let pos = Int(rng.next() % UInt64(doc.count + 1))
                let byte = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                switch rng.next() % 3 {
                case 0 where !doc.isEmpty: doc.remove(at: min(pos, doc.count - 1))
                case 1: doc.insert(byte, at: pos)
                default: if !doc.isEmpty { doc[min(pos, doc.count - 1)] = byte }
                }
            }
            do {
                let v = try JSONParser.parse(doc)
                accepted += 1
                #expect(try JSONParser.parse(v.serializedBytes()) == v)
            } catch let e as JSONParseError {
                #expect(e.offset >= 0 && e.offset <= doc.count, "\(e)")
                #expect(e.line >= 1 && e.column >= 1)
            }
        }
        // Both outcomes occur, so the test exercises both branches.
        #expect(accepted > 100 && accepted < 2900)
    }
}
