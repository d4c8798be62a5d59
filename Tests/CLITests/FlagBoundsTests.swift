import Foundation
import TestSupport
import Testing

/// Every numeric flag is range-checked before any work starts, with a
/// message naming the flag and its range; negative values are values (not
/// "missing"), and values beyond the range are refused instead of trapping,
/// aborting or allocating gigabytes.
@Suite struct FlagBoundsTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let arguments: [String]
        let message: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let build = ["build", "--input", "in.jsonl", "--output", "out", "--tokenizer", "tok"]
    static let cases: [Case] = [
        Case(arguments: build + ["--seq-len", "-1"], message: "--seq-len must be in 2...16777216, got -1"),
        Case(arguments: build + ["--seq-len", "1099511627776"], message: "--seq-len must be in 2...16777216, got 1099511627776"),
        Case(arguments: build + ["--memory-mb", "8796093022208"], message: "--memory-mb must be in 1...1048576, got 8796093022208"),
        Case(arguments: build + ["--memory-mb", "0"], message: "--memory-mb must be in 1...1048576, got 0"),
        Case(arguments: build + ["--workers", "100000"], message: "--workers must be in 1...1024, got 100000"),
        Case(arguments: build + ["--num-reduce-chunks", "0"], message: "--num-reduce-chunks must be in 1...65536, got 0"),
        Case(arguments: build + ["--pad-token-id", "-3"], message: "--pad-token-id must be in 0...2147483647, got -3"),
        Case(arguments: ["run", "--config", "c.json", "--stage", "map", "--workers", "0"],
             message: "--workers must be in 1...1024, got 0"),
        Case(arguments: ["run", "--config", "c.json", "--input", "a", "--output", "b", "--memory-mb", "-1"],
             message: "--memory-mb must be in 1...1048576, got -1"),
        Case(arguments: ["tokenize", "--tokenizer", "tok", "--threads", "2000"], message: "--threads must be in 1...1024, got 2000"),
        Case(arguments: ["inspect", "data", "--sample", "-2"], message: "--sample must be in 0...100000, got -2"),
        Case(arguments: ["inspect", "data", "--top", "1000000"], message: "--top must be in 0...100000, got 1000000"),
        Case(arguments: ["verify", "data", "--sample", "1.5"], message: "--sample must be in (0, 1], got 1.5"),
    ]

    @Test(arguments: cases)
    func outOfRangeFlagsAreRefusedUpFront(_ c: Case) throws {
        let r = try CLI.run(c.arguments, deadline: 60)
        #expect(r.status == 64, "exit \(r.status)")
        #expect(r.stderr.hasPrefix("lmshard: error: \(c.message)\n"), "\(r.stderr)")
        #expect(r.stderr.contains("Usage: lmshard"), "\(r.stderr)")
    }

    @Test func aPaddingIdOutsideTheVocabularyFailsBeforeTheBuild() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let input = try dir.write("in.jsonl", String(repeating: "{\"content\": \"some text to pack\"}\n", count: 50))
        let r = try CLI.run([
            "build", "--input", input, "--output", dir.path("out"), "--tokenizer", CLI.sampleTokenizer,
            "--strategy", "pretrain", "--packing", "no_incomplete", "--seq-len", "8", "--num-reduce-chunks", "2",
            "--pad-token-id", "70000", "--quiet",
        ])
        #expect(r.status == 1)
        // The sample tokenizer has 4096 ids.
        #expect(r.stderr == "lmshard: error: command line: pad_token_id: 70000 is outside the tokenizer's vocabulary "
                    + "(ids 0...4095) (set --pad-token-id or `pad_token_id` in --config)\n", "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["in.jsonl"])
    }
}
