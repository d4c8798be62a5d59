import Foundation
import LMShard
import Testing

@testable import LMFuzz

/// The fuzz harness's own pieces, and a short in-process run of every
/// dataset and manifest mutation kind (the long runs are `lmshard-fuzz run`;
/// see tools/fuzz/README.md).
@Suite struct FuzzTests {
    static let sampleTokenizer = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("sample/tokenizer/tokenizer.json")

    /// Scratch space in memory when the machine has it: the sweep writes
    /// and fsyncs ~20 files per case, 10x slower on a disk.
    static func scratch() throws -> URL {
        let shm = "/dev/shm"
        let base = FileManager.default.isWritableFile(atPath: shm) ? URL(fileURLWithPath: shm) : FileManager.default.temporaryDirectory
        let url = base.appendingPathComponent("lmshard-fuzz-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func generator(_ target: FuzzTarget, _ dir: URL) throws -> CaseGenerator {
        let tokenizer = try Array(Data(contentsOf: Self.sampleTokenizer))
        return CaseGenerator(target: target, seed: 42, datasets: try Seeds.handBuilt(scratch: dir),
                             tokenizers: [("sample", tokenizer)])
    }

    /// Every single-byte header edit (as written and resealed) and every
    /// truncation of the smallest seed is rejected by verify and the readers,
    /// naming the damaged file.
    @Test func damageSweepCatchesEveryEdit() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let seed = try #require(try Seeds.handBuilt(scratch: dir).first)
        let outcome = DamageSweep(image: seed, scratch: dir.appendingPathComponent("sweep")).run()
        #expect(outcome.misses.isEmpty, "\(outcome.misses.prefix(10))")
        #expect(outcome.cases > 3000 && outcome.caughtByVerify == outcome.cases)
        #expect(outcome.readerCases > 1000 && outcome.caughtByReaders == outcome.readerCases)
    }

    /// The sweep can fail: an "edit" that changes nothing is reported missed
    /// by verify and by the readers.
    @Test func sweepReportsWhatIsNotCaught() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let seed = try #require(try Seeds.handBuilt(scratch: dir).first)
        let sweep = DamageSweep(image: seed, scratch: dir.appendingPathComponent("sweep"))
        var outcome = DamageSweep.Outcome()
        sweep.check("shard-0.idx", .idx, seed.files["shard-0.idx"]!, seal: .none, "no edit", &outcome)
        #expect(outcome.cases == 1 && outcome.caughtByVerify == 0 && outcome.caughtByReaders == 0)
        #expect(outcome.misses == ["verify: no edit: ok", "readers: no edit: opened"])
    }

    /// A case is a function of (seed, index): replay finds what a run found.
    @Test func casesAreDeterministic() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        for target in FuzzTarget.allCases {
            let a = try generator(target, dir), b = try generator(target, dir)
            for i in [0, 1, 17, 1000] {
                let x = a.generate(i), y = b.generate(i)
                #expect(x.log == y.log)
                switch (x.input, y.input) {
                case let (.dataset(p, s), .dataset(q, t)): #expect(p == q && s == t)
                case let (.bytes(p), .bytes(q)): #expect(p == q)
                default: Issue.record("different inputs for case \(i)")
                }
            }
        }
    }

    /// Field maps follow FORMAT.md: the worked example's .idx has 5 header
    /// fields + 9 magic bytes, then 2 lengths, 2 pointers, 3 document indices.
    @Test func headerFieldsOfTheWorkedExample() {
        var idx = [UInt8](repeating: 0, count: 82)
        idx[18] = 2
        let fields = HeaderFields.of(.idx, bytes: idx)
        #expect(fields.count == 9 + 4 + 2 + 2 + 3)
        #expect(fields.map(\.offset).suffix(7) == [34, 38, 42, 50, 58, 66, 74])
        #expect(HeaderFields.of(.pos, bytes: []).map(\.offset) == Array(0..<8) + [8, 12, 13, 14, 15, 16, 24])
        #expect(HeaderFields.of(.sum, bytes: [UInt8](repeating: 0, count: 168)).count == 8 + 3 + 16 + 2)
    }

    /// The supervisor turns a worker's trap into a crash finding and a case
    /// spinning past `--timeout` CPU seconds into a hang, saves both inputs,
    /// and carries on with the next case (self-test flags of the worker).
    @Test func watchdogRecordsCrashesAndHangs() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        var bin = Bundle.main.bundleURL
        if bin.pathExtension == "xctest" { bin.deleteLastPathComponent() }
        let process = Process()
        process.executableURL = bin.appendingPathComponent("lmshard-fuzz")
        process.arguments = ["run", "--target", "manifest", "--cases", "40", "--timeout", "1", "--selftest-crash-at", "7",
                             "--selftest-hang-at", "23", "--out", dir.appendingPathComponent("out").path,
                             "--scratch", dir.appendingPathComponent("scratch").path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("out/summary.json")))
        let manifest = try #require((summary as? [String: Any])?["manifest"] as? [String: Any])
        #expect(manifest["cases"] as? Int == 40 && manifest["crashes"] as? Int == 1 && manifest["hangs"] as? Int == 1)
        for (index, kind) in [(7, "crash (signal"), (23, "hang (case still running")] {
            let text = try String(contentsOf: dir.appendingPathComponent("out/manifest-1-\(index)/case.txt"), encoding: .utf8)
            #expect(text.hasPrefix("target manifest\nseed 1\ncase \(index)\n") && text.contains(kind), "\(text.prefix(400))")
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/manifest-1-\(index)/input.json").path))
        }
    }

    /// A few hundred generated dataset and manifest cases, in process: no
    /// violation (and, since this is the test process, no crash).
    @Test func shortInProcessRun() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (target, cases) in [(FuzzTarget.dataset, 300), (.manifest, 300), (.tokenizer, 10)] {
            let g = try generator(target, dir)
            let runner = CaseRunner(scratch: dir.appendingPathComponent("case"))
            for i in 0..<cases {
                let c = g.generate(i)
                let violations = runner.run(c)
                #expect(violations.isEmpty, "\(target) case \(i): \(c.log) -> \(violations)")
            }
        }
    }
}
