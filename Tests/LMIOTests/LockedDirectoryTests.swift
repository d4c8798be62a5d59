import Foundation
import TestSupport
import Testing

@testable import LMIO

/// Work directories owned through their `LOCK`: removed when, and only
/// when, their owner is provably gone.
@Suite struct LockedDirectoryTests {
    @Test func anAbandonedDirectoryIsRemovedAndALiveOneIsNot() throws {
        let root = try TempDir()
        defer { root.remove() }
        let live = try LockedDirectory.create(root.path("mr-tmp-1"), command: "run")
        try root.write("mr-tmp-1/map/p0-r0.zst", "spill")
        #expect(try LockedDirectory.removeIfAbandoned(root.path("mr-tmp-1")) == false)
        #expect(LockedDirectory.removeAbandoned(in: root.path, prefix: "mr-tmp-") == [])
        #expect(throws: LockError.self) { _ = try LockedDirectory.open(root.path("mr-tmp-1"), command: "run") }
        // The owner is gone (its lock released as a killed process's is).
        try live.release()
        #expect(LockedDirectory.removeAbandoned(in: root.path, prefix: "mr-tmp-") == ["mr-tmp-1"])
        #expect(!FileSystem.exists(root.path("mr-tmp-1")))
    }

    @Test func directoriesWithoutAWholeRecordAreNeverTouched() throws {
        let root = try TempDir()
        defer { root.remove() }
        try root.write("mr-tmp-nolock/data", "x")
        try root.write("mr-tmp-garbage/LOCK", "12345")
        try root.write("mr-tmp-empty/LOCK", "")
        try root.write("mr-tmp-file", "a file, not a directory")
        try root.write("other/LOCK", String(decoding: LockRecord.current(command: "run").serialized(), as: UTF8.self))
        #expect(LockedDirectory.removeAbandoned(in: root.path, prefix: "mr-tmp-") == [])
        #expect(try FileSystem.directoryEntries(root.path).count == 5)
        // The same record under the prefix is proof enough.
        try root.write("mr-tmp-dead/LOCK", String(decoding: LockRecord.current(command: "run").serialized(), as: UTF8.self))
        #expect(LockedDirectory.removeAbandoned(in: root.path, prefix: "mr-tmp-") == ["mr-tmp-dead"])
    }

    @Test func reopeningKeepsTheContentsAndRecordsTheNewOwner() throws {
        let root = try TempDir()
        defer { root.remove() }
        let path = root.path("mr-job-abc")
        let first = try LockedDirectory.open(path, command: "run")
        try root.write("mr-job-abc/JOB", "identity")
        try first.release()
        let second = try LockedDirectory.open(path, command: "build")
        #expect(FileSystem.exists(path + "/JOB"))
        let record = try #require(FileLock.peek(path + "/LOCK").flatMap(LockRecord.parse))
        #expect(record.command == "build" && record.pid == getpid())
        try second.remove()
        #expect(!FileSystem.exists(path))
    }
}
