import Foundation
import TestSupport
import Testing

/// The catalogue of bad inputs `lmshard build` must refuse: each gives a
/// non-zero exit, a message naming the file (and line where there is one),
/// and leaves neither the output directory nor any partial files behind.
@Suite struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        /// Files to create (relative path -> bytes).
        let files: [String: [UInt8]]
        /// Arguments after `build --output OUT`; `$D/` is the test folder.
        let arguments: [String]
        /// A fragment the error must contain.
        let message: String
        var stdin: [UInt8]? = nil
        var testDescription: String { name }
    }

    static let common = ["--strategy", "pretrain", "--packing", "dense", "--seq-len", "4", "--num-reduce-chunks", "2"]
    static let good = Array("{\"content\": \"a perfectly fine document\"}\n".utf8)

    /// A good first row for each strategy, so the bad one is line 2.
    static func firstRow(_ strategy: [String]) -> [UInt8] {
        switch strategy[1] {
        case "sft": return Array("{\"content\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": \"yo\"}]}\n".utf8)
        case "fim": return Array("{\"prefix\": \"a\", \"middle\": \"b\", \"suffix\": \"c\"}\n".utf8)
        default: return good
        }
    }

    static func jsonl(_ name: String, _ second: String, message: String, strategy: [String] = common) -> Case {
        Case(name: name, files: ["in.jsonl": firstRow(strategy) + Array((second + "\n").utf8)],
             arguments: ["--input", "$D/in.jsonl", "--tokenizer", "$TOK"] + strategy, message: message)
    }

    static let sft = ["--strategy", "sft", "--packing", "dense", "--seq-len", "4", "--num-reduce-chunks", "2"]
    static let fim = ["--strategy", "fim", "--packing", "dense", "--seq-len", "4", "--num-reduce-chunks", "2"]

    static let cases: [Case] = [
        jsonl("malformed JSON", "{\"content\": oops}", message: "in.jsonl:2: invalid JSON at column 13"),
        jsonl("truncated JSON", "{\"content\": \"abc", message: "in.jsonl:2: invalid JSON"),
        jsonl("missing field", "{\"text\": \"x\"}", message: "in.jsonl:2: input row has no field `content`"),
        jsonl("mistyped field", "{\"content\": 42}", message: "in.jsonl:2: field `content` must be a string, found a number"),
        jsonl("row not an object", "[1, 2]", message: "in.jsonl:2: input row is not a JSON object"),
        Case(name: "invalid UTF-8 in JSONL", files: ["in.jsonl": good + Array("{\"content\": \"a".utf8) + [0xFF] + Array("\"}\n".utf8)],
             arguments: ["--input", "$D/in.jsonl", "--tokenizer", "$TOK"] + common, message: "in.jsonl:2: invalid JSON"),
        Case(name: "invalid UTF-8 in a text file", files: ["doc.txt": Array("line one\nline ".utf8) + [0xC3, 0x28]],
             arguments: ["--input", "$D/doc.txt", "--tokenizer", "$TOK"] + common, message: "doc.txt:2: invalid UTF-8"),
        jsonl("SFT unknown role", "{\"content\": [{\"role\": \"bot\", \"content\": \"x\"}]}",
              message: "in.jsonl:2: conversation turn 0: role `bot`", strategy: sft),
        jsonl("SFT turn without content", "{\"content\": [{\"role\": \"user\"}]}",
              message: "in.jsonl:2: conversation turn 0", strategy: sft),
        jsonl("SFT turns not a list", "{\"content\": \"just text\"}",
              message: "in.jsonl:2: field `content` must be an array", strategy: sft),
        jsonl("FIM row without middle", "{\"prefix\": \"a\", \"suffix\": \"b\"}",
              message: "in.jsonl:2: input row has no field `middle`", strategy: fim),
        Case(name: "missing input", files: [:], arguments: ["--input", "$D/nope.jsonl", "--tokenizer", "$TOK"] + common,
             message: "nope.jsonl: no such file or directory"),
        Case(name: "empty input directory", files: ["empty/.keep": []],
             arguments: ["--input", "$D/empty", "--tokenizer", "$TOK"] + common, message: "no input files found"),
        Case(name: "missing tokenizer", files: ["in.jsonl": good],
             arguments: ["--input", "$D/in.jsonl", "--tokenizer", "$D/none/tokenizer.json"] + common,
             message: "cannot load tokenizer"),
        Case(name: "malformed tokenizer", files: ["in.jsonl": good, "tok/tokenizer.json": Array("{\"model\": ".utf8)],
             arguments: ["--input", "$D/in.jsonl", "--tokenizer", "$D/tok"] + common, message: "cannot load tokenizer"),
        Case(name: "config with an unknown key", files: ["in.jsonl": good, "c.yaml": Array("seq_len: 4\nnum_reduce_chunk: 2\n".utf8)],
             arguments: ["--input", "$D/in.jsonl", "--tokenizer", "$TOK", "--config", "$D/c.yaml", "--strategy", "pretrain",
                         "--packing", "dense"], message: "c.yaml: num_reduce_chunk"),
        Case(name: "config value of the wrong type", files: ["in.jsonl": good, "c.json": Array("{\"seq_len\": \"eight\"}".utf8)],
             arguments: ["--input", "$D/in.jsonl", "--tokenizer", "$TOK", "--config", "$D/c.json", "--strategy", "pretrain",
                         "--packing", "dense", "--num-reduce-chunks", "1"], message: "c.json: seq_len"),
        Case(name: "config that is not JSON", files: ["in.jsonl": good, "c.json": Array("{seq_len: 4".utf8)],
             arguments: ["--input", "$D/in.jsonl", "--tokenizer", "$TOK", "--config", "$D/c.json"] + common,
             message: "c.json: invalid JSON"),
        Case(name: "truncated zstd input", files: ["in.jsonl.zst": [0x28, 0xB5, 0x2F, 0xFD, 0x24, 0x40, 0x01, 0x00]],
             arguments: ["--input", "$D/in.jsonl.zst", "--tokenizer", "$TOK"] + common, message: "in.jsonl.zst: at compressed byte"),
        Case(name: "corrupt gzip input", files: ["in.jsonl.gz": [0x1F, 0x8B, 0x08, 0x00, 0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x03, 0xFF, 0xFF]],
             arguments: ["--input", "$D/in.jsonl.gz", "--tokenizer", "$TOK"] + common, message: "in.jsonl.gz: at compressed byte"),
        Case(name: "unknown strategy", files: ["in.jsonl": good],
             arguments: ["--input", "$D/in.jsonl", "--tokenizer", "$TOK", "--strategy", "pretrane", "--packing", "dense",
                         "--seq-len", "4", "--num-reduce-chunks", "1"], message: "processing_strategy"),
        Case(name: "sequence length below 2", files: ["in.jsonl": good],
             arguments: ["--input", "$D/in.jsonl", "--tokenizer", "$TOK", "--strategy", "pretrain", "--packing", "dense",
                         "--seq-len", "1", "--num-reduce-chunks", "1"], message: "lmshard: error: --seq-len must be in 2...16777216, got 1"),
        Case(name: "missing required setting", files: ["in.jsonl": good],
             arguments: ["--input", "$D/in.jsonl", "--tokenizer", "$TOK", "--strategy", "pretrain", "--packing", "dense",
                         "--seq-len", "4"], message: "--num-reduce-chunks"),
        Case(name: "text file with the SFT strategy", files: ["doc.txt": Array("hello".utf8)],
             arguments: ["--input", "$D/doc.txt", "--tokenizer", "$TOK"] + sft, message: "doc.txt: a plain text file"),
        Case(name: "bad row on stdin", files: [:], arguments: ["--input", "-", "--tokenizer", "$TOK"] + common,
             message: "<stdin>:2: invalid JSON", stdin: good + Array("nope\n".utf8)),
    ]

    @Test(arguments: cases)
    func refusedCleanly(_ c: Case) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        for (name, bytes) in c.files { try dir.write(name, Data(bytes)) }
        let before = Set(try FileManager.default.contentsOfDirectory(atPath: dir.url.path))
        let args = c.arguments.map {
            $0.replacingOccurrences(of: "$D/", with: dir.url.path + "/").replacingOccurrences(of: "$TOK", with: CLI.sampleTokenizer)
        }
        let r = try CLI.run(["build", "--output", dir.path("out"), "--quiet"] + args, stdin: c.stdin.map { Data($0) })
        #expect(r.status != 0, "\(c.name): exit 0")
        #expect(r.stderr.contains(c.message), "\(c.name): \(r.stderr)")
        #expect(!r.stderr.contains("Fatal error"), "\(c.name): crashed")
        // Nothing left behind: no output, no hidden staging folder.
        let after = Set(try FileManager.default.contentsOfDirectory(atPath: dir.url.path))
        #expect(after == before, "\(c.name): left \(after.subtracting(before))")
    }
}
