import Foundation
import LMJSON
import MapReduce
import Testing

@testable import LMPrep

/// A group's values from an array, for driving `reduce` by hand.
struct ArrayValueStream<Element>: ValueStream {
    var items: [Element]
    var index = 0
    init(_ items: [Element]) { self.items = items }
    mutating func next() throws -> Element? {
        guard index < items.count else { return nil }
        defer { index += 1 }
        return items[index]
    }
}

/// The notebook's `MapReduceTransformBase.run`, written out: map every row,
/// stable-sort the pairs by key, reduce each group in key order.
func notebookRun(_ t: PrepareForTrainingTransform, _ rows: [JSONValue]) throws -> [TokenizedRow] {
    var pairs: [(ReduceChunkKey, TokenizedRow)] = []
    for r in rows { try t.map(r) { pairs.append(($0, $1)) } }
    let keys = Set(pairs.map(\.0)).sorted()
    var out: [TokenizedRow] = []
    for k in keys {
        var stream = ArrayValueStream(pairs.filter { $0.0 == k }.map(\.1))
        try t.reduce(key: k, values: &stream) { out.append($0) }
    }
    return out
}

func decodeConfig(_ json: String) throws -> PrepareForTrainingConfig {
    try JSONDecoder().decode(PrepareForTrainingConfig.self, from: Data(json.utf8))
}

@Suite struct PrepareForTrainingTests {
    static let configJSON = """
        {"type": "prepare_for_training", "processing_strategy": "pretrain", "packing_strategy": "dense",
         "tokenizer_name": "JetBrains/Mellum-4b-base", "seq_len": 8, "num_reduce_chunks": 2}
        """
    static let examples = ["Hello, World!", "A test string", "import numpy as np", "import pandas as pd"].map {
        row(["content": $0])
    }

    @Test func notebookAssert() throws {
        // Groups (array_hash % 2): 0 = "Hello, World!" (5 tokens), "import pandas as pd" (5);
        // 1 = "A test string" (8), "import numpy as np" (5). Dense packing by 8
        // keeps the first 8 tokens of each group and drops the rest.
        let stats = PackingStatsAccumulator()
        let t = try PrepareForTrainingTransform(config: decodeConfig(Self.configJSON), encoder: FakeEncoder.mellum, stats: stats)
        let result = try notebookRun(t, Self.examples)
        #expect(result.count == 2)
        #expect(result[0].inputIds == [10626, 38, 8098, 27, 0, 653, 17984, 609])
        #expect(result[1].inputIds == [59, 247, 110, 95, 109, 110, 987, 0])
        #expect(result[0].positionIds == [0, 1, 2, 3, 4, 0, 1, 2])
        #expect(result[1].positionIds == [0, 1, 2, 3, 4, 5, 6, 7])
        let total = stats.total
        #expect(total.documentsIn == 4 && total.tokensIn == 23 && total.sequencesOut == 2)
        #expect(total.trailingTokensDropped == 7 && total.splitExamples == 1)
        // 16 of 23 tokens kept: 69.56...% rounds to 69.6%.
        #expect(
            total.summary
                == "4 examples (23 tokens) -> 2 sequences: 16 real + 0 pad tokens (fill 100.0%, kept 69.6%); "
                + "dropped: 7 trailing tokens, 0 too-long examples (0 tokens); 1 example split")
    }

    @Test func noIncompletePadsWithEOSByDefault() throws {
        // Same groups; group 0's two 5-token examples cannot share 8 slots.
        var config = try decodeConfig(Self.configJSON)
        config.packingStrategy = .noIncomplete
        let t = try PrepareForTrainingTransform(config: config, encoder: FakeEncoder.mellum)
        #expect(t.padTokenId == 0)
        let result = try notebookRun(t, Self.examples)
        #expect(result.map(\.inputIds) == [
            [10626, 38, 8098, 27, 0, 0, 0, 0],
            [653, 17984, 609, 8559, 0, 0, 0, 0],
            [59, 247, 110, 95, 109, 110, 987, 0],
            [653, 9440, 609, 8559, 0, 0, 0, 0],
        ])
        #expect(result[0].lossMask == [true, true, true, true, true, false, false, false])
        config.padTokenId = 7
        #expect(try PrepareForTrainingTransform(config: config, encoder: FakeEncoder.mellum).padTokenId == 7)
    }

    @Test func mapKeysByHash() throws {
        let t = try PrepareForTrainingTransform(config: decodeConfig(Self.configJSON), encoder: FakeEncoder.mellum)
        var keys: [Int] = []
        for r in Self.examples { try t.map(r) { k, _ in keys.append(k.index) } }
        #expect(keys == [0, 1, 1, 0])
        #expect(throws: PrepError.missingField(field: "content")) { try t.map(row(["text": "x"])) { _, _ in } }
    }

    @Test func configRoundTripsAndDefaults() throws {
        let c = try decodeConfig(Self.configJSON)
        #expect(c.processingStrategy == .pretrain && c.packingStrategy == .dense)
        #expect(c.seqLen == 8 && c.numReduceChunks == 2 && c.padTokenId == nil)
        #expect(c.fimOptions == FIMOptions(format: .spm, onlyMiddleNotMasked: false))
        let again = try JSONDecoder().decode(PrepareForTrainingConfig.self, from: JSONEncoder().encode(c))
        #expect(again == c)

        let fim = try decodeConfig(
            """
            {"processing_strategy": "fim", "packing_strategy": "no_incomplete", "tokenizer_name": "t",
             "seq_len": 16, "num_reduce_chunks": 1, "pad_token_id": 5, "content_field": "text",
             "fim_kwargs": {"fim_format": "psm", "only_middle_not_masked": true}}
            """)
        #expect(fim.strategy == .fim(FIMOptions(format: .psm, onlyMiddleNotMasked: true)))
        #expect(fim.padTokenId == 5 && fim.fields.content == "text")
        #expect(try JSONDecoder().decode(PrepareForTrainingConfig.self, from: JSONEncoder().encode(fim)) == fim)
        // null pad_token_id means "use EOS", as `int | None = None`.
        #expect(try decodeConfig(Self.configJSON.replacingOccurrences(of: "}", with: ", \"pad_token_id\": null}")).padTokenId == nil)
    }

    @Test(arguments: [
        (#""seq_len": 8"#, #""seq_len": 1"#, "seq_len"),
        (#""seq_len": 8"#, #""seq_len": "8""#, "seq_len"),
        (#""seq_len": 8, "#, "", "seq_len"),
        (#""num_reduce_chunks": 2"#, #""num_reduce_chunks": 0"#, "num_reduce_chunks"),
        (#""pretrain""#, #""pretraining""#, "processing_strategy"),
        (#""dense""#, #""sparse""#, "packing_strategy"),
        (#""prepare_for_training""#, #""count_chars""#, "type"),
        (#""seq_len": 8"#, #""seq_len": 8, "seqlen": 8"#, "seqlen"),
        (#""seq_len": 8"#, #""seq_len": 8, "pad_token_id": -1"#, "pad_token_id"),
        (#""seq_len": 8"#, #""seq_len": 8, "fim_kwargs": {"fim_format": "pms"}"#, "fim_kwargs.fim_format"),
        (#""seq_len": 8"#, #""seq_len": 8, "fim_kwargs": {"format": "psm"}"#, "fim_kwargs.format"),
        (#""seq_len": 8"#, #""seq_len": 8, "fim_kwargs": {"only_middle_not_masked": 1}"#, "fim_kwargs.only_middle_not_masked"),
        (#""JetBrains/Mellum-4b-base""#, #""""#, "tokenizer_name"),
    ])
    func badConfigNamesTheField(replace: String, with: String, field: String) {
        let json = Self.configJSON.replacingOccurrences(of: replace, with: with)
        #expect(json != Self.configJSON)
        do {
            _ = try decodeConfig(json)
            Issue.record("accepted \(json)")
        } catch let PrepError.invalidConfig(f, _) {
            #expect(f == field)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func tokenizerWithoutTokensIsRejected() throws {
        var config = try decodeConfig(Self.configJSON)
        config.processingStrategy = .sft
        #expect(throws: PrepError.missingSpecialToken(token: "<assistant>", purpose: "the sft processing strategy")) {
            try PrepareForTrainingTransform(config: config, encoder: FakeEncoder.mellum.without("<assistant>"))
        }
    }

    @Test func jsonRowRoundTrip() throws {
        let r = TokenizedRow(inputIds: [5, 0], positionIds: [3, 0], lossMask: [false, true])
        let json = r.jsonValue
        guard case let .object(o) = json else {
            Issue.record("not an object")
            return
        }
        #expect(o.keys == ["input_ids", "position_ids", "loss_mask"])
        #expect(o["loss_mask"] == .array([.bool(false), .bool(true)]))
        #expect(try TokenizedRow(json: json) == r)
        var bad = o
        bad["input_ids"] = .array([.int(5), .int(-1)])
        #expect(throws: PrepError.self) { try TokenizedRow(json: .object(bad)) }
        bad = o
        bad["loss_mask"] = .array([.bool(true)])
        #expect(throws: PrepError.self) { try TokenizedRow(json: .object(bad)) }
    }

    @Test func reduceChunkKeyText() throws {
        #expect(ReduceChunkKey(42).sortableText == "0000000000000000042")
        #expect(try ReduceChunkKey(sortableText: "0000000000000000042") == ReduceChunkKey(42))
        #expect(ReduceChunkKey(9).sortableText < ReduceChunkKey(10).sortableText)
        #expect(throws: ByteCodingError.self) { try ReduceChunkKey(sortableText: "-1") }
        var w = ByteWriter()
        ReduceChunkKey(300).encode(to: &w)
        var r = ByteReader(w.bytes)
        #expect(try ReduceChunkKey.decode(from: &r) == ReduceChunkKey(300))
    }
}
