import Foundation
import TestSupport
import Testing

@testable import LMIO

/// Reads every line as (line number, text).
func allLines<S: ByteSource & ~Copyable>(_ reader: inout LineReader<S>) throws -> [(Int, String)] {
    var out: [(Int, String)] = []
    while let l = try reader.next({ (String(decoding: $0, as: UTF8.self), $1) }) {
        out.append((l.1, l.0))
    }
    return out
}

func lines(_ text: String, blockSize: Int = 1 << 16, chunkSize: Int = .max) throws -> [String] {
    var r = LineReader(MemorySource(Array(text.utf8), chunkSize: chunkSize), blockSize: blockSize)
    let got = try allLines(&r)
    // Line numbers are 1, 2, 3, ... with no gaps.
    #expect(got.map(\.0) == (0..<got.count).map { $0 + 1 })
    return got.map(\.1)
}

/// The lines a splitter must give, worked out the plain way: split on
/// `\n`, drop one `\r` before it, drop an empty last piece.
func referenceLines(_ bytes: [UInt8]) -> [[UInt8]] {
    var pieces = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
    if pieces.last?.isEmpty == true { pieces.removeLast() }
    return pieces.map { $0.last == UInt8(ascii: "\r") ? Array($0.dropLast()) : $0 }
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

    @Test func linesLongerThanTheBlockAndTinyChunks() throws {
        let long = String(repeating: "x", count: 1000)
        let text = "ab\n\(long)\r\n\ncd\n\(long)"
        let expected = ["ab", long, "", "cd", long]
        // Every block size and chunk size combination gives the same lines.
        for blockSize in [1, 2, 3, 7, 64, 4096] {
            for chunk in [1, 2, 5, 1 << 20] {
                #expect(try lines(text, blockSize: blockSize, chunkSize: chunk) == expected,
                        "block \(blockSize) chunk \(chunk)")
            }
        }
    }

    @Test func multiByteTextSplitAcrossChunks() throws {
        let text = "héllo 中文\n😀😀\n"
        #expect(try lines(text, blockSize: 2, chunkSize: 1) == ["héllo 中文", "😀😀"])
    }

    @Test func maximumLineLength() throws {
        // A 6-byte line fits a 6-byte limit (the '\n' is not counted)...
        var ok = LineReader(MemorySource(Array("abcdef\nxy\n".utf8)), blockSize: 2, maximumLineLength: 6)
        #expect(try allLines(&ok).map(\.1) == ["abcdef", "xy"])
        // ...a 7-byte second line does not, and the error names the line.
        var r = LineReader(MemorySource(Array("ab\nabcdefg\n".utf8), name: "in.jsonl"), blockSize: 2, maximumLineLength: 6)
        #expect(try r.nextLine()?.bytes == Array("ab".utf8))
        #expect(throws: LineTooLongError(source: "in.jsonl", line: 2, limit: 6)) { try r.nextLine() }
        // A line without any newline cannot grow memory past the limit either.
        var endless = LineReader(MemorySource([UInt8](repeating: 120, count: 100)), blockSize: 4, maximumLineLength: 10)
        #expect(throws: LineTooLongError(source: "<memory>", line: 1, limit: 10)) { try endless.nextLine() }
    }

    @Test func fileDescriptorSourceReadsAFile() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = try dir.write("rows.jsonl", "{\"a\":1}\r\n\n{\"a\":2}")
        var r = LineReader(try FileDescriptor.openForReading(path), blockSize: 4)
        #expect(r.name == path)
        #expect(try allLines(&r).map(\.1) == ["{\"a\":1}", "", "{\"a\":2}"])
    }
}

/// `LineBatches` gives exactly the reference lines, in batches that respect
/// `maxRows` and never reuse a block a batch still holds.
@Suite struct LineBatchesTests {
    /// All batches' lines, every batch held until the end, so a block reused
    /// while a batch still points into it would show up as changed lines.
    func split(_ bytes: [UInt8], blockSize: Int, maxRows: Int, chunkSize: Int = .max, minimumFill: Int = 0) throws
        -> [[UInt8]]
    {
        var source = LineBatches(
            MemorySource(bytes, chunkSize: chunkSize), blockSize: blockSize, minimumFill: minimumFill)
        var held: [LineBatch] = []
        var next = 1
        while let batch = try source.nextBatch(maxRows: maxRows) {
            #expect(!batch.isEmpty && batch.count <= maxRows)
            #expect(batch.firstLineNumber == next)
            next += batch.count
            held.append(batch)
        }
        #expect(source.linesRead == next - 1)
        return held.flatMap { b in (0..<b.count).map { b.line($0) } }
    }

    @Test func edgeCasesMatchTheReference() throws {
        for text in ["", "a", "a\n", "a\n\nb", "\n", "\n\n", "abc\ndef\n", "x\r\ny\r\n", "\r\n", "a\r"] {
            for blockSize in [1, 2, 3, 64] {
                let bytes = Array(text.utf8)
                #expect(try split(bytes, blockSize: blockSize, maxRows: 2) == referenceLines(bytes),
                        "\(String(reflecting: text)) block \(blockSize)")
            }
        }
    }

    @Test func randomInputsMatchTheReferenceForAnyBlockBatchAndReadSize() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<40 {
            let length = Int.random(in: 0..<3000, using: &rng)
            // Mostly short lines, some empty, some CRLF, some longer than small blocks.
            let bytes = (0..<length).map { _ -> UInt8 in
                switch Int.random(in: 0..<40, using: &rng) {
                case 0, 1: return UInt8(ascii: "\n")
                case 2: return UInt8(ascii: "\r")
                default: return UInt8.random(in: 32...126, using: &rng)
                }
            }
            let blockSize = [7, 64, 1000, 1 << 16].randomElement(using: &rng)!
            let maxRows = [1, 3, 100, 4096].randomElement(using: &rng)!
            let chunk = [1, 13, 500, .max].randomElement(using: &rng)!
            let fill = [0, 10, 1 << 20].randomElement(using: &rng)!
            #expect(try split(bytes, blockSize: blockSize, maxRows: maxRows, chunkSize: chunk, minimumFill: fill)
                        == referenceLines(bytes), "block \(blockSize), rows \(maxRows), chunk \(chunk), fill \(fill)")
        }
    }

    /// A pipe hands out what it has: without `minimumFill` a batch starts
    /// after one short read; with it, reads go on until that much is in.
    @Test func minimumFillKeepsReadingAfterShortReads() throws {
        let text = Array(String(repeating: "0123456789\n", count: 100).utf8)  // 1100 bytes
        var once = LineBatches(MemorySource(text, chunkSize: 110), blockSize: 4096)
        #expect(try once.nextBatch(maxRows: 1000)?.count == 10)  // one 110-byte read
        var filled = LineBatches(MemorySource(text, chunkSize: 110), blockSize: 4096, minimumFill: 550)
        #expect(try filled.nextBatch(maxRows: 1000)?.count == 50)  // five reads
    }

    @Test func aReadErrorNamesTheFile() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        // A directory opens for reading, but read(2) fails with EISDIR.
        let fd = open(dir.path, O_RDONLY)
        var source = LineBatches(FileDescriptor(owning: fd, path: "the-dir"))
        #expect(throws: FileError(path: "the-dir", operation: "read", code: EISDIR)) {
            _ = try source.nextBatch(maxRows: 10)
        }
    }
}
