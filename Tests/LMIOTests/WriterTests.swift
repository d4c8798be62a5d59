import Foundation
import TestSupport
import Testing

@testable import LMIO

@Suite struct WriterTests {
    /// Past several writeback strides (each flush may start writeback of
    /// what was written), a header overwrite after the fact, and a tail
    /// shorter than the buffer: the file holds exactly what was written.
    @Test func bytesSurviveEarlyWritebackAndOverwrite() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let path = tmp.path + "/f"
        let file = BufferedWriter(try FileDescriptor.create(path), capacity: 1 << 20, startsWriteback: true)
        let total = 3 * BufferedWriter.writebackStride + 12345
        var expected = [UInt8](repeating: 0, count: total)
        var rng = TestSupport.SplitMix64(seed: 3)
        var offset = 0
        while offset < total {
            // Mostly below the buffer size, sometimes above (written directly).
            let n = min(Int.random(in: 1...1_300_000, using: &rng), total - offset)
            for i in offset..<(offset + n) { expected[i] = UInt8(truncatingIfNeeded: i &* 31 &+ i >> 11) }
            try file.write(expected[offset..<(offset + n)])
            offset += n
        }
        try file.overwrite([9, 8, 7, 6], at: 0)
        expected[0..<4] = [9, 8, 7, 6]
        try file.sync()
        try file.close()
        #expect(file.size == total)
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == expected)
    }

    /// `/dev/full` takes the open and fails every write with ENOSPC: the
    /// error must come out of `flush`, naming the output, not be dropped.
    @Test func aFullDeviceIsAnErrorNamingTheOutput() throws {
        let fd = open("/dev/full", O_WRONLY)
        try #require(fd >= 0, "no /dev/full on this system")
        let out = BufferedWriter(FileDescriptor(owning: fd, path: "<stdout>"))
        try out.write("some bytes that fit the buffer\n")  // buffered: nothing written yet
        #expect(throws: FileError(path: "<stdout>", operation: "write", code: ENOSPC)) { try out.flush() }
        // Larger than the buffer: written directly, failing at once.
        #expect(throws: FileError.self) { try out.write([UInt8](repeating: 1, count: 2 << 20)) }
    }

    @Test func aClosedPipeIsAnErrorNotASignal() throws {
        // The test process ignores SIGPIPE for this (as the CLI does), so
        // the write reports EPIPE.
        let old = signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, old) }
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        close(ends[0])
        let out = BufferedWriter(FileDescriptor(owning: ends[1], path: "<stdout>"))
        try out.write("x")
        #expect(throws: FileError(path: "<stdout>", operation: "write", code: EPIPE)) { try out.flush() }
    }

    @Test func atomicWriterPublishesOnlyOnCommit() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let path = tmp.path("out.jsonl")
        try tmp.write("out.jsonl", "old\n")
        do {
            let file = try AtomicFileWriter(path: path)
            try file.output.write("new, but never committed\n")
            // Dropped here without commit: the temporary file goes, the old file stays.
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path) == ["out.jsonl"])

        let file = try AtomicFileWriter(path: path)
        #expect(FileSystem.lastComponent(of: file.temporaryPath).hasPrefix(".out.jsonl.tmp-"))
        try file.output.write("new\n")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old\n")  // not before commit
        try file.commit()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path) == ["out.jsonl"])

        try AtomicFile.write(Array("third\n".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "third\n")
    }

    @Test func atomicWriterWithAFixedTemporaryName() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let file = try AtomicFileWriter(path: tmp.path("a.bin"), temporaryPath: tmp.path(".a.bin.tmp"))
        try file.output.write([1, 2, 3])
        try file.sync()
        // Synced but not committed: readable under the temporary name only.
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: tmp.path(".a.bin.tmp")))) == [1, 2, 3])
        #expect(!FileSystem.exists(tmp.path("a.bin")))
        try file.commit(syncingDirectory: false)
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path) == ["a.bin"])
    }

    @Test func appendingKeepsAPrefixAndRefusesAShortFile() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let path = try tmp.write("log", "0123456789")
        do {
            let log = try FileDescriptor.openForAppending(path, keepingFirst: 4)
            try Array("ab".utf8).withUnsafeBytes { try log.writeAll($0) }
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "0123ab")
        #expect(throws: FileError(path: path, operation: "open", reason: "has 6 bytes, fewer than the 7 to keep")) {
            _ = try FileDescriptor.openForAppending(path, keepingFirst: 7)
        }
    }
}
