import Foundation
import LMIO
import TestSupport
import Testing
@testable import MapReduce

/// Notes a runner reports, collected across worker threads.
typealias Notes = LockedList<String>

/// A resumed job never trusts a damaged file: bits flipped in the files a
/// failed job left (spill runs, the map listing, finished and unfinished
/// partition outputs, progress logs) give, on resume, exactly the output of
/// a clean run, with the damaged piece redone.
///
/// Each case copies the failed job's directory, flips one bit, and resumes.
/// 16 seeded (file, bit) picks per kind of file run by default;
/// `LMSHARD_FLIP_CASES=N` runs N per kind (the figures in RELIABILITY.md).
/// RecordBlockTests flips every bit of one file.
@Suite struct DamagedResumeTests {
    let rows = Array(0..<1200)
    /// Three partitions reduced one after another (1 worker), so a failure in
    /// the last leaves finished outputs beside an unfinished one; a small
    /// budget spills several runs per partition.
    let runner = LocalRunner(workers: 1, memoryBudget: 4096, partitions: 3, batchRows: 100)

    func run(_ t: ModuloLists, dir: String, notes: Notes? = nil) throws -> [[Int]] {
        var r = runner
        r.workDirectory = dir
        if let notes { r.onNote = { notes.add($0) } }
        var out: [[Int]] = []
        try r.run(t, rows: rows, jobIdentity: "damage") { out.append($0) }
        return out
    }

    /// A failed job's directory, with at least one finished partition
    /// output and one unfinished: the reduce fails on the last key of the
    /// last partition reduced.
    func failedJob() throws -> (dir: TempDir, job: String) {
        for key in stride(from: 59, through: 0, by: -1) {
            let dir = try TempDir()
            #expect(throws: MapReduceError.self) { _ = try run(ModuloLists(failOnKey: key), dir: dir.path) }
            let job = dir.path + "/" + (try FileSystem.directoryEntries(dir.path).first ?? "")
            let reduce = try FileSystem.directoryEntries(job + "/reduce")
            if reduce.contains(where: { $0.hasSuffix(".zst") }) && reduce.contains(where: { $0.hasSuffix(".tmp") }) {
                return (dir, job)
            }
            dir.remove()
        }
        throw FileError(path: "", operation: "set up", reason: "no key leaves a finished and an unfinished partition")
    }

    /// The job's files by kind, relative to the job directory.
    func files(_ job: String) throws -> [(kind: String, path: String)] {
        var out: [(String, String)] = []
        for name in try FileSystem.directoryEntries(job + "/map").sorted() {
            out.append((name == "DONE" ? "map listing" : "spill run", "map/" + name))
        }
        for name in try FileSystem.directoryEntries(job + "/reduce").sorted() {
            let kind = name.hasSuffix(".tmp") ? "unfinished output" : name.hasSuffix(".progress") ? "progress log" : "finished output"
            out.append((kind, "reduce/" + name))
        }
        return out
    }

    @Test func flippedBitsAreRedoneNeverTrusted() throws {
        let clean = try InMemoryRunner().run(ModuloLists(), rows: rows)
        let (pristine, job) = try failedJob()
        defer { pristine.remove() }
        let perKind = ProcessInfo.processInfo.environment["LMSHARD_FLIP_CASES"].flatMap { Int($0) } ?? 16
        var rng = SplitMix64(seed: 2024)
        var tried: [String: Int] = [:], redone: [String: Int] = [:]
        let kinds = try files(job)
        #expect(Set(kinds.map(\.kind)).count == 5, "\(kinds)")
        // `perKind` seeded (file, bit) picks per kind of file.
        var cases: [(kind: String, file: String, bit: Int)] = []
        for kind in Set(kinds.map(\.kind)).sorted() {
            let ofKind = try kinds.filter { $0.kind == kind }.map { ($0.path, try #require(FileSystem.fileSize(job + "/" + $0.path))) }
            for _ in 0..<perKind {
                let (file, size) = ofKind[Int.random(in: 0..<ofKind.count, using: &rng)]
                cases.append((kind, file, Int.random(in: 0..<(size * 8), using: &rng)))
            }
        }
        for (kind, file, bit) in cases {
            do {
                let work = try TempDir()
                defer { work.remove() }
                let copy = work.path + "/" + FileSystem.lastComponent(of: job)
                try FileManager.default.copyItem(atPath: job, toPath: copy)
                let handle = try #require(FileHandle(forUpdatingAtPath: copy + "/" + file))
                try handle.seek(toOffset: UInt64(bit / 8))
                let byte = try #require(try handle.read(upToCount: 1)?.first)
                try handle.seek(toOffset: UInt64(bit / 8))
                try handle.write(contentsOf: Data([byte ^ UInt8(1 << (bit % 8))]))
                try handle.close()
                let notes = Notes()
                #expect(try run(ModuloLists(), dir: work.path, notes: notes) == clean, "\(file) bit \(bit)")
                #expect(directoryIsEmpty(work.path))
                tried[kind, default: 0] += 1
                if !notes.all.isEmpty { redone[kind, default: 0] += 1 }
            }
        }
        // Spill runs and finished outputs are checked block by block, so
        // nearly every flip there is found and redone (the rest change no
        // decoded byte, e.g. a larger zstd window size than needed). A flip
        // in a progress log silently cuts the log back to the record before
        // it, which the output above shows is just as safe.
        for kind in ["spill run", "finished output"] {
            #expect(redone[kind, default: 0] * 10 >= tried[kind, default: 0] * 9, "\(kind): \(redone) of \(tried)")
        }
        let lines = tried.keys.sorted().map { "\($0): \(tried[$0]!) flips, \(redone[$0, default: 0]) noticed and redone" }
        print("resume flip sample (\(perKind) per kind): " + lines.joined(separator: "; ") + "; 0 silent changes")
    }

    @Test func aMissingOrExtraRunMeansMappingAgain() throws {
        let clean = try InMemoryRunner().run(ModuloLists(), rows: rows)
        let (pristine, job) = try failedJob()
        defer { pristine.remove() }
        let runs = try FileSystem.directoryEntries(job + "/map").filter { $0 != "DONE" }.sorted()
        let damages: [(String, (String) throws -> Void)] = [
            ("a run removed", { try FileSystem.remove($0 + "/map/" + runs[0]) }),
            ("DONE removed", { try FileSystem.remove($0 + "/map/DONE") }),
            ("a stray run", { try FileManager.default.copyItem(atPath: $0 + "/map/" + runs[0], toPath: $0 + "/map/p0-r99.zst") }),
        ]
        for (what, damage) in damages {
            let work = try TempDir()
            defer { work.remove() }
            let copy = work.path + "/" + FileSystem.lastComponent(of: job)
            try FileManager.default.copyItem(atPath: job, toPath: copy)
            try damage(copy)
            let t = ModuloLists()
            #expect(try run(t, dir: work.path) == clean, "\(what)")
            #expect(t.mapped.all.count == rows.count, "\(what): the input is mapped again")
        }
    }
}
