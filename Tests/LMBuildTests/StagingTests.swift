import Foundation
import LMIO
import LMJSON
import LMShard
import TestSupport
import Testing

@testable import LMBuild

/// Publishing a finished build (`BuildStaging.commit`, what finalize and the local build end with): never over something that appeared at the
/// output while it ran; with `--overwrite`, old and new swapped in one step,
/// and only an lmshard dataset (or an empty directory) ever deleted.
@Suite struct StagingTests {
    static let manifest = DatasetManifest(
        tokenizer: .init(name: "t", sha256: String(repeating: "0", count: 64)), vocabSize: 10, eosId: nil,
        padId: nil, seqLen: 4, config: .object(JSONObject()), shards: [])

    /// A staging directory for `dir/out` with one shard file in it, its
    /// bookkeeping removed as finalize removes it before publishing.
    func staging(_ dir: TempDir) throws -> BuildStaging {
        let output = dir.url.appendingPathComponent("out")
        let plan = BuildPlan(
            planVersion: BuildPlan.currentVersion, planID: "0123456789abcdef", kind: BuildPlan.buildKind, createdAt: 0,
            config: .object(JSONObject()), tokenizer: nil, files: [], splits: [], splitBytes: 1, numReduceChunks: 1,
            skipBadRows: false, overwrite: false, output: output.path,
            staging: BuildStaging.url(output: output, planID: "0123456789abcdef", distributed: false).path)
        let staging = try BuildStaging.openOrResume(plan: plan)
        try Data("new".utf8).write(to: staging.url.appendingPathComponent("shard-00000.bin"))
        try staging.removeBookkeeping()
        return staging
    }

    func contents(_ path: String) throws -> Set<String> { Set(try FileManager.default.contentsOfDirectory(atPath: path)) }

    @Test func publishesWhenNothingIsThere() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try staging(dir).commit(manifest: Self.manifest, replacing: false)
        #expect(try contents(dir.path("out")) == ["manifest.json", "shard-00000.bin"])
        #expect(try contents(dir.path) == ["out"])  // no staging folder left
    }

    @Test func refusesWhatAppearedMeanwhile() throws {
        for appeared in ["a file", "a directory with a file", "a dataset"] {
            let dir = try TempDir()
            defer { dir.remove() }
            let staged = try staging(dir)
            // Checked empty when the build started; something appears before it ends.
            switch appeared {
            case "a file": try dir.write("out", "someone else's")
            case "a directory with a file": try dir.write("out/notes.txt", "someone else's")
            default: try dir.write("out/manifest.json", "{}")
            }
            #expect(throws: BuildError.output(
                path: dir.path("out"), message: "something appeared here while the build ran; nothing was replaced"),
                "\(appeared)") { try staged.commit(manifest: Self.manifest, replacing: false) }
            #expect(FileSystem.exists(appeared == "a file" ? dir.path("out") : dir.path("out/" + (appeared == "a dataset" ? "manifest.json" : "notes.txt"))))
            staged.discard()
        }
    }

    @Test func replacesAnEmptyOutputDirectory() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.path("out"), withIntermediateDirectories: false)
        try staging(dir).commit(manifest: Self.manifest, replacing: false)
        #expect(try contents(dir.path("out")) == ["manifest.json", "shard-00000.bin"])
    }

    @Test func overwriteSwapsAnOldDatasetAndDeletesIt() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try dir.write("out/manifest.json", "{}")
        try dir.write("out/shard-00007.bin", "old")
        try staging(dir).commit(manifest: Self.manifest, replacing: true)
        #expect(try contents(dir.path("out")) == ["manifest.json", "shard-00000.bin"])
        #expect(try contents(dir.path) == ["out"])
    }

    @Test func overwriteNeverDeletesSomethingThatIsNotADataset() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let staged = try staging(dir)
        // The dataset checked at the start was replaced by someone's files.
        try dir.write("out/thesis.tex", "precious")
        #expect(throws: BuildError.output(path: dir.path("out"), message: "is no longer an lmshard dataset; refusing to replace it")) {
            try staged.commit(manifest: Self.manifest, replacing: true)
        }
        #expect(try contents(dir.path("out")) == ["thesis.tex"])
        staged.discard()
        #expect(try contents(dir.path) == ["out"])
    }
}
