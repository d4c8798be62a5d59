import Foundation
import TestSupport
import Testing

@testable import LMIO

/// The output lock: one holder at a time, a publish that never destroys
/// what it was not asked to replace, and recovery after a kill at every
/// step of a publish (the kill is simulated by leaving a record behind with
/// the lock free, which is what the kernel leaves of a killed holder).
@Suite struct OutputLockTests {
    /// A dataset directory for these tests: empty, or holding a manifest.
    static func isDataset(_ path: String) -> Bool {
        guard let names = try? FileSystem.directoryEntries(path) else { return false }
        return names.isEmpty || names.contains("manifest.json")
    }

    /// Writes a dataset whose manifest says `tag`.
    func dataset(_ dir: TempDir, _ name: String, _ tag: String) throws -> String {
        try dir.write(name + "/manifest.json", tag)
        try dir.write(name + "/shard-00000.bin", tag + " tokens")
        return dir.path(name)
    }

    func manifest(_ path: String) -> String? { try? String(contentsOfFile: path + "/manifest.json", encoding: .utf8) }

    /// Everything in `dir` but the named entries, sorted.
    func others(_ dir: TempDir, except: Set<String> = ["out"]) throws -> [String] {
        try FileSystem.directoryEntries(dir.path).filter { !except.contains($0) }.sorted()
    }

    /// Leaves `record` in the output's lock file with the lock free, as a
    /// killed holder does.
    func leaveStale(_ record: LockRecord, output: String) throws {
        try Data(record.serialized()).write(to: URL(fileURLWithPath: OutputLock.lockPath(for: output)))
    }

    func killed(_ fields: [String: String]) -> LockRecord {
        var record = LockRecord(pid: 999_999, host: "elsewhere", started: 1_700_000_000, command: "build")
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) { record[key] = value }
        return record
    }

    @Test func aSecondHolderFailsAtOnceNamingTheFirst() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let output = dir.path("out")
        var first = try OutputLock(output: output, command: "build")
        try first.set("staging", ".out.partial-1")
        #expect {
            _ = try OutputLock(output: output, command: "build")
        } throws: { error in
            guard case let .held(path, holder?)? = error as? LockError else { return false }
            return path == output && holder.pid == getpid() && holder["staging"] == ".out.partial-1"
                && "\(error)".hasPrefix("\(output): in use by lmshard build (pid \(getpid()) on ")
        }
        try first.release()
        #expect(try others(dir, except: []) == [])
        let again = try OutputLock(output: output, command: "build")
        #expect(again.stale == nil && again.recovered.isEmpty)
        try again.release()
    }

    @Test func publishNeverReplacesWhatAppearedAtTheOutput() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let output = dir.path("out")
        var lock = try OutputLock(output: output, command: "build")
        let staging = try dataset(dir, ".out.partial-1", "new")
        try dir.write("out/theirs.txt", "a user's folder, made while the build ran")
        #expect(throws: LockError.appeared(path: output)) {
            try lock.publish(staging: staging, replacing: false, isReplaceable: Self.isDataset)
        }
        #expect(FileSystem.exists(dir.path("out/theirs.txt")) && manifest(staging) == "new")
        // An empty directory at the output is taken.
        try FileSystem.removeTree(output)
        try FileSystem.makeDirectory(output)
        try lock.publish(staging: staging, replacing: false, isReplaceable: Self.isDataset)
        #expect(manifest(output) == "new")
        try lock.release()
        #expect(try others(dir) == [])
    }

    @Test func publishReplacingSwapsInOneStepAndRemovesTheOld() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let output = try dataset(dir, "out", "old")
        var lock = try OutputLock(output: output, command: "build")
        let staging = try dataset(dir, ".out.partial-1", "new")
        try lock.publish(staging: staging, replacing: true, isReplaceable: Self.isDataset)
        #expect(manifest(output) == "new")
        #expect(try others(dir) == [".out.lock"])
        #expect(lock.record["publishing"] == nil && lock.record["staging"] == nil)
        try lock.release()
        #expect(try others(dir) == [])
    }

    @Test func publishReplacingRefusesSomethingElse() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let output = dir.path("out")
        try dir.write("out/notes.txt", "not a dataset")
        var lock = try OutputLock(output: output, command: "build")
        let staging = try dataset(dir, ".out.partial-1", "new")
        #expect(throws: LockError.notReplaceable(path: output)) {
            try lock.publish(staging: staging, replacing: true, isReplaceable: Self.isDataset)
        }
        #expect(FileSystem.exists(dir.path("out/notes.txt")) && manifest(staging) == "new")
        try lock.release()
    }

    /// The exchange happens, the old output turns out not to be replaceable,
    /// and swapping it back fails (here: the new dataset was moved away in
    /// between). The staging name then holds the user's folder, so the
    /// caller must not remove it, and the next holder puts it back.
    @Test func aFailedSwapBackLeavesTheUsersFolderForRecovery() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let output = try dataset(dir, "out", "old")
        var lock = try OutputLock(output: output, command: "build")
        let staging = try dataset(dir, ".out.partial-1", "new")
        let ownBefore = lock.holdsOwnStaging(staging)
        #expect(ownBefore)
        var calls = 0
        #expect(throws: FileError.self) {
            try lock.publish(staging: staging, replacing: true) { path in
                calls += 1
                guard calls == 2 else { return true }
                // After the exchange: the old output (under the staging name)
                // became a user's folder, and the new dataset vanished.
                _ = try? dir.write(".out.partial-1/notes.txt", "mine")
                try? FileManager.default.removeItem(atPath: dir.path(".out.partial-1/manifest.json"))
                _ = rename(output, dir.path("moved"))
                return false
            }
        }
        #expect(calls == 2)
        let ownAfter = lock.holdsOwnStaging(staging)
        #expect(!ownAfter)
        // A name with nothing there (a publish that renamed it into place and
        // failed later) holds nothing to protect.
        let nothingThere = lock.holdsOwnStaging(dir.path(".out.partial-9"))
        #expect(nothingThere)
        #expect(FileSystem.exists(dir.path(".out.partial-1/notes.txt")))
        _ = rename(dir.path("moved"), output)
        lock.releaseKeepingRemainingWork()
        var next = try OutputLock(output: output, command: "build")
        try next.recover(reusing: [], isReplaceable: Self.isDataset)
        #expect(FileSystem.exists(dir.path("out/notes.txt")))
        try next.release()
    }

    // MARK: - Recovery after a kill

    @Test func aKilledBuildsStagingIsRemovedOrResumed() throws {
        for resume in [false, true] {
            let dir = try TempDir()
            defer { dir.remove() }
            let output = try dataset(dir, "out", "old")
            _ = try dataset(dir, ".out.partial-7", "half")
            try leaveStale(killed(["staging": ".out.partial-7"]), output: output)
            let lock = try OutputLock.acquire(
                output: output, command: "build", reusing: resume ? [".out.partial-7"] : [],
                isReplaceable: Self.isDataset)
            #expect(lock.stale?.pid == 999_999)
            #expect(manifest(output) == "old")
            if resume {
                #expect(manifest(dir.path(".out.partial-7")) == "half")
                #expect(lock.record["staging"] == ".out.partial-7")  // still on record
                #expect(lock.recovered == ["resuming from .out.partial-7, left by lmshard build (pid 999999 on elsewhere, started 2023-11-14 22:13:20 UTC)"])
            } else {
                #expect(try others(dir) == [".out.lock"])
                #expect(lock.recovered == ["removed .out.partial-7, left by lmshard build (pid 999999 on elsewhere, started 2023-11-14 22:13:20 UTC)"])
            }
            #expect(lock.record.pid == getpid())
            try lock.release()
        }
    }

    @Test func aHolderKilledBeforeRecoveringPassesTheLeftoversOn() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let output = dir.path("out")
        _ = try dataset(dir, ".out.partial-7", "half")
        try leaveStale(killed(["staging": ".out.partial-7"]), output: output)
        // Takes the lock (the names are now on its record), then dies
        // planning, before `recover`.
        let second = try OutputLock(output: output, command: "build")
        #expect(second.record["staging"] == ".out.partial-7" && second.record.pid == getpid())
        try second.releaseKeepingRecord()
        #expect(FileSystem.exists(dir.path(".out.partial-7")))
        var third = try OutputLock(output: output, command: "build")
        try third.recover(reusing: [], isReplaceable: Self.isDataset)
        #expect(third.recovered.first?.hasPrefix("removed .out.partial-7, left by lmshard build (pid \(getpid()) on ") == true)
        #expect(third.record["staging"] == nil)
        try third.release()
        #expect(try others(dir, except: []) == [])
    }

    /// A command that fails before it knows what it reuses (a bad flag, a
    /// dataset already at the output) still settles a publish cut short
    /// and keeps partial work on record for a later run.
    @Test func aFailedCommandSettlesThePublishAndKeepsTheWork() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        // Killed right after publishing (nothing left but the record).
        let staging = try dataset(dir, ".out.partial-7", "new")
        let id = try #require(OutputLock.identity(of: staging))
        try FileSystem.rename(staging, to: dir.path("out"))
        let output = dir.path("out")
        try leaveStale(killed(["staging": ".out.partial-7", "publishing": id, "aside": ".out.aside-7"]), output: output)
        var lock = try OutputLock(output: output, command: "build")
        try lock.recoverKeepingWork(isReplaceable: Self.isDataset)
        #expect(lock.record.fields.isEmpty)
        lock.releaseKeepingRemainingWork()
        #expect(try others(dir) == [])
        // Killed while building: the staging stays, and stays on record.
        _ = try dataset(dir, ".out.partial-8", "half")
        try leaveStale(killed(["staging": ".out.partial-8"]), output: output)
        lock = try OutputLock(output: output, command: "build")
        try lock.recoverKeepingWork(isReplaceable: Self.isDataset)
        #expect(lock.record["staging"] == ".out.partial-8")
        lock.releaseKeepingRemainingWork()
        #expect(try others(dir) == [".out.lock", ".out.partial-8"])
        #expect(LockRecord.parse(try FileSystem.readFile(dir.path(".out.lock"), limit: 4096))?["staging"] == ".out.partial-8")
    }

    @Test func aKillRightAfterTheExchangeFinishesIt() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        // Before the kill: new at .out.partial-7, identity recorded, then swapped.
        let staging = try dataset(dir, ".out.partial-7", "new")
        let id = try #require(OutputLock.identity(of: staging))
        let output = try dataset(dir, "out", "old")
        try FileSystem.exchange(staging, output)
        try leaveStale(killed(["staging": ".out.partial-7", "publishing": id]), output: output)
        let lock = try OutputLock.acquire(output: output, command: "build", isReplaceable: Self.isDataset)
        #expect(manifest(output) == "new")
        #expect(try others(dir) == [".out.lock"])
        #expect(lock.recovered.first?.hasPrefix("removed .out.partial-7, the dataset a publish had just replaced") == true)
        try lock.release()
    }

    @Test func aKillJustBeforeTheExchangeKeepsTheOld() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let staging = try dataset(dir, ".out.partial-7", "new")
        let id = try #require(OutputLock.identity(of: staging))
        let output = try dataset(dir, "out", "old")
        try leaveStale(killed(["staging": ".out.partial-7", "publishing": id]), output: output)
        let lock = try OutputLock.acquire(output: output, command: "build", isReplaceable: Self.isDataset)
        #expect(manifest(output) == "old")
        #expect(try others(dir) == [".out.lock"])
        try lock.release()
    }

    @Test func aKilledFallbackExchangePutsTheOldBack() throws {
        // The three-rename fallback, killed after its first rename: the
        // output is missing and the old dataset is at the aside name.
        let dir = try TempDir()
        defer { dir.remove() }
        let staging = try dataset(dir, ".out.partial-7", "new")
        let id = try #require(OutputLock.identity(of: staging))
        let output = try dataset(dir, "out", "old")
        let aside = dir.path(".out.aside-7")
        try FileSystem.rename(output, to: aside)
        let record = killed(["staging": ".out.partial-7", "publishing": id, "aside": ".out.aside-7"])
        try leaveStale(record, output: output)
        var lock = try OutputLock.acquire(output: output, command: "build", isReplaceable: Self.isDataset)
        #expect(manifest(output) == "old")
        #expect(try others(dir) == [".out.lock"])
        try lock.release()

        // Killed after its second rename: new in place, old at the aside.
        let newStaging = try dataset(dir, ".out.partial-8", "new")
        let newID = try #require(OutputLock.identity(of: newStaging))
        try FileSystem.rename(output, to: aside)
        try FileSystem.rename(newStaging, to: output)
        try leaveStale(
            killed(["staging": ".out.partial-8", "publishing": newID, "aside": ".out.aside-7"]), output: output)
        lock = try OutputLock.acquire(output: output, command: "build", isReplaceable: Self.isDataset)
        #expect(manifest(output) == "new")
        #expect(try others(dir) == [".out.lock"])
        try lock.release()
    }

    @Test func aUsersFolderSwappedOutByAKilledPublishIsPutBack() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let staging = try dataset(dir, ".out.partial-7", "new")
        let id = try #require(OutputLock.identity(of: staging))
        try dir.write("out/thesis.tex", "a user's work")
        let output = dir.path("out")
        try FileSystem.exchange(staging, output)
        try leaveStale(killed(["staging": ".out.partial-7", "publishing": id]), output: output)
        let lock = try OutputLock.acquire(output: output, command: "build", isReplaceable: Self.isDataset)
        #expect(try String(contentsOfFile: dir.path("out/thesis.tex"), encoding: .utf8) == "a user's work")
        #expect(try others(dir) == [".out.lock"])
        try lock.release()
    }

    @Test func aHostileOrTornRecordTouchesNothing() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let root = try TempDir()
        defer { root.remove() }
        let output = try dataset(dir, "out", "old")
        let victims = [
            try dataset(dir, "victim", "v"), try dataset(dir, ".other.partial-1", "v"), try dataset(dir, ".out.lock.d", "v"),
        ]
        try root.write("mr-job-1/LOCK", "not a record")
        for name in ["../victim", ".other.partial-1", "victim", ".out.", "/", ".."] {
            try leaveStale(killed(["staging": name, "aside": name, "temporary": name]), output: output)
            let lock = try OutputLock.acquire(output: output, command: "build", isReplaceable: Self.isDataset)
            try lock.release()
        }
        try leaveStale(killed(["job": root.path("mr-job-1")]), output: output)
        try OutputLock.acquire(output: output, command: "build").release()
        var torn = killed(["staging": ".out.lock.d"]).serialized()
        torn.removeLast(4)
        try Data(torn).write(to: URL(fileURLWithPath: OutputLock.lockPath(for: output)))
        let lock = try OutputLock.acquire(output: output, command: "build")
        #expect(lock.stale == nil)
        try lock.release()
        // Far too big to be a record: ignored, not an error that would
        // leave the output unbuildable.
        try Data(repeating: 0x41, count: 100_000).write(to: URL(fileURLWithPath: OutputLock.lockPath(for: output)))
        let big = try OutputLock.acquire(output: output, command: "build")
        #expect(big.stale == nil && big.record.pid == getpid())
        try big.release()
        for victim in victims { #expect(manifest(victim) == "v") }
        #expect(manifest(output) == "old" && FileSystem.exists(root.path("mr-job-1/LOCK")))
    }
}
