import Foundation
import TestSupport
import Testing

/// What goes wrong in distributed builds, and what lmshard does about it:
/// killed and doubled reduce attempts give the same dataset; missing or
/// damaged shards, unsorted input and bad rows stop the build naming what
/// is wrong, with no manifest written.
@Suite struct DistributedFaultTests {
    /// A small pretraining corpus, its local build in `local`, and a plan
    /// for `dist` whose splits are all mapped into `mapped.tsv` and
    /// shuffled (sorted) into `part-0` and `part-1`.
    static func mapped(_ dir: TempDir) throws -> (flags: [String], inputs: [String]) {
        let inputs = try Distributed.corpus(in: dir, fim: false, rows: 120)
        let flags = try DistributedBuildTests.flags(dir, fim: false)
        let local = try CLI.run(["build", "--input"] + inputs + ["--output", dir.path("local"), "--quiet"] + flags)
        try #require(local.status == 0, "\(local.stderr)")
        let plan = try CLI.run(
            ["build", "--stage", "plan", "--input"] + inputs
                + ["--output", dir.path("dist"), "--split-bytes", "3000", "--plan-out", dir.path("plan.json"), "--quiet"]
                + flags)
        try #require(plan.status == 0, "\(plan.stderr)")
        let ids = try Distributed.splitIDs(dir.path("plan.json"))
        let run = try Distributed.shell(
            """
            for id in \(ids.joined(separator: " ")); do "$L" build --stage map --plan plan.json --split "$id" >> mapped.tsv; done
            LC_ALL=C sort mapped.tsv > shuffled.tsv
            awk -F'\\t' '{ print > ("part-" ($1 % 2)) }' shuffled.tsv
            """, cwd: dir.path)
        try #require(run.status == 0, "\(run.stderr)")
        return (flags, inputs)
    }

    static func reduce(_ part: String, attempt: String, in dir: TempDir, env: [String: String] = [:]) throws -> CLI.Result {
        try Distributed.shell("\"$L\" build --stage reduce --plan plan.json --attempt \(attempt) < \(part)", cwd: dir.path, env: env)
    }

    static func finalize(_ dir: TempDir, receipts: String = "receipts.jsonl") throws -> CLI.Result {
        try Distributed.shell("\"$L\" build --stage finalize --plan plan.json --receipts \(receipts)", cwd: dir.path)
    }

    static func staging(_ dir: TempDir) throws -> String {
        let plan = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path("plan.json")))) as! [String: Any]
        return plan["staging"] as! String
    }

    /// A reducer killed by SIGKILL in the middle of a shard leaves that
    /// shard's per-attempt temporary files; run again alone it finishes the
    /// partition (the groups it had finished are kept, not rewritten), and
    /// finalize removes the leftovers and publishes the local build's bytes.
    @Test func aReducerKilledMidShardAndRunAgainGivesTheSameDataset() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        _ = try Self.mapped(dir)
        let first = try Self.reduce("part-0", attempt: "a0", in: dir)
        try #require(first.status == 0, "\(first.stderr)")
        try first.stdout.write(toFile: dir.path("receipts.jsonl"), atomically: true, encoding: .utf8)
        let killed = try Self.reduce("part-1", attempt: "a1", in: dir, env: ["LMSHARD_TEST_KILL_AFTER_SEQUENCES": "3"])
        #expect(killed.status == 128 + SIGKILL, "\(killed.status) \(killed.stderr)")
        let staging = try Self.staging(dir)
        let temporaries = try FileManager.default.contentsOfDirectory(atPath: staging).filter { $0.hasSuffix(".a1.bin.tmp") }
        #expect(temporaries.count == 1, "the shard being written: \(temporaries)")

        let again = try Self.reduce("part-1", attempt: "a1-retry", in: dir)
        try #require(again.status == 0, "\(again.stderr)")
        try (first.stdout + again.stdout).write(toFile: dir.path("receipts.jsonl"), atomically: true, encoding: .utf8)
        let done = try Self.finalize(dir)
        try #require(done.status == 0, "\(done.stderr)")
        #expect(done.stderr.contains("left by an attempt that did not finish"), "\(done.stderr)")
        let diff = try Distributed.diff(dir.path("local"), dir.path("dist"))
        #expect(diff.status == 0, "\(diff.stdout)")
    }

    /// Two attempts of the same reduce task at once (a speculative copy)
    /// write through their own temporary names, print the same receipts,
    /// and either's receipts finalize to the local build's bytes; the same
    /// receipts given twice count once.
    @Test func twoAttemptsOfOneReduceTaskAtOnceDoNotClash() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        _ = try Self.mapped(dir)
        let both = try Distributed.shell(
            """
            "$L" build --stage reduce --plan plan.json --attempt one < part-0 > one.jsonl &
            a=$!
            "$L" build --stage reduce --plan plan.json --attempt two < part-0 > two.jsonl &
            b=$!
            wait $a; wait $b
            "$L" build --stage reduce --plan plan.json --attempt p1 < part-1 > p1.jsonl
            cmp one.jsonl two.jsonl
            cat one.jsonl two.jsonl p1.jsonl > receipts.jsonl
            """, cwd: dir.path)
        try #require(both.status == 0, "\(both.stderr)")
        let done = try Self.finalize(dir)
        try #require(done.status == 0, "\(done.stderr)")
        #expect(try Distributed.diff(dir.path("local"), dir.path("dist")).status == 0)
    }

    /// Finalize re-reads every shard: a missing file or one changed byte
    /// (same size) is named, exit 1, and no manifest or output appears; with
    /// the shard restored, finalize succeeds.
    @Test func finalizeNamesAMissingOrDamagedShardAndWritesNoManifest() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        _ = try Self.mapped(dir)
        let run = try Distributed.shell(
            """
            "$L" build --stage reduce --plan plan.json --attempt a < part-0 > receipts.jsonl
            "$L" build --stage reduce --plan plan.json --attempt b < part-1 >> receipts.jsonl
            """, cwd: dir.path)
        try #require(run.status == 0, "\(run.stderr)")
        let staging = try Self.staging(dir)
        let shard = try #require(
            try FileManager.default.contentsOfDirectory(atPath: staging).sorted().first { $0.hasSuffix(".pos") })
        let path = staging + "/" + shard
        let original = try Data(contentsOf: URL(fileURLWithPath: path))

        try FileManager.default.moveItem(atPath: path, toPath: dir.path("aside"))
        let missing = try Self.finalize(dir)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("\(path): is missing"), "\(missing.stderr)")

        var damaged = original
        damaged[damaged.count - 1] ^= 0x01
        try damaged.write(to: URL(fileURLWithPath: path))
        let bad = try Self.finalize(dir)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("\(path): is damaged: XXH3"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("dist")))
        #expect(!FileManager.default.fileExists(atPath: staging + "/manifest.json"))

        try original.write(to: URL(fileURLWithPath: path))
        let good = try Self.finalize(dir)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(try Distributed.diff(dir.path("local"), dir.path("dist")).status == 0)
    }

    /// A receipt missing for a group, or a split never mapped, is named too.
    @Test func finalizeNamesAMissingReceiptOrSplit() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        _ = try Self.mapped(dir)
        let run = try Distributed.shell(
            "\"$L\" build --stage reduce --plan plan.json --attempt a < part-0 > receipts.jsonl", cwd: dir.path)
        try #require(run.status == 0, "\(run.stderr)")
        let noReceipt = try Self.finalize(dir)
        #expect(noReceipt.status == 1)
        #expect(noReceipt.stderr.contains("receipts.jsonl: no receipt for reduce group 1"), "\(noReceipt.stderr)")

        try FileManager.default.removeItem(atPath: try Self.staging(dir) + "/receipts/map-000002.json")
        let noSplit = try Self.finalize(dir)
        #expect(noSplit.status == 1)
        #expect(noSplit.stderr.contains("map-000002.json: is missing: split 000002"), "\(noSplit.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("dist")))
    }

    /// KEYs out of order (a partition not sorted) stop the reducer at the
    /// line where a group goes backwards.
    @Test func unsortedReducerInputFailsNamingTheLine() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        _ = try Self.mapped(dir)
        let run = try Distributed.shell(
            """
            tac part-0 > reversed
            "$L" build --stage reduce --plan plan.json --attempt a < reversed
            """, cwd: dir.path)
        #expect(run.status == 1)
        #expect(run.stderr.contains("lmshard: error: <stdin>:"), "\(run.stderr)")
        #expect(run.stderr.contains("the lines are not sorted by KEY"), "\(run.stderr)")
        let garbage = try Distributed.shell(
            "printf 'x\\ty\\tz\\n' | \"$L\" build --stage reduce --plan plan.json", cwd: dir.path)
        #expect(garbage.status == 1)
        #expect(garbage.stderr.contains("<stdin>:1: expected KEY<TAB>SEQ<TAB>VALUE"), "\(garbage.stderr)")
    }

    /// A bad row in a split that starts mid-file fails the map with the
    /// file's real line number (counted from the file's start, not the split's).
    @Test func aBadRowInASplitNamesTheRealFileAndLine() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var lines = (1...400).map { Distributed.row($0, fim: false) }
        lines[330] = "{\"content\": 7}"  // line 331
        try dir.write("in.jsonl", lines.joined(separator: "\n") + "\n")
        let plan = try CLI.run(
            ["build", "--stage", "plan", "--input", dir.path("in.jsonl"), "--output", dir.path("dist"), "--split-bytes",
             "4096", "--plan-out", dir.path("plan.json")] + (try DistributedBuildTests.flags(dir, fim: false)))
        try #require(plan.status == 0, "\(plan.stderr)")
        let ids = try Distributed.splitIDs(dir.path("plan.json"))
        var failures: [String] = []
        for id in ids {
            let r = try CLI.run(["build", "--stage", "map", "--plan", dir.path("plan.json"), "--split", id])
            if r.status != 0 { failures.append(r.stderr) }
        }
        #expect(failures == ["lmshard: error: \(dir.path("in.jsonl")):331: field `content` must be a string, found a number\n"])
    }

    /// Build flags given to a stage must agree with the plan; the
    /// tokenizer given to a stage must be the plan's.
    @Test func aStageRefusesFlagsOrATokenizerThatDisagreeWithThePlan() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let inputs = try Distributed.corpus(in: dir, fim: false, rows: 24)
        let flags = try DistributedBuildTests.flags(dir, fim: false)
        let plan = try CLI.run(
            ["build", "--stage", "plan", "--input"] + inputs + ["--output", dir.path("dist"), "--plan-out", dir.path("plan.json")]
                + flags)
        try #require(plan.status == 0, "\(plan.stderr)")
        let seqLen = try CLI.run(["build", "--stage", "map", "--plan", dir.path("plan.json"), "--split", "000000", "--seq-len", "41"])
        #expect(seqLen.status == 1)
        #expect(seqLen.stderr.contains("command line: seq_len is 41 here, the plan has 40"), "\(seqLen.stderr)")
        let big = try Distributed.bigVocabularyTokenizer(in: dir)
        let tokenizer = try CLI.run(
            ["build", "--stage", "map", "--plan", dir.path("plan.json"), "--split", "000000", "--tokenizer", big])
        #expect(tokenizer.status == 1)
        #expect(tokenizer.stderr.contains("has sha256"), "\(tokenizer.stderr)")
        let same = try CLI.run(
            ["build", "--stage", "map", "--plan", dir.path("plan.json"), "--split", "000000", "--seq-len", "40"] + flags)
        #expect(same.status == 0, "\(same.stderr)")
        let usage = try CLI.run(["build", "--stage", "reduce", "--plan", dir.path("plan.json"), "--attempt", "../x"])
        #expect(usage.status == 64)
        #expect(usage.stderr.contains("--attempt must match [A-Za-z0-9._-]{1,64}"), "\(usage.stderr)")
    }

    /// Rows an engine feeds on stdin (`--input - --seq-base FILE:OFFSET`)
    /// give the same dataset as splits, when the pieces fed cover the file.
    @Test func rowsFedOnStdinFromASeqBaseGiveTheSameDataset() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let rows = (1...120).map { Distributed.row($0, fim: false) + "\n" }
        try dir.write("in.jsonl", rows.joined())
        let cut = rows[..<70].joined().utf8.count
        let flags = try DistributedBuildTests.flags(dir, fim: false)
        let local = try CLI.run(["build", "--input", dir.path("in.jsonl"), "--output", dir.path("local"), "--quiet"] + flags)
        try #require(local.status == 0, "\(local.stderr)")
        let plan = try CLI.run(
            ["build", "--stage", "plan", "--input", dir.path("in.jsonl"), "--output", dir.path("dist"), "--plan-out",
             dir.path("plan.json"), "--quiet"] + flags)
        try #require(plan.status == 0, "\(plan.stderr)")
        let run = try Distributed.shell(
            """
            tail -c +\(cut + 1) in.jsonl | "$L" build --stage map --plan plan.json --input - --seq-base 0:\(cut) > b.tsv
            head -c \(cut) in.jsonl | "$L" build --stage map --plan plan.json --input - --seq-base 0 > a.tsv
            cat b.tsv a.tsv | LC_ALL=C sort | "$L" build --stage reduce --plan plan.json > receipts.jsonl
            "$L" build --stage finalize --plan plan.json --receipts receipts.jsonl
            """, cwd: dir.path)
        try #require(run.status == 0, "\(run.stderr)")
        #expect(try Distributed.diff(dir.path("local"), dir.path("dist")).status == 0)
    }
}
