import Foundation
import TestSupport
import Testing

/// `lmshard` started in the background, its stdin a pipe the test keeps
/// open and its stdout/stderr in files (no pipe to fill up and block it).
final class Launched {
    let process = Process()
    let stdin = Pipe()
    let logs: TempDir

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        logs = try TempDir(prefix: "lmshard-launched")
        process.executableURL = CLI.binary
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardInput = stdin
        process.standardOutput = FileHandle(forWritingAtPath: try logs.write("out", ""))
        process.standardError = FileHandle(forWritingAtPath: try logs.write("err", ""))
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// Polls `condition` every 10 ms until it holds; throws if the process
    /// exits first or two minutes pass.
    func wait(until what: String, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if condition() { return }
            guard process.isRunning else { throw CLIFailure("lmshard exited before \(what): \(stderr)") }
            Thread.sleep(forTimeInterval: 0.01)
        }
        throw CLIFailure("lmshard never got to \(what)")
    }

    /// Writes `bytes` to stdin, closes it and waits for the exit status.
    func finish(stdin bytes: String = "") -> Int32 {
        stdin.fileHandleForWriting.write(Data(bytes.utf8))
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        return process.terminationStatus
    }

    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? stdin.fileHandleForWriting.close()
    }

    var stderr: String { (try? String(contentsOfFile: logs.path("err"), encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning { kill() }
        logs.remove()
    }
}

/// A build paused in the middle: it reads its rows from stdin, which the
/// test keeps open, so it holds its output's lock, with its staging
/// directory made, until the test writes the rows or kills it.
final class PausedBuild {
    let launched: Launched
    let output: String

    init(output: String, extra: [String] = []) throws {
        self.output = output
        launched = try Launched([
            "build", "--input", "-", "--output", output, "--tokenizer", CLI.sampleTokenizer, "--strategy", "pretrain",
            "--packing", "dense", "--seq-len", "8", "--num-reduce-chunks", "2", "--quiet",
        ] + extra)
    }

    var pid: Int32 { launched.pid }
    var stderr: String { launched.stderr }

    /// `.NAME.lock` next to the output.
    var lockFile: String {
        let url = URL(fileURLWithPath: output)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).lock").path
    }

    /// The staging directory's name, as the lock's record gives it.
    var stagingName: String? {
        guard let record = try? String(contentsOfFile: lockFile, encoding: .utf8),
            record.contains("pid=\(pid)\n"),
            let line = record.split(separator: "\n").first(where: { $0.hasPrefix("staging=") })
        else { return nil }
        return String(line.dropFirst("staging=".count))
    }

    /// Waits until the build holds the lock and has made its staging
    /// directory: it is then past every check and about to read rows.
    func waitUntilStaged() throws {
        let parent = URL(fileURLWithPath: output).deletingLastPathComponent()
        try launched.wait(until: "staging") {
            guard let name = stagingName else { return false }
            return FileManager.default.fileExists(atPath: parent.appendingPathComponent(name + "/receipts").path)
        }
    }

    func finish(rows: String) -> Int32 { launched.finish(stdin: rows) }
    func kill() { launched.kill() }
}

struct CLIFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One writer per output: concurrent builds, a folder that appears
/// meanwhile, and what a killed build leaves, as users meet them.
@Suite struct HeldOutputTests {
    static let rows = (0..<40).map { "{\"content\": \"def f\($0)(x): return x + \($0)\"}" }.joined(separator: "\n") + "\n"

    static func build(_ output: String, input: String, extra: [String] = []) throws -> CLI.Result {
        try CLI.run([
            "build", "--input", input, "--output", output, "--tokenizer", CLI.sampleTokenizer, "--strategy", "pretrain",
            "--packing", "dense", "--seq-len", "8", "--num-reduce-chunks", "2", "--quiet",
        ] + extra)
    }

    /// Names in `dir` other than `except`, sorted.
    static func others(_ dir: TempDir, except: Set<String>) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !except.contains($0) }.sorted()
    }

    @Test func aSecondBuildOfOneOutputFailsAtOnceNamingTheFirst() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try dir.write("rows.jsonl", Self.rows)
        let first = try PausedBuild(output: dir.path("out"))
        try first.waitUntilStaged()
        for extra in [[], ["--overwrite"]] {
            let second = try Self.build(dir.path("out"), input: dir.path("rows.jsonl"), extra: extra)
            #expect(second.status == 1)
            #expect(
                second.stderr.hasPrefix(
                    "lmshard: error: \(dir.path("out")): in use by lmshard build (pid \(first.pid) on "),
                "\(second.stderr)")
        }
        #expect(first.finish(rows: Self.rows) == 0, "\(first.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.path("out/manifest.json")))
        #expect(try Self.others(dir, except: ["out", "rows.jsonl"]) == [])
    }

    @Test func aFolderMadeAtTheOutputMeanwhileIsNeverReplaced() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let build = try PausedBuild(output: dir.path("out"))
        try build.waitUntilStaged()
        try dir.write("out/thesis.tex", "a user's work")
        #expect(build.finish(rows: Self.rows) == 1)
        // Finalize checks the output again before the no-replace publish.
        #expect(
            build.stderr == "lmshard: error: \(dir.path("out")): directory is not empty; choose a new output directory\n",
            "\(build.stderr)")
        #expect(try String(contentsOfFile: dir.path("out/thesis.tex"), encoding: .utf8) == "a user's work")
        #expect(try Self.others(dir, except: ["out"]) == [])
    }

    /// Whether the process is stopped (state `T` in /proc/PID/stat).
    static func isStopped(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return stat[stat.index(close, offsetBy: 2)] == "T"
    }

    /// A folder that appears, or replaces the old dataset, in the instant
    /// between the last check and the publish is never replaced: the build
    /// is stopped right before its rename (`LMSHARD_TEST_STOP_AT`), the
    /// folder made, and the build let go.
    @Test func aFolderMadeJustBeforeThePublishIsNeverReplaced() throws {
        for overwrite in [false, true] {
            let dir = try TempDir()
            defer { dir.remove() }
            try dir.write("rows.jsonl", Self.rows)
            if overwrite {
                #expect(try Self.build(dir.path("out"), input: dir.path("rows.jsonl")).status == 0)
            }
            let build = try Launched(
                [
                    "build", "--input", dir.path("rows.jsonl"), "--output", dir.path("out"), "--tokenizer",
                    CLI.sampleTokenizer, "--strategy", "pretrain", "--packing", "dense", "--seq-len", "8",
                    "--num-reduce-chunks", "2", "--quiet",
                ] + (overwrite ? ["--overwrite"] : []),
                environment: ["LMSHARD_TEST_STOP_AT": "publish.recorded"])
            try build.wait(until: "the publish") { Self.isStopped(build.pid) }
            if overwrite { try FileManager.default.removeItem(atPath: dir.path("out")) }
            try dir.write("out/thesis.tex", "a user's work")
            kill(build.pid, SIGCONT)
            #expect(build.finish() == 1)
            let expected = overwrite ? "is not an lmshard dataset; refusing to replace it" : "something appeared here while the build ran; nothing was replaced"
            #expect(build.stderr == "lmshard: error: \(dir.path("out")): \(expected)\n", "\(build.stderr)")
            #expect(try String(contentsOfFile: dir.path("out/thesis.tex"), encoding: .utf8) == "a user's work")
            #expect(try Self.others(dir, except: ["out", "rows.jsonl"]) == [])
        }
    }

    /// A distributed build's finalize and a local build of one output take
    /// the same lock: whichever holds it, the other fails at once naming it,
    /// and the output ends up one complete dataset.
    @Test func aLocalBuildAndADistributedFinalizeNeverOverlap() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try dir.write("rows.jsonl", Self.rows)
        let flags = "--tokenizer '\(CLI.sampleTokenizer)' --strategy pretrain --packing dense --seq-len 8 --num-reduce-chunks 2"
        let planned = try Distributed.shell(
            """
            "$L" build --stage plan --input rows.jsonl --output out \(flags) --plan-out plan.json
            "$L" build --stage map --plan plan.json --split 000000 --quiet | LC_ALL=C sort > mapped.tsv
            "$L" build --stage reduce --plan plan.json --quiet < mapped.tsv > receipts.jsonl
            """, cwd: dir.path)
        #expect(planned.status == 0, "\(planned.stderr)")
        // The finalize stopped just before its publish holds the lock.
        let finalize = try Launched(
            ["build", "--stage", "finalize", "--plan", dir.path("plan.json"), "--receipts", dir.path("receipts.jsonl")],
            environment: ["LMSHARD_TEST_STOP_AT": "publish.recorded"])
        try finalize.wait(until: "the publish") { Self.isStopped(finalize.pid) }
        let local = try Self.build(dir.path("out"), input: dir.path("rows.jsonl"))
        #expect(local.status == 1)
        #expect(
            local.stderr.hasPrefix("lmshard: error: \(dir.path("out")): in use by lmshard finalize (pid \(finalize.pid) on "),
            "\(local.stderr)")
        kill(finalize.pid, SIGCONT)
        #expect(finalize.finish() == 0, "\(finalize.stderr)")
        let published = try Self.files(dir.path("out"))
        // Now a local build holds it: a finalize (of a new plan) fails at once.
        let paused = try PausedBuild(output: dir.path("out"), extra: ["--overwrite"])
        try paused.waitUntilStaged()
        let again = try Distributed.shell(
            "\"$L\" build --stage plan --input rows.jsonl --output out \(flags) --overwrite --plan-out plan2.json",
            cwd: dir.path)
        #expect(again.status == 1)
        #expect(again.stderr.contains("in use by lmshard build (pid \(paused.pid) on "), "\(again.stderr)")
        #expect(paused.finish(rows: Self.rows) == 0, "\(paused.stderr)")
        // Same rows, same settings: the local dataset is the distributed one.
        #expect(try Self.files(dir.path("out")) == published)
        #expect(try Self.others(dir, except: ["out", "rows.jsonl", "plan.json", "mapped.tsv", "receipts.jsonl"]) == [])
    }

    /// Every file of a directory with its bytes.
    static func files(_ path: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: path) {
            out[name] = FileManager.default.contents(atPath: path + "/" + name)
        }
        return out
    }

    @Test func whatAKilledBuildLeftIsRemovedByTheNext() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try dir.write("rows.jsonl", Self.rows)
        let killed = try PausedBuild(output: dir.path("out"))
        try killed.waitUntilStaged()
        let staging = try #require(killed.stagingName)
        killed.kill()
        let pid = killed.pid
        #expect(try Self.others(dir, except: ["rows.jsonl"]) == [".out.lock", staging].sorted())
        // Rows from stdin make a plan no rerun can resume: the next build
        // (of the same rows from a file) removes it.
        let next = try Self.build(dir.path("out"), input: dir.path("rows.jsonl"))
        #expect(next.status == 0, "\(next.stderr)")
        #expect(
            next.stderr.hasPrefix("lmshard: note: removed \(staging), left by lmshard build (pid \(pid) on "),
            "\(next.stderr)")
        #expect(try Self.others(dir, except: ["rows.jsonl"]) == ["out"])
    }

    @Test func anOutputPathThatCannotHoldADatasetIsRefusedFirst() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try dir.write("rows.jsonl", Self.rows)
        let root = try Self.build("/", input: dir.path("rows.jsonl"))
        #expect(root.status == 1)
        #expect(root.stderr == "lmshard: error: /: cannot write to: names no file or directory of its own; give a new path\n")
        let underFile = try Self.build(dir.path("rows.jsonl/out"), input: dir.path("rows.jsonl"))
        #expect(underFile.status == 1)
        #expect(
            underFile.stderr
                == "lmshard: error: \(dir.path("rows.jsonl/out")): cannot create: \(dir.path("rows.jsonl")) is not a directory\n")
        let empty = try Self.build("", input: dir.path("rows.jsonl"))
        #expect(empty.status == 64 && empty.stderr.contains("--output needs a path"), "\(empty.stderr)")
        #expect(try Self.others(dir, except: ["rows.jsonl"]) == [])
    }

    @Test func theOutputIsNeverReadAsInput() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try dir.write("corpus/rows.jsonl", Self.rows)
        let first = try Self.build(dir.path("corpus/out"), input: dir.path("corpus"))
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr == "")
        let reference = try FileManager.default.contentsOfDirectory(atPath: dir.path("corpus/out")).sorted().map {
            FileManager.default.contents(atPath: dir.path("corpus/out/" + $0))
        }
        // Rebuilt over itself: the old dataset's files are skipped, not read
        // as documents (which --skip-bad-rows used to hide).
        let again = try Self.build(dir.path("corpus/out"), input: dir.path("corpus"), extra: ["--overwrite", "--skip-bad-rows"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr == "lmshard: note: skipping \(dir.path("corpus/out")): it is the build's output directory\n")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: dir.path("corpus/out")).sorted().map {
                FileManager.default.contents(atPath: dir.path("corpus/out/" + $0))
            } == reference)
        // Named directly: refused.
        for input in ["corpus/out", "corpus/out/shard-00000.bin", "corpus/../corpus/out", "corpus/.out.lock"] {
            if input.hasSuffix(".lock") { try dir.write(input, "") }
            let named = try Self.build(dir.path("corpus/out"), input: dir.path(input), extra: ["--overwrite"])
            #expect(named.status == 1)
            #expect(
                named.stderr == "lmshard: error: \(dir.path(input)): is the build's output \(dir.path("corpus/out")) "
                    + "(or inside it, or its staging or lock); an output is never read as input\n", "\(named.stderr)")
        }
    }
}
