import Foundation
import TestSupport
import Testing

/// `lmshard tokenize` and `lmshard run` as a user runs them.
@Suite struct TokenizeAndRunTests {
    @Test func tokenizeWritesOneIdLinePerRowAndRejectsBadRows() throws {
        let ok = try CLI.run(["tokenize", "--tokenizer", CLI.sampleTokenizer],
                             stdin: Data("{\"text\": \"<fim_prefix>def\"}\n{\"text\": \"\"}\n".utf8))
        #expect(ok.status == 0, "\(ok.stderr)")
        let lines = ok.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        // <fim_prefix> is special token 1 in the sample tokenizer (Mellum's layout); empty text has no ids.
        #expect(lines.first?.hasPrefix("{\"ids\":[1,") == true, "\(ok.stdout)")
        #expect(lines.last == "{\"ids\":[]}")

        let bad = try CLI.run(["tokenize", "--tokenizer", CLI.sampleTokenizer],
                              stdin: Data("{\"text\": \"a\"}\n{\"text\": 3}\n".utf8))
        #expect(bad.status != 0)
        #expect(bad.stderr == "lmshard: error: <stdin>:2: field \"text\" is not a string\n", "\(bad.stderr)")
    }

    /// The fast field reader scans eight bytes at a time: escapes, quotes,
    /// control and non-ASCII characters at every offset of a word must
    /// decode as the general parser decodes them (an escaped key sends a
    /// line to the general parser).
    @Test func fastFieldReaderAgreesWithGeneralParserAtEveryOffset() throws {
        var lines: [String] = []
        for special in ["\\n", "\\\"", "\\\\", "\\u00e9", "é", "\\t", "\\ud83d\\ude00", "中"] {
            for offset in 0..<18 {
                let body = String(repeating: "ab", count: offset / 2) + (offset % 2 == 1 ? "c" : "") + special + " tail1 2"
                lines.append("{\"text\": \"\(body)\"}")
                lines.append("{\"te\\u0078t\": \"\(body)\"}")
            }
        }
        let result = try CLI.run(["tokenize", "--tokenizer", CLI.sampleTokenizer],
                                 stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
        #expect(result.status == 0, "\(result.stderr)")
        let out = result.stdout.split(separator: "\n")
        #expect(out.count == lines.count)
        for k in stride(from: 0, to: out.count - 1, by: 2) {
            #expect(out[k] == out[k + 1], "\(lines[k])")
        }
    }

    /// Rows read as Python's `json.loads` reads them: a repeated field's
    /// last value; bytes that are not UTF-8 are an error naming line and column.
    @Test func tokenizeTakesTheLastRepeatedFieldAndRejectsInvalidUTF8() throws {
        let dup = try CLI.run(["tokenize", "--tokenizer", CLI.sampleTokenizer],
                              stdin: Data("{\"text\": \"a\", \"text\": \"def\"}\n{\"text\": \"def\"}\n".utf8))
        #expect(dup.status == 0, "\(dup.stderr)")
        let lines = dup.stdout.split(separator: "\n")
        #expect(lines.count == 2 && lines[0] == lines[1], "\(dup.stdout)")

        let bad = try CLI.run(["tokenize", "--tokenizer", CLI.sampleTokenizer],
                              stdin: Data("{\"text\": \"a\"}\n{\"text\":\"".utf8) + Data([0xFF]) + Data("\"}\n".utf8))
        #expect(bad.status != 0)
        #expect(bad.stderr.hasPrefix("lmshard: error: <stdin>:2: invalid JSON at column 10: invalid UTF-8"), "\(bad.stderr)")
    }

    @Test func runChangeCaseIsTheSeedExample() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try dir.write("cfg.json", "{\"type\": \"change_case\", \"column\": \"content\", \"to_lower\": true}")
        try dir.write("in.jsonl", "{\"content\": \"A String\"}\n{\"content\": \"abcc\"}\n{\"content\": \"BCD\"}\n")
        let result = try CLI.run(["run", "--config", dir.path("cfg.json"), "--input", dir.path("in.jsonl"),
                                  "--output", dir.path("out.jsonl")])
        #expect(result.status == 0, "\(result.stderr)")
        let out = try String(contentsOfFile: dir.path("out.jsonl"), encoding: .utf8)
        #expect(out == "{\"content\":\"a string\"}\n{\"content\":\"abcc\"}\n{\"content\":\"bcd\"}\n")
    }
}
