import Foundation
@_spi(Testing) import LMShard
import TestSupport
import Testing

/// `verify` and `inspect` on damaged and hostile datasets, as a user runs
/// them: exact messages, exit status 1, never a signal.
@Suite struct VerifyInspectTests {
    /// A one-shard dataset built by the CLI from a few text files.
    static func dataset(_ dir: TempDir) throws -> String {
        for i in 0..<4 { try dir.write("corpus/doc\(i).txt", String(repeating: "word\(i) ", count: 20 + i)) }
        let r = try BuildTests.build(dir, ["--input", dir.path("corpus"), "--strategy", "pretrain", "--packing", "dense",
                                           "--seq-len", "16", "--num-reduce-chunks", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        return dir.path("out")
    }

    @Test func cleanDatasetVerifiesWithCounts() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let out = try Self.dataset(dir)
        let m = try DatasetManifest.read(from: URL(fileURLWithPath: out))
        let r = try CLI.run(["verify", out])
        #expect(r.status == 0)
        // One 1 MiB block per data file; bytes = the four data files plus the .sum.
        #expect(r.stdout == "ok: \(out): 1 shards, 4 blocks, \(m.totals.bytes) bytes, \(m.totals.tokens) token ids checked\n")
    }

    /// The case: a changed `.idx` version byte with every checksum
    /// recomputed verified "ok"; now it is damage, exit 1, naming file and offset.
    @Test func resealedVersionEditFailsVerify() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let out = try Self.dataset(dir)
        let idx = out + "/shard-00000.idx"
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: idx)))
        bytes[Format.Index.versionOffset] = 2
        try Data(bytes).write(to: URL(fileURLWithPath: idx))
        try Reseal.dataset(directory: URL(fileURLWithPath: out))
        for args in [["verify", out], ["verify", out, "--sample", "0.01"]] {
            let r = try CLI.run(args)
            #expect(r.status == 1)
            #expect(r.stdout == "damaged: shard-00000.idx: unreadable by every reader: \(idx)@9: unsupported version 2\n")
        }
        let export = try CLI.run(["export", out])
        #expect(export.status == 1 && export.stderr == "lmshard: error: \(idx)@9: unsupported version 2\n")
    }

    /// Counts near 2^62 in the manifest: a clean error from every command
    /// that reads it (these were SIGILL: `tokens * 2` overflowed).
    @Test func hugeManifestCountsAreErrorsNotTraps() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let out = try Self.dataset(dir)
        let path = out + "/manifest.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let m = try DatasetManifest.read(from: URL(fileURLWithPath: out))
        let tokens = "\"tokens\": \(m.shards[0].tokens),"
        #expect(text.contains(tokens))
        try text.replacingOccurrences(of: tokens, with: "\"tokens\": 4611686018427387904,")
            .write(toFile: path, atomically: true, encoding: .utf8)
        for command in ["verify", "export", "inspect"] {
            let r = try CLI.run([command, out])
            #expect(r.status == 1, "\(command)")
            #expect(r.stderr == "lmshard: error: \(path): shards[0].tokens: 4611686018427387904 is too large: "
                    + "the .bin size overflows\n", "\(command)")
        }
    }

    /// `--decode` alone never loads what the manifest names (here a path
    /// outside the dataset); the error says what to run instead.
    @Test func decodeNeedsATokenizerTheUserNames() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let out = try Self.dataset(dir)
        let r = try CLI.run(["inspect", out, "--decode"])
        #expect(r.status == 1)
        let tok = BuildTests.tokenizer
        #expect(r.stderr == "lmshard: error: \(out)/manifest.json names tokenizer \"\(tok)\", which is not inside the "
                + "dataset; inspect does not load or download a tokenizer because a dataset names it. To decode with it, "
                + "pass it yourself: lmshard inspect \(out) --decode --tokenizer \(tok)\n")
        let ok = try CLI.run(["inspect", out, "--decode", "--tokenizer", tok, "--sample", "1"])
        #expect(ok.status == 0 && ok.stderr.isEmpty, "\(ok.stderr)")
        #expect(ok.stdout.contains("word0 word0"))
    }
}
