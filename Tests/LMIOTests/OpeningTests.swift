import Foundation
import TestSupport
import Testing

@testable import LMIO

/// Reading opens regular files only: a FIFO, socket or device named where a
/// file is expected fails at once instead of blocking or reading forever.
@Suite struct OpeningTests {
    func makeFIFO(_ dir: TempDir, _ name: String) throws -> String {
        let path = dir.path(name)
        try #require(mkfifo(path, 0o600) == 0, "mkfifo failed")
        return path
    }

    @Test func aFIFOFailsFastInsteadOfBlocking() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let fifo = try makeFIFO(dir, "manifest.json")
        let notRegular = FileError(path: fifo, operation: "open", reason: "not a regular file (a FIFO)")
        // Each of these would block forever in open(2) without O_NONBLOCK.
        let opened = withDeadline(seconds: 20) { _ = try FileDescriptor.openForReading(fifo) }
        #expect(throws: notRegular) { try #require(opened, "open of a FIFO blocked").get() }
        let mapped = withDeadline(seconds: 20) { _ = try MappedFile(path: fifo) }
        #expect(throws: notRegular) { try #require(mapped, "map of a FIFO blocked").get() }
        let read = withDeadline(seconds: 20) { _ = try FileSystem.readFile(fifo, limit: 100) }
        #expect(throws: notRegular) { try #require(read, "read of a FIFO blocked").get() }
    }

    @Test func devicesAndDirectoriesAreNotFiles() throws {
        let zero = withDeadline(seconds: 20) { _ = try FileSystem.readFile("/dev/zero", limit: 1 << 20) }
        #expect(throws: FileError(path: "/dev/zero", operation: "open", reason: "not a regular file (a character device)")) {
            try #require(zero, "reading /dev/zero did not stop").get()
        }
        let dir = try TempDir()
        defer { dir.remove() }
        #expect(throws: FileError(path: dir.path, operation: "open", reason: "not a regular file (a directory)")) {
            _ = try FileDescriptor.openForReading(dir.path)
        }
        #expect(throws: FileError(path: dir.path("none"), operation: "open", code: ENOENT)) {
            _ = try FileDescriptor.openForReading(dir.path("none"))
        }
        #expect(FileError(path: "rows.jsonl", operation: "open", code: ENOENT).description
                    == "rows.jsonl: cannot open: No such file or directory")
    }

    @Test func wholeFilesAreReadUpToTheirLimit() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = try dir.write("c.json", [UInt8](repeating: 7, count: 10))
        #expect(try FileSystem.readFile(path, limit: 10) == [UInt8](repeating: 7, count: 10))
        #expect(try FileSystem.readFile(try dir.write("empty", ""), limit: 0) == [])
        #expect(throws: FileError(path: path, operation: "read", reason: "larger than the 9 bytes accepted for this file")) {
            _ = try FileSystem.readFile(path, limit: 9)
        }
    }

    @Test func mappedFilesAndPositionedReads() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = try dir.write("a.bin", Array(0..<200).map(UInt8.init))
        let map = try MappedFile(path: path)
        #expect(map.count == 200 && map.unsafeBytes[199] == 199)
        #expect(try MappedFile(path: try dir.write("empty.bin", "")).count == 0)
        let file = try FileDescriptor.openForReading(path)
        var buffer = [UInt8](repeating: 0, count: 8)
        let n = try buffer.withUnsafeMutableBytes { try file.read(at: 196, into: $0) }
        #expect(n == 4 && buffer[0..<4] == [196, 197, 198, 199])
    }

    @Test func standardInputMayBeAPipe() throws {
        // A pipe is what stdin usually is; it reads like any source.
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        let message = Array("row\n".utf8)
        _ = message.withUnsafeBytes { write(ends[1], $0.baseAddress, $0.count) }
        close(ends[1])
        var lines = LineReader(FileDescriptor(owning: ends[0], path: "<stdin>"))
        #expect(try lines.nextLine()?.bytes == Array("row".utf8))
        #expect(try lines.nextLine() == nil)
    }
}
