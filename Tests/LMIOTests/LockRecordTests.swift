import Foundation
import TestSupport
import Testing

@testable import LMIO

/// The lock file's record and the `flock` under it.
@Suite struct LockRecordTests {
    @Test func recordRoundTripsInItsTextForm() throws {
        var record = LockRecord(pid: 4711, host: "node-3", started: 1_718_000_000, command: "build")
        record["staging"] = ".data.partial-4711"
        record["publishing"] = "2049:131"
        let text = String(decoding: record.serialized(), as: UTF8.self)
        #expect(
            text == """
                lmshard-lock 1
                pid=4711
                host=node-3
                started=1718000000
                command=build
                staging=.data.partial-4711
                publishing=2049:131
                end

                """)
        #expect(LockRecord.parse(record.serialized()) == record)
        #expect(record.holderDescription == "lmshard build (pid 4711 on node-3, started 2024-06-10 06:13:20 UTC)")
        record["publishing"] = nil
        #expect(LockRecord.parse(record.serialized())?["publishing"] == nil)
    }

    @Test func anythingButAWholeRecordIsNoRecord() {
        let whole = LockRecord(pid: 1, host: "h", started: 0, command: "run").serialized()
        #expect(LockRecord.parse(whole) != nil)
        // Cut short by a kill mid-write: no `end` line.
        for cut in [0, 5, whole.count - 5, whole.count - 1] {
            #expect(LockRecord.parse(Array(whole[0..<cut])) == nil, "cut at \(cut)")
        }
        // A shorter record written over a longer one, killed before the cut.
        let longer = LockRecord(pid: 2, host: "a much longer host name", started: 0, command: "build").serialized()
        #expect(LockRecord.parse(whole + longer[whole.count...]) == LockRecord.parse(whole))
        #expect(LockRecord.parse(Array("#!/bin/sh\nrm -rf /\n".utf8)) == nil)
        #expect(LockRecord.parse([0xFF, 0xFE]) == nil)
        #expect(LockRecord.parse(Array("lmshard-lock 1\npid=x\nhost=h\nstarted=0\ncommand=run\nend\n".utf8)) == nil)
        #expect(LockRecord.parse(Array("lmshard-lock 1\npid=1\nhost=h\nstarted=0\ncommand=run\nBad Key=1\nend\n".utf8)) == nil)
    }

    @Test func aRepeatedKeyKeepsItsFirstValue() throws {
        let text = "lmshard-lock 1\npid=1\nhost=h\nstarted=0\ncommand=run\nstaging=.x.a\npid=2\nstaging=.x.b\nend\n"
        var record = try #require(LockRecord.parse(Array(text.utf8)))
        #expect(record.pid == 1 && record["staging"] == ".x.a")
        #expect(record.fields.map(\.key) == ["staging"])
        // Every field can be set again (a holder takes them over).
        for (key, value) in record.fields { record[key] = value }
    }

    @Test func valuesStayOnOneLine() throws {
        var record = LockRecord(pid: 1, host: "h", started: 0, command: "run")
        record["staging"] = ".x.partial\nend\npid=2"
        let back = try #require(LockRecord.parse(record.serialized()))
        #expect(back.pid == 1 && back["staging"] == ".x.partial end pid=2")
    }

    /// The lock, failing the test when it was not taken.
    func taken(_ lock: consuming FileLock?) throws -> FileLock {
        switch consume lock {
        case .some(let lock): return lock
        case .none: throw FileError(path: "", operation: "lock", reason: "expected to take the lock")
        }
    }

    func acquired(_ lock: consuming FileLock?) -> Bool {
        switch consume lock {
        case .some: return true
        case .none: return false
        }
    }

    @Test func aLockIsHeldOncePerOpenFile() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = dir.path(".out.lock")
        let first = try taken(try FileLock.tryAcquire(path))
        #expect(!acquired(try FileLock.tryAcquire(path)))
        #expect(!acquired(try FileLock.tryAcquireExisting(path)))
        try first.replaceContents(Array("hello".utf8))
        #expect(FileLock.peek(path) == Array("hello".utf8))
        try first.release()
        // Released without removing: the file and its bytes stay, and the lock is free.
        let second = try taken(try FileLock.tryAcquireExisting(path))
        #expect(try second.contents() == Array("hello".utf8))
        try second.releaseRemoving()
        #expect(!FileSystem.exists(path))
        #expect(!acquired(try FileLock.tryAcquireExisting(path)))
    }

    @Test func aPlantedLinkOrFIFOIsRefused() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try dir.write("victim", "keep me")
        try FileManager.default.createSymbolicLink(atPath: dir.path(".out.lock"), withDestinationPath: dir.path("victim"))
        #expect { _ = try FileLock.tryAcquire(dir.path(".out.lock")) } throws: { error in
            "\(error)".contains("is a symbolic link")
        }
        #expect(try String(contentsOfFile: dir.path("victim"), encoding: .utf8) == "keep me")
        #expect(mkfifo(dir.path(".fifo.lock"), 0o644) == 0)
        #expect { _ = try FileLock.tryAcquire(dir.path(".fifo.lock")) } throws: { error in
            "\(error)".contains("not a regular file (a FIFO)")
        }
    }

    @Test func threadsRacingForOneLockNeverHoldItTogether() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let output = dir.path("out")
        let holders = Holders()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            // Each thread until it has held the lock 40 times (or 20 s pass).
            var held = 0
            let deadline = Date().addingTimeInterval(20)
            while held < 40 && Date() < deadline {
                let lock: OutputLock
                do {
                    lock = try OutputLock(output: output, command: "build")
                } catch let error as LockError {
                    guard case .held = error else { holders.fail("\(error)"); continue }
                    continue
                } catch {
                    holders.fail("\(error)")
                    continue
                }
                holders.enter()
                held += 1
                Thread.sleep(forTimeInterval: 0.0001)
                holders.leave()
                try? lock.release()
            }
        }
        // Never two at once; and the lock was taken over and over.
        #expect(holders.most == 1 && holders.entries == 320, "\(holders.entries) entries")
        #expect(holders.failures.isEmpty, "\(holders.failures)")
        #expect(!FileSystem.exists(OutputLock.lockPath(for: output)))
    }
}

/// How many threads are inside a section at once, at most.
final class Holders: @unchecked Sendable {
    private let lock = NSLock()
    private var inside = 0
    private(set) var most = 0
    private(set) var entries = 0
    /// Errors other than "held".
    private(set) var failures: [String] = []
    func fail(_ error: String) {
        lock.lock()
        failures.append(error)
        lock.unlock()
    }
    func enter() {
        lock.lock()
        inside += 1
        entries += 1
        most = max(most, inside)
        lock.unlock()
    }
    func leave() {
        lock.lock()
        inside -= 1
        lock.unlock()
    }
}
