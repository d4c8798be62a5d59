import Foundation
import TestSupport
import Testing

/// A killed local build resumes from its staging directory; a reducer's
/// memory does not grow with its group.
@Suite struct ResumeAndMemoryTests {
    /// Killed (SIGKILL) after two shards, the same command started again
    /// reuses the finished map and the two verified shards, which are not
    /// rewritten (same inode and modification time in the published
    /// dataset), and the result is byte-identical to an uninterrupted build.
    @Test func aKilledBuildResumesKeepingItsFinishedShards() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let inputs = try Distributed.corpus(in: dir, fim: false, rows: 120)
        let flags = try DistributedBuildTests.flags(dir, fim: false) + ["--workers", "1", "--quiet"]
        let clean = try CLI.run(["build", "--input"] + inputs + ["--output", dir.path("clean")] + flags)
        try #require(clean.status == 0, "\(clean.stderr)")

        let command = "\"$L\" build --input \(Distributed.quoted(inputs)) --output out \(Distributed.quoted(flags))"
        let killed = try Distributed.shell(command, cwd: dir.path, env: ["LMSHARD_TEST_KILL_AFTER_SHARDS": "2"])
        #expect(killed.status == 128 + SIGKILL, "\(killed.status) \(killed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("out")))
        let staging = try #require(
            try FileManager.default.contentsOfDirectory(atPath: dir.path).first { $0.hasPrefix(".out.build-") })
        let kept = try Distributed.inodes(dir.path(staging)).filter { $0.key.hasPrefix("shard-") }
        #expect(kept.count == 10, "two finished shards: \(kept.keys.sorted())")
        #expect(FileManager.default.fileExists(atPath: dir.path(staging + "/.work")))

        let resumed = try Distributed.shell(command, cwd: dir.path)
        try #require(resumed.status == 0, "\(resumed.stderr)")
        #expect(try Distributed.diff(dir.path("clean"), dir.path("out")).status == 0)
        let after = try Distributed.inodes(dir.path("out"))
        for (name, before) in kept {
            #expect(after[name]?.inode == before.inode && after[name]?.mtime == before.mtime, "\(name) was rewritten")
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".out") }
        #expect(left.isEmpty, "\(left)")
    }

    /// A killed build whose inputs then change starts afresh under a new
    /// plan, and the killed build's staging directory is removed.
    @Test func aChangedInputStartsAfreshAndRemovesTheStaleStagingDirectory() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let inputs = try Distributed.corpus(in: dir, fim: false, rows: 48)
        let flags = try DistributedBuildTests.flags(dir, fim: false) + ["--workers", "1", "--quiet"]
        let command = "\"$L\" build --input \(Distributed.quoted(inputs)) --output out \(Distributed.quoted(flags))"
        let killed = try Distributed.shell(command, cwd: dir.path, env: ["LMSHARD_TEST_KILL_AFTER_SHARDS": "1"])
        #expect(killed.status == 128 + SIGKILL)
        let stale = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".out.build-") }
        #expect(stale.count == 1)
        try dir.write("corpus/a.jsonl", Distributed.row(7, fim: false) + "\n")
        let fresh = try Distributed.shell(command, cwd: dir.path)
        try #require(fresh.status == 0, "\(fresh.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".out") }
        #expect(left.isEmpty, "\(left)")
    }

    /// One reduce group far larger than the reducer's memory budget
    /// (--memory-mb 2; 30 MB of values), sorted and unsorted by SEQ: the
    /// reducer packs it (hand-encoded rows: 1 in 100 of 100 tokens, the rest
    /// of 1000 tokens, longer than seq_len and dropped by no_incomplete
    /// packing, so the shard stays small) and its peak resident memory is
    /// within a few MB of the same reducer's on a group of 300 rows.
    @Test func aReducersMemoryStaysBoundedOnAGroupFarLargerThanItsBudget() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try dir.write("tiny.jsonl", "{\"content\": \"hello world\"}\n")
        let plan = try CLI.run([
            "build", "--stage", "plan", "--input", dir.path("tiny.jsonl"), "--output", dir.path("dist"), "--plan-out",
            dir.path("plan.json"), "--tokenizer", CLI.sampleTokenizer, "--strategy", "pretrain", "--packing",
            "no_incomplete", "--seq-len", "512", "--num-reduce-chunks", "1",
        ])
        try #require(plan.status == 0, "\(plan.stderr)")
        // TokenizedRow's shuffle encoding: varint n (1000 = E8 07, 100 = 64),
        // flags 3 (positions 0..<n, mask all true), then n one-byte varint ids.
        let rows = 30_000
        var lines: [String] = []
        lines.reserveCapacity(rows)
        for i in 0..<rows {
            let n = i % 100 == 0 ? 100 : 1000
            let ids = (0..<n).map { UInt8(1 + (i + $0 * 7) % 127) }
            let value = Data((n == 100 ? [0x64] : [0xE8, 0x07]) + [0x03] + ids).base64EncodedString()
            let seq = String(format: "0000000000:%020d:0000000000", i * 1000)
            lines.append("0000000000\t\(seq)\t\(value)")
        }
        var rng = SplitMix64(seed: 9)
        try dir.write("tiny.tsv", lines.prefix(300).joined(separator: "\n") + "\n")
        try dir.write("sorted.tsv", lines.joined(separator: "\n") + "\n")
        try dir.write("shuffled.tsv", lines.shuffled(using: &rng).joined(separator: "\n") + "\n")
        let stagedReceipt = try DistributedFaultTests.staging(dir) + "/receipts/shard-00000.json"
        var peaks: [String: Int] = [:]
        var receipts: [String: String] = [:]
        for input in ["tiny.tsv", "sorted.tsv", "shuffled.tsv"] {
            try? FileManager.default.removeItem(atPath: stagedReceipt)  // so every run packs its group
            let r = try Distributed.shell(
                "\"$L\" build --stage reduce --plan plan.json --memory-mb 2 < \(input)", cwd: dir.path,
                env: ["LMSHARD_TEST_PEAK_RSS_FILE": dir.path(input + ".rss")])
            try #require(r.status == 0, "\(input): \(r.stderr)")
            let reported = try String(contentsOfFile: dir.path(input + ".rss"), encoding: .utf8)
            let peak: Int? = Int(reported.trimmingCharacters(in: .whitespacesAndNewlines))
            let value = try #require(peak, "\(input): VmHWM \(reported)")
            peaks[input] = value
            receipts[input] = r.stdout
        }
        // Holding the group would add its 30 MB of values; the reducer holds
        // 2 MB of them, one sequence, and its buffers (measured, debug build:
        // 4 MB more than for the tiny group sorted, 6 MB unsorted).
        let tiny = try #require(peaks["tiny.tsv"])
        for input in ["sorted.tsv", "shuffled.tsv"] {
            let peak = try #require(peaks[input])
            #expect(peak - tiny < 16_000, "\(input): peak RSS \(peak) KiB, \(tiny) KiB for 300 rows")
        }
        #expect(receipts["sorted.tsv"] == receipts["shuffled.tsv"])
        let receipt = receipts["sorted.tsv"] ?? ""
        #expect(receipt.contains("\"documents_in\":30000"), "\(receipt.prefix(300))")
        #expect(receipt.contains("\"dropped_too_long_examples\":29700"), "\(receipt.prefix(600))")
    }
}
