import Foundation
import TestSupport
import Testing

/// What the distributed-build tests need around the `lmshard` binary: shell
/// pipelines with an environment, and corpora whose
/// file names, formats and sizes exercise the plan's walk and splits.
enum Distributed {
    /// The binary, quoted for a shell script.
    static var lmshard: String { "'\(CLI.binary.path)'" }

    /// Runs `script` with `/bin/bash -c` in `cwd`, with `env` added to the
    /// environment (`set -euo pipefail` first, so any failing step fails it).
    @discardableResult
    static func shell(_ script: String, cwd: String, env: [String: String] = [:], deadline: Double = 600) throws
        -> CLI.Result
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        // The trailing `:` keeps bash from exec'ing the last command, so a
        // command killed by a signal shows as bash's status 128 + signal.
        process.arguments = ["-c", "set -euo pipefail\nL=\(lmshard)\n" + script + "\n:"]
        process.currentDirectoryURL = URL(fileURLWithPath: cwd)
        process.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        // stderr goes to a file, so only stdout is read while the script runs.
        let errPath = FileManager.default.temporaryDirectory.appendingPathComponent("lmshard-shell-\(UUID().uuidString)").path
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: errPath)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + deadline, execute: watchdog)
        defer { watchdog.cancel() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLI.Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    /// `diff -r a b`: the status (0 when identical) and what differs.
    static func diff(_ a: String, _ b: String) throws -> CLI.Result {
        try shell("diff -r '\(a)' '\(b)'", cwd: "/")
    }

    // MARK: - Fixtures

    /// Deterministic text of `words` words, some of them `<big>` when `big`.
    static func text(_ seed: Int, words: Int, big: Bool) -> String {
        var rng = SplitMix64(seed: UInt64(seed))
        let vocabulary = ["def", "return", "self", "value", "x", "+", "(", ")", ":", "\\n", "import", "os", "42", "é", "for"]
        return (0..<words).map { _ in
            big && Int.random(in: 0..<9, using: &rng) == 0 ? "<big>" : vocabulary.randomElement(using: &rng)!
        }.joined(separator: " ")
    }

    /// One JSONL row of the strategy's fields.
    static func row(_ seed: Int, fim: Bool) -> String {
        let words = 3 + seed % 37
        func quoted(_ s: String) -> String { "\"" + s + "\"" }
        if fim {
            return "{\"prefix\": \(quoted(text(seed, words: words, big: true))), \"middle\": \(quoted(text(seed + 1, words: 4, big: true))), \"suffix\": \(quoted(text(seed + 2, words: words / 2, big: true)))}"
        }
        return "{\"content\": \(quoted(text(seed, words: words, big: false)))}"
    }

    /// Inputs that exercise the plan: a directory whose names sort
    /// differently bytewise than by any filesystem or locale order
    /// (`B` < `Z` < `_x` < `a` < `ä`, `10` < `9`, created in another
    /// order), a file named `_x.jsonl` (engines skip such names), a hidden
    /// file (skipped by the walk), a plain file large enough for several
    /// splits, and a zstd file. Returns the `--input` arguments.
    static func corpus(in dir: TempDir, fim: Bool, rows: Int = 240) throws -> [String] {
        var seed = fim ? 1000 : 0
        func rowsText(_ n: Int) -> String {
            (0..<n).map { _ in
                seed += 1
                return row(seed, fim: fim)
            }.joined(separator: "\n") + "\n"
        }
        for name in ["ä.jsonl", "a.jsonl", "9.jsonl", "_x.jsonl", "10.jsonl", "Z/deep.jsonl", "B.jsonl"] {
            try dir.write("corpus/" + name, rowsText(rows / 24))
        }
        try dir.write("corpus/.hidden.jsonl", "this is not JSON and must never be read\n")
        try dir.write("big.jsonl", rowsText(rows / 2))
        try dir.write("more.jsonl", rowsText(rows / 8))
        let zstd = try shell("zstd -q --rm -o more.jsonl.zst more.jsonl", cwd: dir.path)
        try #require(zstd.status == 0, "zstd: \(zstd.stderr)")
        return [dir.path("corpus"), dir.path("big.jsonl"), dir.path("more.jsonl.zst")]
    }

    /// A `tokenizer.json` (and its `tokenizer_config.json`) with more than
    /// 65536 ids, so datasets store int32 tokens: the sample tokenizer with
    /// 70000 extra vocabulary entries and an added token `<big>` whose id
    /// (74096) does not fit uint16.
    static func bigVocabularyTokenizer(in dir: TempDir) throws -> String {
        let sample = CLI.sampleTokenizer
        var json = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: sample + "/tokenizer.json"))) as! [String: Any]
        var model = json["model"] as! [String: Any]
        var vocab = model["vocab"] as! [String: Int]
        let base = (vocab.values.max() ?? 0) + 1
        for i in 0..<70_000 { vocab["<extra_\(i)>"] = base + i }
        model["vocab"] = vocab
        json["model"] = model
        var added = json["added_tokens"] as! [[String: Any]]
        added.append([
            "id": base + 70_000, "content": "<big>", "single_word": false, "lstrip": false, "rstrip": false,
            "normalized": false, "special": false,
        ])
        json["added_tokens"] = added
        try dir.write("bigtok/tokenizer.json", try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]))
        try dir.write(
            "bigtok/tokenizer_config.json",
            try Data(contentsOf: URL(fileURLWithPath: sample + "/tokenizer_config.json")))
        return dir.path("bigtok")
    }

    /// The split ids of a plan, in plan order.
    static func splitIDs(_ planPath: String) throws -> [String] {
        let plan = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: planPath))) as! [String: Any]
        return (plan["splits"] as! [[String: Any]]).map { $0["id"] as! String }
    }

    /// Quotes arguments for a shell script.
    static func quoted(_ arguments: [String]) -> String {
        arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
    }

    /// Every regular file under `root` with its inode and modification time.
    static func inodes(_ root: String) throws -> [String: (inode: UInt64, mtime: Date)] {
        var out: [String: (UInt64, Date)] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: root) {
            let a = try FileManager.default.attributesOfItem(atPath: root + "/" + name)
            guard a[.type] as? FileAttributeType == .typeRegular else { continue }
            out[name] = ((a[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0, a[.modificationDate] as? Date ?? .distantPast)
        }
        return out
    }
}
