import Foundation
import TestSupport
import Testing

/// Output that cannot be written is an error, never a silent success; a
/// FIFO (or device) named where a file is expected fails at once instead
/// of blocking the command forever.
@Suite struct LostOutputAndSpecialFileTests {
    /// A small dataset built from sample/code, in `dir/data`.
    static func dataset(_ dir: TempDir) throws -> String {
        let r = try CLI.run([
            "build", "--input", CLI.repoRoot.appendingPathComponent("sample/code").path, "--output", dir.path("data"),
            "--tokenizer", CLI.sampleTokenizer, "--strategy", "pretrain", "--packing", "dense", "--seq-len", "64",
            "--num-reduce-chunks", "2", "--quiet",
        ])
        try #require(r.status == 0, "\(r.stderr)")
        return dir.path("data")
    }

    @Test func everyWritingCommandFailsOnAFullDisk() throws {
        try #require(FileManager.default.isWritableFile(atPath: "/dev/full"), "no /dev/full on this system")
        let dir = try TempDir()
        defer { dir.remove() }
        let data = try Self.dataset(dir)
        try dir.write("cfg.json", "{\"type\": \"count_chars\", \"column\": \"content\"}")
        let rows = Data("{\"content\": \"ab\"}\n{\"content\": \"b\"}\n".utf8)
        let commands: [(args: [String], stdin: Data?)] = [
            (["tokenize", "--tokenizer", CLI.sampleTokenizer], Data("{\"text\": \"hello\"}\n".utf8)),
            (["tokenize", "--tokenizer", CLI.sampleTokenizer, "--threads", "2"], Data("{\"text\": \"hello\"}\n".utf8)),
            (["export", data], nil),
            (["verify", data], nil),
            (["inspect", data], nil),
            (["inspect", data, "--json"], nil),
            (["run", "--config", dir.path("cfg.json"), "--stage", "map", "--input", "-", "--seq-base", "0"], rows),
        ]
        for c in commands {
            let r = try CLI.run(c.args, stdin: c.stdin, stdoutFile: "/dev/full", deadline: 120)
            let name = c.args.prefix(2).joined(separator: " ")
            #expect(r.status == 1, "\(name): exit \(r.status)")
            #expect(r.stderr == "lmshard: error: <stdout>: cannot write: No space left on device\n", "\(name): \(r.stderr)")
        }
    }

    @Test func aClosedPipeIsReportedNotASilentSignal() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let data = try Self.dataset(dir)
        // `lmshard export DATA | head -c 1`, with the reader gone early.
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["export", data]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        _ = out.fileHandleForReading.readData(ofLength: 1)
        try out.fileHandleForReading.close()
        process.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationReason == .exit && process.terminationStatus == 1)
        #expect(stderr == "lmshard: error: <stdout>: cannot write: Broken pipe\n", "\(stderr)")
    }

    @Test func aFIFOWhereAFileIsExpectedFailsFast() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let data = try Self.dataset(dir)
        func fifo(_ name: String) throws -> String {
            let path = dir.path(name)
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try #require(mkfifo(path, 0o600) == 0)
            return path
        }
        // A dataset whose manifest is a FIFO, and one whose first .bin is.
        let fifoManifest = try fifo("m/manifest.json")
        try FileManager.default.copyItem(atPath: data, toPath: dir.path("b"))
        try FileManager.default.removeItem(atPath: dir.path("b/shard-00000.bin"))
        let fifoBin = try fifo("b/shard-00000.bin")
        let input = try fifo("in.jsonl")
        let tokenizer = try fifo("tok/tokenizer.json")
        let config = try fifo("c.yaml")
        let build = ["build", "--output", dir.path("out"), "--strategy", "pretrain", "--packing", "dense",
                     "--seq-len", "8", "--num-reduce-chunks", "1", "--quiet"]
        let sample = try dir.write("rows.jsonl", "{\"content\": \"text\"}\n")
        let notRegular = "not a regular file (a FIFO)"
        // (command, what its output must say). A FIFO as a shard file is
        // caught by its size (0) before it is opened, or reported as damage.
        let cases: [(args: [String], says: String)] = [
            (["verify", dir.path("m")], "\(fifoManifest): cannot open: \(notRegular)"),
            (["inspect", dir.path("m")], "\(fifoManifest): cannot open: \(notRegular)"),
            (["export", dir.path("m")], "\(fifoManifest): cannot open: \(notRegular)"),
            (["verify", dir.path("b")], "damaged: shard-00000.bin: \(fifoBin): cannot open: \(notRegular)"),
            (["export", dir.path("b")], "\(fifoBin): size 0 bytes"),
            (build + ["--input", input, "--tokenizer", CLI.sampleTokenizer], "\(input): \(notRegular)"),
            (build + ["--input", sample, "--tokenizer", dir.path("tok")], "\(tokenizer): cannot open: \(notRegular)"),
            (build + ["--input", sample, "--tokenizer", CLI.sampleTokenizer, "--config", config],
             "\(config): cannot open: \(notRegular)"),
            (["tokenize", "--tokenizer", tokenizer], "\(tokenizer): cannot open: \(notRegular)"),
            (["run", "--config", config, "--stage", "map", "--input", "-", "--seq-base", "0"], "\(config): cannot open: \(notRegular)"),
        ]
        for c in cases {
            let r = try CLI.run(c.args, stdin: Data(), deadline: 60)
            let name = c.args.prefix(2).joined(separator: " ")
            #expect(!r.timedOut, "\(name): blocked on the FIFO")
            #expect(r.status == 1, "\(name): exit \(r.status)")
            #expect((r.stdout + r.stderr).contains(c.says), "\(name): \(r.stdout) \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path("out")))
    }
}
