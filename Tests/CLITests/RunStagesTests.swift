import Foundation
import TestSupport
import Testing

/// `lmshard run`'s streaming stages: the same config path as `build` (YAML,
/// no `type` means prepare_for_training, `--tokenizer`), splits read by the
/// map itself with the global SEQ, and a reduce whose output equals the
/// local run over the same rows in the same order.
@Suite struct RunStagesTests {
    /// prepare_for_training packs a group's rows in input order, so any
    /// wrong order shows: the stages over a directory (cut into splits,
    /// mapped in reverse order, sorted by key only) give the local run's
    /// output over the plan's files concatenated in plan order.
    @Test func stagesOverSplitsEqualTheLocalRunOverTheSameRows() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let inputs = try Distributed.corpus(in: dir, fim: false, rows: 96)
        try dir.write("c.yaml", """
            processing_strategy: pretrain
            packing_strategy: no_incomplete
            seq_len: 48
            num_reduce_chunks: 3

            """)
        let plan = try CLI.run(
            ["run", "--stage", "plan", "--config", dir.path("c.yaml"), "--tokenizer", CLI.sampleTokenizer, "--input"]
                + inputs.filter { !$0.hasSuffix(".zst") } + ["--split-bytes", "1500", "--plan-out", dir.path("plan.json")])
        try #require(plan.status == 0, "\(plan.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path("plan.json")))) as! [String: Any]
        let files = (json["files"] as! [[String: Any]]).map { $0["path"] as! String }
        let ids = try Distributed.splitIDs(dir.path("plan.json"))
        #expect(ids.count > files.count, "the large file is cut into splits")
        let run = try Distributed.shell(
            """
            for id in \(ids.reversed().joined(separator: " ")); do
                "$L" run --stage map --plan plan.json --split "$id" >> mapped.tsv
            done
            LC_ALL=C sort -t"$(printf '\\t')" -k1,1 -s mapped.tsv | "$L" run --stage reduce --plan plan.json > staged.jsonl
            cat \(Distributed.quoted(files)) > all.jsonl
            "$L" run --config c.yaml --tokenizer \(Distributed.quoted([CLI.sampleTokenizer])) --input all.jsonl --output local.jsonl
            cmp staged.jsonl local.jsonl
            """, cwd: dir.path)
        #expect(run.status == 0, "\(run.stderr)")
        let rows = (try? String(contentsOfFile: dir.path("local.jsonl"), encoding: .utf8))?.split(separator: "\n").count ?? 0
        #expect(rows > 10)
    }

    /// A bad row read by a map names its file and real line; rows fed on
    /// stdin need an explicit --seq-base.
    @Test func aBadRowNamesItsFileAndLineAndStdinNeedsASeqBase() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var lines = (1...200).map { "{\"content\": \"row \($0) " + String(repeating: "x", count: $0 % 50) + "\"}" }
        lines[150] = "{\"content\": }"
        try dir.write("in.jsonl", lines.joined(separator: "\n") + "\n")
        try dir.write("c.json", "{\"type\": \"count_chars\", \"column\": \"content\"}")
        let plan = try CLI.run(
            ["run", "--stage", "plan", "--config", dir.path("c.json"), "--input", dir.path("in.jsonl"), "--split-bytes", "2000",
             "--plan-out", dir.path("plan.json")])
        try #require(plan.status == 0, "\(plan.stderr)")
        var messages: [String] = []
        let ids = try Distributed.splitIDs(dir.path("plan.json"))
        #expect(ids.count >= 3)
        for id in ids {
            let r = try CLI.run(["run", "--stage", "map", "--plan", dir.path("plan.json"), "--split", id])
            if r.status != 0 { messages.append(r.stderr) }
        }
        #expect(messages.count == 1)
        #expect(messages.first?.hasPrefix("lmshard: error: \(dir.path("in.jsonl")):151: ") == true, "\(messages)")
        let skipped = try CLI.run(
            ["run", "--stage", "map", "--plan", dir.path("plan.json"), "--split", ids.joined(separator: ","), "--skip-bad-rows"])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stderr.contains("skipped 1 bad rows; first: \(dir.path("in.jsonl")):151: "), "\(skipped.stderr)")

        let noBase = try CLI.run(["run", "--stage", "map", "--config", dir.path("c.json"), "--input", "-"], stdin: Data())
        #expect(noBase.status == 64)
        #expect(noBase.stderr.contains("--seq-base FILE[:OFFSET]"), "\(noBase.stderr)")
    }
}
