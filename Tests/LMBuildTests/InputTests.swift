import Foundation
import TestSupport
import LMJSON
import Testing

@testable import LMBuild

extension TempDir {
    /// Compresses `path` with a system tool (`zstd` or `gzip`) into `path + ext`;
    /// nil when the tool is not installed.
    func compress(_ path: String, tool: String, ext: String) throws -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "command -v \(tool) >/dev/null && \(tool) -c -q '\(path)' > '\(path)\(ext)'"]
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus == 0 ? path + ext : nil
    }
}

@Suite struct InputCatalogTests {
    @Test func formatsFollowTheFileName() {
        #expect(InputCatalog.format(of: "a.jsonl") == .jsonl)
        #expect(InputCatalog.format(of: "a.NDJSON") == .jsonl)
        #expect(InputCatalog.format(of: "a.jsonl.zst") == .jsonlZstd)
        #expect(InputCatalog.format(of: "a.jsonl.gz") == .jsonlGzip)
        #expect(InputCatalog.format(of: "a.py") == .text)
        #expect(InputCatalog.format(of: "jsonl") == .text)
    }

    @Test func directoriesWalkInByteOrderSkippingHiddenEntries() throws {
        let s = try TempDir()
        defer { s.remove() }
        for name in ["b.py", "a/z.txt", "a/B.txt", ".git/x", "c.jsonl", "a/.hidden"] { try s.write("d/" + name, [0x41]) }
        let files = try InputCatalog.discover([s.path("d"), "-"])
        let rel = files.map { $0.isStdin ? "-" : String($0.path.dropFirst(s.path("d").count + 1)) }
        #expect(rel == ["a/B.txt", "a/z.txt", "b.py", "c.jsonl", "-"])
        #expect(files.map(\.format) == [.text, .text, .text, .jsonl, .jsonl])
        #expect(throws: InputError.notFound(s.path("missing"))) { try InputCatalog.discover([s.path("missing")]) }
        try FileManager.default.createDirectory(atPath: s.path("empty"), withIntermediateDirectories: true)
        #expect(throws: InputError.empty) { try InputCatalog.discover([s.path("empty")]) }
    }
}

@Suite struct DocumentStreamTests {
    func documents(_ paths: [String]) throws -> ([RawDocument], DocumentStream) {
        let stream = DocumentStream(files: try InputCatalog.discover(paths))
        return (Array(stream), stream)
    }

    @Test func readsLinesSkippingBlanksAndWholeTextFiles() throws {
        let s = try TempDir()
        defer { s.remove() }
        let a = try s.write("a.jsonl", Array("{\"x\":1}\n\n  \r\n{\"x\":2}\r\n{\"x\":3}".utf8))
        let t = try s.write("t.txt", Array("line 1\nline 2\n".utf8))
        let (docs, stream) = try documents([a, t])
        #expect(stream.failure == nil)
        #expect(docs.map(\.line) == [1, 4, 5, 1])
        #expect(docs.map(\.file) == [0, 0, 0, 1])
        #expect(docs[1].bytes == Array("{\"x\":2}".utf8))
        #expect(docs[3].kind == .textFile && docs[3].bytes == Array("line 1\nline 2\n".utf8))
    }

    @Test func compressedInputsReadLikePlainOnes() throws {
        let s = try TempDir()
        defer { s.remove() }
        var text = ""
        for i in 0..<5000 { text += "{\"content\": \"row \(i)\"}\n" }
        let plain = try s.write("in.jsonl", Array(text.utf8))
        let (expected, _) = try documents([plain])
        #expect(expected.count == 5000)
        for (tool, ext) in [("zstd", ".zst"), ("gzip", ".gz")] {
            guard let compressed = try s.compress(plain, tool: tool, ext: ext) else { continue }
            let (docs, stream) = try documents([compressed])
            #expect(stream.failure == nil, "\(tool)")
            #expect(docs.map(\.bytes) == expected.map(\.bytes), "\(tool)")
            // Cut the file short: the stream ends with a failure naming it.
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: compressed)))
            let cut = try s.write("cut.jsonl" + ext, Array(bytes.prefix(bytes.count / 2)))
            let (_, cutStream) = try documents([cut])
            #expect(cutStream.failure.map { "\($0)".contains("cut.jsonl\(ext)") } == true, "\(tool)")
        }
    }

    @Test func parsedDocumentsLocateBadUTF8AndBadJSON() {
        let text = ParsedDocument(
            RawDocument(file: 0, line: 1, kind: .textFile, bytes: Array("ok\nbad ".utf8) + [0xE2, 0x28]),
            textField: "content")
        #expect(text.line == 2)
        guard case let .bad(message) = text.content else { Issue.record("accepted invalid UTF-8"); return }
        #expect(message == "invalid UTF-8 at byte 7 of the file")

        let json = ParsedDocument(RawDocument(file: 0, line: 9, kind: .jsonLine, bytes: Array("{\"a\": }".utf8)), textField: "t")
        guard case let .bad(m) = json.content else { Issue.record("accepted bad JSON"); return }
        #expect(json.line == 9 && m.hasPrefix("invalid JSON at column 7"), "\(m)")

        let good = ParsedDocument(RawDocument(file: 0, line: 1, kind: .textFile, bytes: Array("héllo".utf8)), textField: "body")
        guard case let .row(value) = good.content else { Issue.record("rejected good text"); return }
        #expect(value == .object(JSONObject([(key: "body", value: .string("héllo"))])))
    }
}

@Suite struct ConfigTests {
    @Test func yamlScalarsTypeLikeJSON() throws {
        let s = try TempDir()
        defer { s.remove() }
        let y = try s.write(
            "c.yaml", Array("seq_len: 8\nname: '8'\nflag: true\nnothing: ~\nratio: 0.5\nfim_kwargs:\n  fim_format: spm\n".utf8))
        let j = try s.write(
            "c.json",
            Array(#"{"seq_len": 8, "name": "8", "flag": true, "nothing": null, "ratio": 0.5, "fim_kwargs": {"fim_format": "spm"}}"#.utf8))
        #expect(try ConfigFile.load(y) == ConfigFile.load(j))
        let bad = try s.write("bad.yaml", Array("a: [1, 2\n".utf8))
        #expect(throws: ConfigFile.LoadError.self) { try ConfigFile.load(bad) }
    }

    @Test func flagsOverrideTheConfigFileFieldByField() throws {
        let s = try TempDir()
        defer { s.remove() }
        let c = try s.write("c.json", Array(#"""
            {"processing_strategy": "fim", "packing_strategy": "dense", "tokenizer_name": "t", "seq_len": 64,
             "num_reduce_chunks": 4, "fim_kwargs": {"fim_format": "spm", "only_middle_not_masked": true}}
            """#.utf8))
        var overrides = JSONObject()
        overrides["seq_len"] = .int(16)
        overrides["fim_kwargs"] = .object(JSONObject([(key: "fim_format", value: .string("psm"))]))
        let builder = Builder(request: BuildRequest(inputs: [], output: s.path("o"), configFile: c, overrides: overrides))
        let (config, json) = try builder.resolveConfig()
        #expect(config.seqLen == 16)
        #expect(config.numReduceChunks == 4)
        #expect(config.fimOptions.format.rawValue == "psm")
        #expect(config.fimOptions.onlyMiddleNotMasked)
        guard case let .object(o) = json else { Issue.record("not an object"); return }
        #expect(o.keys.first == "type")

        let wrongType = try s.write("w.json", Array(#"{"type": "change_case"}"#.utf8))
        #expect(throws: BuildError.self) {
            try Builder(request: BuildRequest(inputs: [], output: "o", configFile: wrongType)).resolveConfig()
        }
    }
}

@Suite struct RejectLogTests {
    @Test func keepsTheEarliestRowsInInputOrderNotPathOrder() {
        // Input order is z.jsonl, then a.jsonl; workers report rows out of order.
        let log = RejectLog(keep: 3)
        for line in stride(from: 30, through: 1, by: -1) {
            log.add(.init(file: "a.jsonl", line: line, reason: "bad", fileIndex: 1))
            log.add(.init(file: "z.jsonl", line: line + 10, reason: "bad", fileIndex: 0))
        }
        let (count, first) = log.snapshot
        #expect(count == 60)
        #expect(first.map(\.description) == ["z.jsonl:11: bad", "z.jsonl:12: bad", "z.jsonl:13: bad"])
    }
}
