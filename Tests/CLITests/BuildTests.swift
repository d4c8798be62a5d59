import Foundation
import TestSupport
import Testing

/// `lmshard build`, `inspect`, `export` and `verify` end to end on small inputs.
@Suite struct BuildTests {
    static let tokenizer = CLI.sampleTokenizer

    static func build(_ dir: TempDir, _ extra: [String], output: String = "out") throws -> CLI.Result {
        try CLI.run(["build", "--output", dir.path(output), "--tokenizer", tokenizer, "--quiet"] + extra)
    }

    /// Export rows as (ids, positions, mask) triples.
    static func export(_ path: String) throws -> [(ids: [Int], pos: [Int], mask: [Bool])] {
        let r = try CLI.run(["export", path])
        #expect(r.status == 0, "\(r.stderr)")
        return try r.stdout.split(separator: "\n").map { line in
            let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            return (o["input_ids"] as! [Int], o["position_ids"] as! [Int], o["loss_mask"] as! [Bool])
        }
    }

    @Test func pretrainFromTextDirectoryIsDenseVerifiedAndDeterministic() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        for i in 0..<12 {
            try dir.write("corpus/doc\(i).py", String(repeating: "def f\(i)(x):\n    return x * \(i)\n", count: i + 1))
        }
        let one = try Self.build(dir, ["--input", dir.path("corpus"), "--strategy", "pretrain", "--packing", "dense",
                                       "--seq-len", "16", "--num-reduce-chunks", "3", "--workers", "1"], output: "one")
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stdout.contains("12 read, 0 skipped"), "\(one.stdout)")
        let two = try Self.build(dir, ["--input", dir.path("corpus"), "--strategy", "pretrain", "--packing", "dense",
                                       "--seq-len", "16", "--num-reduce-chunks", "3", "--workers", "2"], output: "two")
        #expect(two.status == 0, "\(two.stderr)")

        // Same bytes whatever the worker count.
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path("one")).sorted()
        #expect(names == (try FileManager.default.contentsOfDirectory(atPath: dir.path("two")).sorted()))
        #expect(names.contains("manifest.json") && names.contains("shard-00000.bin"))
        for name in names where name != "manifest.json" {
            #expect(FileManager.default.contents(atPath: dir.path("one/" + name))
                    == FileManager.default.contents(atPath: dir.path("two/" + name)), "\(name)")
        }

        let rows = try Self.export(dir.path("one"))
        #expect(!rows.isEmpty)
        for row in rows {
            #expect(row.ids.count == 16 && row.pos.count == 16 && row.mask.allSatisfy { $0 })
            // Positions are rebased per segment: each step is +1 or a restart at 0.
            #expect(row.pos[0] == 0)
            for k in 1..<16 { #expect(row.pos[k] == row.pos[k - 1] + 1 || row.pos[k] == 0) }
        }
        let verify = try CLI.run(["verify", dir.path("one")])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")

        let inspect = try CLI.run(["inspect", dir.path("one"), "--json"])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as! [String: Any]
        #expect(report["sequences"] as? Int == rows.count)
        #expect(report["pad_tokens"] as? Int == 0)

        // The manifest names the tokenizer by the SHA-256 of its file.
        let manifest = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: dir.path("one/manifest.json")))) as! [String: Any]
        let recorded = (manifest["tokenizer"] as? [String: Any])?["sha256"] as? String
        #expect(recorded == (try Self.sha256sum(Self.tokenizer + "/tokenizer.json")))
    }

    /// `sha256sum`'s digest of `path`: an oracle independent of lmshard's.
    static func sha256sum(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }

    @Test func exportEqualsTheRunCommandsPrepareForTraining() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var lines = ""
        for i in 0..<30 { lines += "{\"content\": \"row \(i): \(String(repeating: "tok ", count: i % 7))\"}\n" }
        let input = try dir.write("in.jsonl", lines)
        let config = """
            {"type": "prepare_for_training", "processing_strategy": "pretrain", "packing_strategy": "no_incomplete",
             "tokenizer_name": "\(Self.tokenizer)", "seq_len": 24, "num_reduce_chunks": 2}
            """
        try dir.write("c.json", config)
        let run = try CLI.run(["run", "--config", dir.path("c.json"), "--input", input, "--output", dir.path("run.jsonl")])
        #expect(run.status == 0, "\(run.stderr)")
        let build = try CLI.run(["build", "--config", dir.path("c.json"), "--input", input, "--output", dir.path("ds"), "--quiet"])
        #expect(build.status == 0, "\(build.stderr)")
        let exported = try CLI.run(["export", dir.path("ds")])
        let expected = try String(contentsOfFile: dir.path("run.jsonl"), encoding: .utf8)
        #expect(exported.stdout == expected)
        #expect(!expected.isEmpty)
    }

    @Test func sftMasksEverythingButAssistantTurns() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let input = try dir.write("chat.jsonl", """
            {"content": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}
            {"content": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]}

            """)
        let r = try Self.build(dir, ["--input", input, "--strategy", "sft", "--packing", "no_incomplete",
                                     "--seq-len", "64", "--num-reduce-chunks", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try Self.export(dir.path("out"))
        #expect(rows.count == 1)
        let row = rows[0]
        // The sample tokenizer has Mellum's chat tokens: <user>=21 </user>=22 <assistant>=23 </assistant>=24.
        for (id, masked) in zip(row.ids, row.mask) {
            if id == 21 || id == 22 { #expect(!masked) }
            if id == 23 || id == 24 { #expect(masked) }
        }
        #expect(row.ids.filter { $0 == 23 }.count == 2)

        let inspect = try CLI.run(["inspect", dir.path("out"), "--sample", "1", "--decode", "--tokenizer", Self.tokenizer])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains("│segment 1│⟪<user>hi</user>⟫<assistant>hello</assistant>"), "\(inspect.stdout)")
        #expect(inspect.stdout.contains("│segment 2│"))
        #expect(inspect.stdout.contains("<pad×"))
    }

    @Test func stdinGzipAndConfigOverridesAgree() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var text = ""
        for i in 0..<20 { text += "{\"body\": \"document number \(i) \(String(repeating: "x", count: i))\"}\n" }
        let plain = try dir.write("in.jsonl", text)
        let gz = Process()
        gz.executableURL = URL(fileURLWithPath: "/bin/sh")
        gz.arguments = ["-c", "gzip -c '\(plain)' > '\(dir.path("in.jsonl.gz"))'"]
        try gz.run()
        gz.waitUntilExit()
        // YAML config with seq_len 32; the flag says 12 and wins.
        try dir.write("c.yaml", """
            processing_strategy: pretrain
            packing_strategy: dense
            seq_len: 32
            num_reduce_chunks: 2
            content_field: body

            """)
        let args = ["--config", dir.path("c.yaml"), "--seq-len", "12"]
        let a = try Self.build(dir, ["--input", plain] + args, output: "a")
        let b = try Self.build(dir, ["--input", dir.path("in.jsonl.gz")] + args, output: "b")
        let c = try CLI.run(["build", "--input", "-", "--output", dir.path("c"), "--tokenizer", Self.tokenizer, "--quiet"] + args,
                            stdin: Data(text.utf8))
        for r in [a, b, c] { #expect(r.status == 0, "\(r.stderr)") }
        let rows = try Self.export(dir.path("a"))
        #expect(rows.first?.ids.count == 12)
        #expect(rows.map(\.ids) == (try Self.export(dir.path("b"))).map(\.ids))
        #expect(rows.map(\.ids) == (try Self.export(dir.path("c"))).map(\.ids))
        let manifest = try String(contentsOfFile: dir.path("a/manifest.json"), encoding: .utf8)
        #expect(manifest.contains("\"seq_len\": 12"))
    }

    @Test func skipBadRowsCountsAndNamesThem() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let input = try dir.write("in.jsonl", """
            {"content": "good one with enough words to fill a sequence or two"}
            {"content": 7}
            not json
            {"content": "another good document, also long enough to matter"}

            """)
        let r = try Self.build(dir, ["--input", input, "--strategy", "pretrain", "--packing", "dense",
                                     "--seq-len", "4", "--num-reduce-chunks", "1", "--skip-bad-rows"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("4 read, 2 skipped"), "\(r.stdout)")
        #expect(r.stdout.contains("in.jsonl:2: field `content` must be a string"), "\(r.stdout)")
        #expect(r.stdout.contains("in.jsonl:3: invalid JSON"), "\(r.stdout)")
    }

    @Test func existingDatasetNeedsOverwrite() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let input = try dir.write("in.jsonl", "{\"content\": \"some text that is long enough\"}\n")
        let args = ["--input", input, "--strategy", "pretrain", "--packing", "dense", "--seq-len", "4",
                    "--num-reduce-chunks", "1"]
        #expect(try Self.build(dir, args).status == 0)
        let again = try Self.build(dir, args + ["--seq-len", "2"])
        #expect(again.status != 0)
        #expect(again.stderr.contains("--overwrite"), "\(again.stderr)")
        let replaced = try Self.build(dir, args + ["--seq-len", "2", "--overwrite"])
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(try Self.export(dir.path("out")).first?.ids.count == 2)
        // A non-empty folder that is not a dataset is never replaced.
        try dir.write("mine/notes.txt", "keep me")
        let refused = try Self.build(dir, args + ["--overwrite"], output: "mine")
        #expect(refused.status != 0)
        #expect(FileManager.default.fileExists(atPath: dir.path("mine/notes.txt")))
    }
}
