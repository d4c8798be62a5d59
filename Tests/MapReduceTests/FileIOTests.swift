import Foundation
import TestSupport
import LMJSON
import Testing
@testable import MapReduce

@Suite struct FileIOTests {
    @Test func jsonLinesKeepKeyOrderAndWriteLikePython() throws {
        // Keys stay in input order (not sorted), non-ASCII stays raw, floats as Python's repr.
        let line = Array(#"{"zeta": 1, "alpha": [true, null, 1.5e-05], "mid": "h\u00e9\n"}"#.utf8)
        var out: [UInt8] = Array("x".utf8)
        JSONLines.append(try JSONLines.parse(line), to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "x{\"zeta\":1,\"alpha\":[true,null,1.5e-05],\"mid\":\"hé\\n\"}\n")
        #expect {
            try JSONLines.parse(Array(#"{"a": 1,"#.utf8))
        } throws: { error in
            "\(error)" == "invalid JSON at column 9: unexpected end of input, expected an object key"
        }
    }

    @Test func invalidJSONAndInvalidUTF8NameTheLine() throws {
        let t = CountCharsTransform(CountCharsConfig(column: "c"))
        let lines: [[UInt8]] = [Array(#"{"c":"ok"}"#.utf8), [0x7B, 0x22, 0x63, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D], Array("{".utf8)]
        for workers in [1, 2] {
            #expect {
                try LocalRunner(workers: workers).run(jsonTransform: t, lines: lines) { _ in }
            } throws: { error in
                // Line 2 holds the byte 0xFF inside a string: not UTF-8.
                if case .input(2, _)? = error as? MapReduceError { return true }
                return false
            }
        }
    }

    @Test func recordFileRoundTripsAndDetectsTruncation() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let dir = tmp.path
        let path = dir + "/r.zst"
        var writer = try RecordFileWriter(path: path)
        // 3000 records of growing length: several zstd blocks.
        let records = (0..<3000).map { i in [UInt8]((0..<(i % 97)).map { UInt8(truncatingIfNeeded: $0 &* i) }) }
        for r in records { try writer.append(r) }
        try writer.finish()
        var reader = try RecordFileReader(path: path)
        var back: [[UInt8]] = []
        while let r = try reader.next() { back.append(r) }
        #expect(back == records)

        let data = try #require(FileManager.default.contents(atPath: path))
        try data.prefix(data.count - 7).write(to: URL(fileURLWithPath: path))
        var truncated = try RecordFileReader(path: path)
        #expect(throws: MapReduceError.self) { while try truncated.next() != nil {} }
    }

    @Test func multiFrameRecordFileReadsBackEveryRecord() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let path = tmp.path("f.zst")
        let records: [[UInt8]] = (0..<5).map { Array(repeating: UInt8($0), count: $0 * 3) }
        var writer = try RecordFileWriter(path: path)
        try writer.append(records[0])
        try writer.append(records[1])
        let committed = try writer.commit()
        #expect(try writer.commit() == committed)  // nothing new: no empty frame
        try writer.append(records[2])
        _ = try writer.commit()
        try writer.append([42])  // never committed: dropped on reopen
        try writer.finish()
        // Reopen after the first frame, as a resumed reduce does.
        var resumed = try RecordFileWriter(path: path, appendingAfter: committed)
        try resumed.append(records[2])
        _ = try resumed.commit()
        try resumed.append(records[3])
        try resumed.append(records[4])
        try resumed.finish()
        var reader = try RecordFileReader(path: path)
        var read: [[UInt8]] = []
        while let r = try reader.next() { read.append(r) }
        #expect(read == records)
    }
}
