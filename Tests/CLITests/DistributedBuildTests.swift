import Foundation
import TestSupport
import Testing

/// The distributed build as Hadoop Streaming runs it, on one machine: a
/// plan, the map stage once per split (in reverse order), the shuffle as
/// `LC_ALL=C sort` and `awk` partitioning by group, one reduce per
/// partition, finalize. The dataset directory must be byte for byte the
/// local `lmshard build`'s (`diff -r`).
@Suite struct DistributedBuildTests {
    struct Setup: CustomTestStringConvertible, Sendable {
        let name: String
        let fim: Bool
        let reducers: Int
        /// Sort whole lines (by KEY then SEQ), or only by KEY, as Hadoop
        /// Streaming does with one key field: values then reach the reducer
        /// in mapper order, and it must sort each group itself.
        let sortBySeq: Bool
        var testDescription: String { name }
    }

    static let setups = [
        Setup(name: "pretrain/dense uint16, 2 reducers, (KEY, SEQ) sort", fim: false, reducers: 2, sortBySeq: true),
        Setup(name: "pretrain/dense uint16, 3 reducers, KEY-only sort", fim: false, reducers: 3, sortBySeq: false),
        Setup(name: "fim/no_incomplete int32, 3 reducers, (KEY, SEQ) sort", fim: true, reducers: 3, sortBySeq: true),
        Setup(name: "fim/no_incomplete int32, 2 reducers, KEY-only sort", fim: true, reducers: 2, sortBySeq: false),
    ]

    /// Build flags of a setup (the tokenizer for FIM has > 65536 ids).
    static func flags(_ dir: TempDir, fim: Bool) throws -> [String] {
        if fim {
            return ["--tokenizer", try Distributed.bigVocabularyTokenizer(in: dir), "--strategy", "fim", "--fim-format", "psm",
                    "--fim-only-middle", "--packing", "no_incomplete", "--seq-len", "96", "--num-reduce-chunks", "5"]
        }
        return ["--tokenizer", CLI.sampleTokenizer, "--strategy", "pretrain", "--packing", "dense", "--seq-len", "40",
                "--num-reduce-chunks", "5"]
    }

    /// The shell pipeline from the plan to the receipts (not finalize).
    static func pipeline(ids: [String], reducers: Int, sortBySeq: Bool, reduceEnv: String = "") -> String {
        let sort = sortBySeq ? "LC_ALL=C sort" : "LC_ALL=C sort -t\"$(printf '\\t')\" -k1,1 -s"
        return """
            for id in \(ids.reversed().joined(separator: " ")); do
                "$L" build --stage map --plan plan.json --split "$id" --quiet >> mapped.tsv
            done
            \(sort) mapped.tsv > shuffled.tsv
            awk -F'\\t' '{ print > ("part-" ($1 % \(reducers))) }' shuffled.tsv
            for p in part-*; do \(reduceEnv) "$L" build --stage reduce --plan plan.json --attempt "$p" --quiet < "$p" >> receipts.jsonl; done
            """
    }

    @Test(arguments: setups)
    func shellPipelineGivesTheLocalBuildsDirectory(_ setup: Setup) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let inputs = try Distributed.corpus(in: dir, fim: setup.fim)
        let flags = try Self.flags(dir, fim: setup.fim)
        let local = try CLI.run(["build", "--input"] + inputs + ["--output", dir.path("local"), "--quiet"] + flags)
        try #require(local.status == 0, "\(local.stderr)")

        let plan = try CLI.run(
            ["build", "--stage", "plan", "--input"] + inputs
                + ["--output", dir.path("dist"), "--split-bytes", "2048", "--plan-out", dir.path("plan.json")] + flags)
        try #require(plan.status == 0, "\(plan.stderr)")
        let ids = try Distributed.splitIDs(dir.path("plan.json"))
        #expect(ids.count >= 12, "a directory of 7 files, a plain file cut into splits, a zstd file")
        let run = try Distributed.shell(
            Self.pipeline(ids: ids, reducers: setup.reducers, sortBySeq: setup.sortBySeq)
                + "\n\"$L\" build --stage finalize --plan plan.json --receipts receipts.jsonl",
            cwd: dir.path)
        try #require(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("built \(dir.path("dist"))"), "\(run.stdout)")

        let diff = try Distributed.diff(dir.path("local"), dir.path("dist"))
        #expect(diff.status == 0, "\(diff.stdout)\(diff.stderr)")
        let manifest = try String(contentsOfFile: dir.path("dist/manifest.json"), encoding: .utf8)
        #expect(manifest.contains(setup.fim ? "\"token_dtype\": \"int32\"" : "\"token_dtype\": \"uint16\""))
        // Nothing is left beside the output.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".dist") }
        #expect(leftovers.isEmpty, "\(leftovers)")
        let verify = try CLI.run(["verify", dir.path("dist")])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    /// The local build reads exactly what the plan lists: `_x.jsonl` yes,
    /// the hidden file no (the hidden file is not JSON: reading it would fail).
    @Test func thePlanListsFilesInByteOrderWithUnderscoreNamesAndWithoutHiddenOnes() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let inputs = try Distributed.corpus(in: dir, fim: false, rows: 48)
        let plan = try CLI.run(
            ["build", "--stage", "plan", "--input"] + inputs
                + ["--output", dir.path("dist"), "--plan-out", dir.path("plan.json")] + (try Self.flags(dir, fim: false)))
        try #require(plan.status == 0, "\(plan.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path("plan.json")))) as! [String: Any]
        let names = (json["files"] as! [[String: Any]]).map { ($0["name"] as! String).replacingOccurrences(of: dir.path + "/", with: "") }
        #expect(names == [
            "corpus/10.jsonl", "corpus/9.jsonl", "corpus/B.jsonl", "corpus/Z/deep.jsonl", "corpus/_x.jsonl",
            "corpus/a.jsonl", "corpus/ä.jsonl", "big.jsonl", "more.jsonl.zst",
        ])
        #expect(plan.stderr.contains("9 files"), "\(plan.stderr)")
        // Planning again gives the same id; the staging directory is named by it.
        let id = json["plan_id"] as! String
        #expect(FileManager.default.fileExists(atPath: dir.path(".dist.dist-\(id)/plan.json")))
    }
}
