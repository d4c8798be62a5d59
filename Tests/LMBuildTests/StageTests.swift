import Foundation
import LMJSON
import LMPrep
import LMShard
import TestSupport
import Testing
@testable import LMBuild

/// The pieces the distributed build is made of: byte-range splits, the
/// row locator, receipts and the plan file.
@Suite struct SplitReadingTests {
    /// Ranges that tile a file yield each row exactly once, with the offset
    /// it has in the file, wherever the cuts fall (inside a row, on a
    /// newline, on a CRLF, on a blank line); a range starting mid-file does
    /// not know line numbers.
    @Test func rangesThatTileAFileYieldEachRowOnceWhereverTheCutsFall() throws {
        let s = try TempDir()
        defer { s.remove() }
        let text = "{\"x\":1}\n\n  \r\n{\"x\":22}\r\n{\"x\":333}\n{\"x\":4444}\n\n{\"x\":5}"
        let path = try s.write("in.jsonl", text)
        let file = InputFile(path: path, format: .jsonl, byteCount: Int64(text.utf8.count))
        let whole = Array(DocumentStream(files: [file]))
        #expect(whole.map(\.offset) == [0, 13, 23, 33, 45])  // 8 + 1 + 4 bytes, then rows of 10, 10 and 11 bytes, a blank line
        #expect(whole.map(\.line) == [1, 4, 5, 6, 8])
        let size = text.utf8.count
        for a in 0...size {
            for b in a...size {
                let segments = [(0, a), (a, b), (b, size)].map { start, end in
                    DocumentSegment(fileIndex: 0, file: file, source: .range(start: start, end: end == size ? nil : end))
                }
                let pieces = Array(DocumentStream(segments: segments))
                #expect(pieces.map(\.offset) == whole.map(\.offset), "cuts at \(a), \(b)")
                #expect(pieces.map(\.bytes) == whole.map(\.bytes), "cuts at \(a), \(b)")
            }
        }
        let middle = Array(DocumentStream(segments: [DocumentSegment(fileIndex: 0, file: file, source: .range(start: 14, end: 40))]))
        #expect(middle.map(\.offset) == [23, 33])
        #expect(middle.map(\.line) == [nil, nil])
    }

    /// A row's line, when the reader did not know it, is counted from the
    /// file's start: 1 + the newlines before its offset.
    @Test func theLocatorCountsLinesFromTheFilesStart() throws {
        let s = try TempDir()
        defer { s.remove() }
        let path = try s.write("in.jsonl", "a\nbb\n\nccc\n")
        let locator = RowLocator(files: [InputFile(path: path, format: .jsonl, byteCount: 10)], names: ["in.jsonl"])
        #expect(locator.place(file: 0, line: nil, offset: 0).line == 1)
        #expect(locator.place(file: 0, line: nil, offset: 5).line == 3)
        #expect(locator.place(file: 0, line: nil, offset: 6).line == 4)
        #expect(locator.error(file: 0, line: nil, offset: 6, message: "bad").description == "in.jsonl:4: bad")
        // Rows fed on stdin cannot be counted in a file: named by offset.
        let fed = RowLocator(files: [InputFile(path: InputFile.stdinName, format: .jsonl, byteCount: nil)], names: ["x.jsonl"])
        #expect(fed.error(file: 0, line: nil, offset: 77, message: "bad").description == "x.jsonl: row at byte 77: bad")
    }

    /// A symbolic link back to a directory the walk is inside is refused,
    /// naming it, instead of being followed until the path is too long.
    @Test func aSymbolicLinkLoopInAnInputDirectoryIsRefused() throws {
        let s = try TempDir()
        defer { s.remove() }
        try s.write("corpus/sub/a.jsonl", "{\"content\": \"x\"}\n")
        try FileManager.default.createSymbolicLink(atPath: s.path("corpus/sub/up"), withDestinationPath: "..")
        #expect(throws: InputError.unreadable(s.path("corpus/sub/up"), reason: "a symbolic link loop: this is \(s.path("corpus")) again")) {
            try InputCatalog.discover([s.path("corpus")])
        }
        // A link to a directory outside the walk is followed.
        try FileManager.default.removeItem(atPath: s.path("corpus/sub/up"))
        try s.write("other/b.jsonl", "{\"content\": \"y\"}\n")
        try FileManager.default.createSymbolicLink(atPath: s.path("corpus/link"), withDestinationPath: s.path("other"))
        #expect(try InputCatalog.discover([s.path("corpus")]).map(\.path) == [s.path("corpus/link/b.jsonl"), s.path("corpus/sub/a.jsonl")])
    }

    /// The ledger gives a row to the split whose range holds its first byte.
    @Test func theLedgerCountsEachRowInTheSplitHoldingItsFirstByte() {
        let splits = [
            PlanSplit(id: "000000", file: 0, start: 0, end: 100), PlanSplit(id: "000001", file: 0, start: 100, end: nil),
            PlanSplit(id: "000002", file: 1, start: 0, end: nil),
        ]
        let ledger = MapLedger(splits: splits.map { ($0.id, $0) })
        for offset in [0, 99, 100, 150] { ledger.read(file: 0, offset: offset, bytes: 10) }
        ledger.emitted(file: 0, offset: 99, group: 3)
        ledger.emitted(file: 0, offset: 100, group: 3)
        ledger.emitted(file: 1, offset: 0, group: 0)
        let receipts = ledger.receipts(locator: RowLocator(files: [], names: []))
        #expect(receipts.map(\.documentsRead) == [2, 2, 0])
        #expect(receipts.map(\.emitted) == [[[3, 1]], [[3, 1]], [[0, 1]]])
        #expect(receipts.map(\.end) == [100, nil, nil])
    }
}

@Suite struct ReceiptTests {
    static let files = ShardFiles(
        bin: FileSummary(size: 16, xxh3: "a9fa14a07e7d8680"), idx: FileSummary(size: 82, xxh3: "dbce01693ae2f008"),
        pos: FileSummary(size: 48, xxh3: "107de1b7a65ce211"), mask: FileSummary(size: 40, xxh3: "1da942cb6ad22a85"),
        sum: FileSummary(size: 192, xxh3: "8b15e6be5c2e0066"))

    /// The receipt line is fixed byte for byte (the contract drivers and
    /// recipes read), and reads back; Hadoop's trailing TAB is ignored.
    @Test func aShardReceiptLineIsExactAndReadsBack() throws {
        var packing = PackingStats()
        packing.documentsIn = 3
        packing.tokensIn = 9
        packing.sequencesOut = 2
        packing.realTokensOut = 8
        packing.trailingTokensDropped = 1
        let receipt = ShardReceipt(
            group: 7, shard: ShardSummary(name: "shard-00007", sequences: 2, tokens: 8, files: Self.files), packing: packing)
        let line = String(decoding: try receipt.line(), as: UTF8.self)
        #expect(line == """
            {"receipt":"shard","group":7,"name":"shard-00007","sequences":2,"tokens":8,"files":{"bin":{"size":16,"xxh3":"a9fa14a07e7d8680"},"idx":{"size":82,"xxh3":"dbce01693ae2f008"},"pos":{"size":48,"xxh3":"107de1b7a65ce211"},"mask":{"size":40,"xxh3":"1da942cb6ad22a85"},"sum":{"size":192,"xxh3":"8b15e6be5c2e0066"}},"packing":{"documents_in":3,"tokens_in":9,"sequences_out":2,"real_tokens_out":8,"pad_tokens_out":0,"dropped_too_long_examples":0,"dropped_too_long_tokens":0,"trailing_tokens_dropped":1,"split_examples":0}}

            """)
        #expect(try ShardReceipt.parse(Array(line.utf8) + [9]) == receipt)
        let empty = ShardReceipt(group: 2, shard: nil, packing: PackingStats())
        let emptyLine = try empty.line()
        #expect(String(decoding: emptyLine, as: UTF8.self).hasPrefix(#"{"receipt":"shard","group":2,"name":null,"sequences":0,"tokens":0,"files":null,"#))
        #expect(try ShardReceipt.parse(emptyLine) == empty)
        #expect(throws: (any Error).self) { try ShardReceipt.parse(Array(#"{"receipt":"map","group":1}"#.utf8)) }
    }

    /// The same receipt twice counts once; two different ones for a group
    /// are named; a group outside the plan is refused.
    @Test func finalizeTakesDuplicateReceiptsOnlyWhenIdentical() throws {
        let a = ShardReceipt(group: 1, shard: nil, packing: PackingStats())
        var packing = PackingStats()
        packing.documentsIn = 1
        let b = ShardReceipt(group: 1, shard: nil, packing: packing)
        #expect(try Finalizer.unique([a, a], groups: 2, source: "r").count == 1)
        #expect(throws: BuildError.receipts(source: "r", message: "two different receipts for reduce group 1")) {
            try Finalizer.unique([a, b], groups: 2, source: "r")
        }
        #expect(throws: BuildError.self) { try Finalizer.unique([a], groups: 1, source: "r") }
        #expect(Finalizer.isTemporary(".shard-00003.p1-a0-t9.bin.tmp"))
        #expect(Finalizer.isTemporary(".map-000001.json.tmp-123-abc"))
        #expect(!Finalizer.isTemporary("shard-00003.bin"))
    }
}

@Suite struct PlanFileTests {
    /// A plan is written and read back unchanged; another version or an
    /// unknown key is refused naming the file.
    @Test func aPlanRoundTripsAndAnotherVersionIsRefused() throws {
        let s = try TempDir()
        defer { s.remove() }
        var config = JSONObject()
        config["type"] = .string("prepare_for_training")
        let plan = BuildPlan(
            planVersion: 1, planID: "00112233aabbccdd", kind: BuildPlan.buildKind, createdAt: 1.5, config: .object(config),
            tokenizer: PlanTokenizer(name: "tok", path: "/t/tokenizer.json", sha256: String(repeating: "0", count: 64),
                                     vocabSize: 100, eosID: 0, padID: nil),
            files: [PlanFile(index: 0, path: "/d/a.jsonl", name: "a.jsonl", format: "jsonl", size: 10, mtimeNs: 7)],
            splits: [PlanSplit(id: "000000", file: 0, start: 0, end: nil)], splitBytes: 8, numReduceChunks: 2,
            skipBadRows: false, overwrite: true, output: "/d/out", staging: "/d/.out.build-00112233aabbccdd")
        let path = s.path("plan.json")
        try plan.write(to: path)
        #expect(try BuildPlan.read(path) == plan)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("{\n  \"plan_version\": 1,\n  \"plan_id\": \"00112233aabbccdd\",\n  \"kind\": \"build\","))
        try s.write("v2.json", text.replacingOccurrences(of: "\"plan_version\": 1", with: "\"plan_version\": 2"))
        #expect(throws: BuildError.plan(file: s.path("v2.json"), message: "plan_version 2 is not 1; make the plan with this lmshard")) {
            try BuildPlan.read(s.path("v2.json"))
        }
        try s.write("extra.json", text.replacingOccurrences(of: "\"kind\"", with: "\"surprise\": 1, \"kind\""))
        #expect(throws: BuildError.self) { try BuildPlan.read(s.path("extra.json")) }
        // A plan never sends a stage's writes anywhere but the output's sibling named for it.
        var elsewhere = plan
        elsewhere.staging = s.path("victim")
        #expect(throws: BuildError.self) { try BuildStaging.open(plan: elsewhere) }
        #expect(BuildStaging.url(output: URL(fileURLWithPath: "/d/out"), planID: "00112233aabbccdd", distributed: true).path
                == "/d/.out.dist-00112233aabbccdd")
        try s.write("badsplit.json", text.replacingOccurrences(of: "\"file\": 0", with: "\"file\": 3"))
        #expect(throws: BuildError.plan(file: s.path("badsplit.json"), message: "split 000000 names file 3")) {
            try BuildPlan.read(s.path("badsplit.json"))
        }
    }

    /// Splits: only plain JSONL larger than the split size is cut, into
    /// consecutive ranges, the last open-ended.
    @Test func onlyLargePlainJSONLFilesAreCut() throws {
        let files = [
            PlanFile(index: 0, path: "/a.jsonl", name: "a", format: "jsonl", size: 25, mtimeNs: 0),
            PlanFile(index: 1, path: "/b.jsonl.zst", name: "b", format: "jsonl.zst", size: 25, mtimeNs: 0),
            PlanFile(index: 2, path: "/c.jsonl", name: "c", format: "jsonl", size: 10, mtimeNs: 0),
            PlanFile(index: 3, path: "/d.txt", name: "d", format: "text", size: 99, mtimeNs: 0),
        ]
        let splits = try BuildPlanner.cut(files, splitBytes: 10)
        #expect(splits.map(\.id) == ["000000", "000001", "000002", "000003", "000004", "000005"])
        #expect(splits.map(\.file) == [0, 0, 0, 1, 2, 3])
        #expect(splits.map(\.start) == [0, 10, 20, 0, 0, 0])
        #expect(splits.map(\.end) == [10, 20, nil, nil, nil, nil])
        // 1-byte splits of a 2 MB file: more than a plan should hold.
        let big = [PlanFile(index: 0, path: "/a.jsonl", name: "a", format: "jsonl", size: 2_000_000, mtimeNs: 0)]
        #expect(throws: BuildError.self) { try BuildPlanner.cut(big, splitBytes: 1) }
        #expect(try BuildPlanner.cut(big, splitBytes: 2).count == 1_000_000)
    }
}
