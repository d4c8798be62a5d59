import Foundation
import Testing

@testable import LMJSON

/// Reads every line as (line number, text).
func allLines<S: ByteSource>(_ reader: inout LineReader<S>) throws -> [(Int, String)] {
    var out: [(Int, String)] = []
    while let l = try reader.next({ (String(decoding: $0, as: UTF8.self), $1) }) {
        out.append((l.1, l.0))
    }
    return out
}

func lines(_ text: String, bufferSize: Int = 1 << 16, chunkSize: Int = .max) throws -> [String] {
    var r = LineReader(MemoryByteSource(Array(text.utf8), chunkSize: chunkSize), bufferSize: bufferSize)
    let got = try allLines(&r)
    // Line numbers are 1, 2, 3, ... with no gaps.
    #expect(got.map(\.0) == (0..<got.count).map { $0 + 1 })
    return got.map(\.1)
}

@Suite struct LineReaderTests {
    @Test func lfCrlfAndMissingFinalNewline() throws {
        #expect(try lines("a\nbb\nccc\n") == ["a", "bb", "ccc"])
        #expect(try lines("a\r\nbb\r\nccc") == ["a", "bb", "ccc"])  // CRLF, no final newline
        #expect(try lines("last") == ["last"])
        #expect(try lines("x\r") == ["x"])  // a trailing '\r' at end of input is dropped too
        // Only a '\r' right before the '\n' is removed.
        #expect(try lines("a\rb\n") == ["a\rb"])
    }

    @Test func emptyLinesAreYielded() throws {
        #expect(try lines("") == [])
        #expect(try lines("\n") == [""])
        #expect(try lines("\n\na\n\r\n\n") == ["", "", "a", "", ""])
    }

    @Test func linesLongerThanTheBufferAndTinyChunks() throws {
        let long = String(repeating: "x", count: 1000)
        let text = "ab\n\(long)\r\n\ncd\n\(long)"
        let expected = ["ab", long, "", "cd", long]
        // Every buffer size and chunk size combination gives the same lines.
        for bufferSize in [1, 2, 3, 7, 64, 4096] {
            for chunk in [1, 2, 5, 1 << 20] {
                #expect(try lines(text, bufferSize: bufferSize, chunkSize: chunk) == expected,
                        "buffer \(bufferSize) chunk \(chunk)")
            }
        }
    }

    @Test func multiByteTextSplitAcrossChunks() throws {
        let text = "héllo 中文\n😀😀\n"
        #expect(try lines(text, bufferSize: 2, chunkSize: 1) == ["héllo 中文", "😀😀"])
    }

    @Test func maximumLineLength() throws {
        // A 6-byte line fits a 6-byte limit (the '\n' is not counted)...
        var ok = LineReader(MemoryByteSource(Array("abcdef\nxy\n".utf8)), bufferSize: 2, maximumLineLength: 6)
        #expect(try allLines(&ok).map(\.1) == ["abcdef", "xy"])
        // ...a 7-byte second line does not.
        var r = LineReader(MemoryByteSource(Array("ab\nabcdefg\n".utf8)), bufferSize: 2, maximumLineLength: 6)
        #expect(try r.nextLine()?.bytes == Array("ab".utf8))
        #expect(throws: LineTooLongError(line: 2, limit: 6)) { try r.nextLine() }
    }

    @Test func fileSourceReadsAFile() throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("lmjson-lines-\(UInt32.random(in: 0...UInt32.max)).jsonl")
        try Data("{\"a\":1}\r\n\n{\"a\":2}".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        var r = LineReader(try FileByteSource(path: url.path), bufferSize: 4)
        var values: [(Int, JSONValue)] = []
        while let v = try r.next({ bytes, line -> (Int, JSONValue)? in
            bytes.isEmpty ? (line, .null) : (line, try JSONParser.parse(bytes))
        }) {
            if let v { values.append(v) }
        }
        #expect(values.map(\.0) == [1, 2, 3])
        #expect(values.map(\.1) == [.object(JSONObject([("a", .int(1))])), .null, .object(JSONObject([("a", .int(2))]))])
    }

    @Test func missingFileErrorNamesTheFile() {
        let path = "/nonexistent-dir-for-lmjson-test/rows.jsonl"
        #expect(throws: FileError(path: path, operation: "open", code: ENOENT)) {
            _ = try FileByteSource(path: path)
        }
        let e = FileError(path: "rows.jsonl", operation: "open", code: ENOENT)
        #expect(e.description == "cannot open 'rows.jsonl': No such file or directory")
    }
}
