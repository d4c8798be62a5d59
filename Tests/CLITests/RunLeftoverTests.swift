import Foundation
import TestSupport
import Testing

/// `lmshard run` locks its output like `build`, and a killed run's
/// leftovers (temporary output, work directories) are removed by the next
/// run, or resumed when the next run is the same job.
@Suite struct RunLeftoverTests {
    /// count_chars over enough rows that a debug build maps for a while.
    static func setUp(_ dir: TempDir, rows: Int = 60_000) throws {
        try dir.write("cfg.json", "{\"type\": \"count_chars\", \"column\": \"content\"}")
        let text = (0..<rows).map { "{\"content\": \"row \($0) of the input, abcdefghij\"}\n" }.joined()
        try dir.write("in.jsonl", text)
    }

    static func run(_ dir: TempDir, extra: [String] = []) -> [String] {
        ["run", "--config", dir.path("cfg.json"), "--input", dir.path("in.jsonl"), "--output", dir.path("out.jsonl")]
            + extra
    }

    static func names(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    @Test func aTemporaryOutputOnRecordIsRemoved() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try Self.setUp(dir, rows: 10)
        // What a run killed while writing its output leaves: the temporary
        // file, named in the lock's record.
        try dir.write(".out.jsonl.tmp-4242", "{\"half\": ")
        try dir.write(".out.jsonl.lock", """
            lmshard-lock 1
            pid=4242
            host=elsewhere
            started=1700000000
            command=run
            temporary=.out.jsonl.tmp-4242
            end

            """)
        // Not on record: left alone.
        try dir.write(".out.jsonl.tmp-77", "someone else's")
        let result = try CLI.run(Self.run(dir))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stderr
                == "lmshard: note: removed .out.jsonl.tmp-4242, left by lmshard run (pid 4242 on elsewhere, started 2023-11-14 22:13:20 UTC)\n")
        #expect(Self.names(dir.path) == [".out.jsonl.tmp-77", "cfg.json", "in.jsonl", "out.jsonl"])
    }

    @Test func theOutputNeverReplacesTheInput() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try Self.setUp(dir, rows: 3)
        let before = try Data(contentsOf: URL(fileURLWithPath: dir.path("in.jsonl")))
        try FileManager.default.createSymbolicLink(atPath: dir.path("link.jsonl"), withDestinationPath: dir.path("in.jsonl"))
        for output in ["in.jsonl", "link.jsonl"] {
            let result = try CLI.run([
                "run", "--config", dir.path("cfg.json"), "--input", dir.path("in.jsonl"), "--output", dir.path(output),
            ])
            #expect(result.status == 1)
            #expect(
                result.stderr == "lmshard: error: \(dir.path(output)): is the input file too; write the output to another path\n",
                "\(result.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path("in.jsonl"))) == before)
        #expect(Self.names(dir.path) == ["cfg.json", "in.jsonl", "link.jsonl"])
    }

    @Test func aKilledRunsWorkDirectoryIsResumedOrRemoved() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try Self.setUp(dir)
        let clean = try CLI.run(Self.run(dir))
        #expect(clean.status == 0, "\(clean.stderr)")
        let expected = try Data(contentsOf: URL(fileURLWithPath: dir.path("out.jsonl")))
        try FileManager.default.removeItem(atPath: dir.path("out.jsonl"))

        for change in [false, true] {
            let work = dir.path("work")
            let killed = try Launched(Self.run(dir, extra: ["--work-dir", work, "--memory-mb", "1"]))
            try killed.wait(until: "its work directory") { Self.names(work).contains { $0.hasPrefix("mr-job-") } }
            killed.kill()
            let job = try #require(Self.names(work).first { $0.hasPrefix("mr-job-") })
            if change {
                // The input changed: the old job can never be resumed.
                let handle = try #require(FileHandle(forWritingAtPath: dir.path("in.jsonl")))
                try handle.seekToEnd()
                try handle.write(contentsOf: Data("{\"content\": \"one more\"}\n".utf8))
                try handle.close()
            }
            let rerun = try CLI.run(Self.run(dir, extra: ["--work-dir", work]))
            #expect(rerun.status == 0, "\(rerun.stderr)")
            if change {
                #expect(
                    rerun.stderr.contains("lmshard: note: removed the work directory \(URL(fileURLWithPath: work + "/" + job).standardizedFileURL.path), left by lmshard run (pid \(killed.pid) on "),
                    "\(rerun.stderr)")
            } else {
                // The same job: its directory is resumed, only the temporary output goes.
                #expect(
                    rerun.stderr.hasPrefix("lmshard: note: removed .out.jsonl.tmp-\(killed.pid), left by lmshard run")
                        && !rerun.stderr.contains("work directory"), "\(rerun.stderr)")
                #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path("out.jsonl"))) == expected)
            }
            #expect(Self.names(work) == [])
            #expect(Self.names(dir.path) == ["cfg.json", "in.jsonl", "out.jsonl", "work"])
        }
    }

    @Test func aKilledRunsPrivateWorkDirectoryIsRemovedByTheNextRun() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try Self.setUp(dir)
        let tmp = dir.path("tmp")
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        let killed = try Launched(Self.run(dir, extra: ["--memory-mb", "1"]), environment: ["TMPDIR": tmp])
        try killed.wait(until: "its work directory") { Self.names(tmp).contains { $0.hasPrefix("mr-tmp-") } }
        killed.kill()
        let left = try #require(Self.names(tmp).first)
        // Someone else's directory with a similar name is not touched.
        try dir.write("tmp/mr-tmp-theirs/data", "x")
        let next = try Launched(Self.run(dir), environment: ["TMPDIR": tmp])
        #expect(next.finish() == 0, "\(next.stderr)")
        #expect(next.stderr.contains("lmshard: note: removed \(tmp)/\(left), the work directory of a run that was killed\n"), "\(next.stderr)")
        #expect(Self.names(tmp) == ["mr-tmp-theirs"])
    }
}
