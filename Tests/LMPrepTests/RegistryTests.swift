import Foundation
import LMJSON
import LMTokenizer
import MapReduce
import Testing

@testable import LMPrep

/// The shared test data folder, from `LMSHARD_SHARED`; tests that need it are
/// skipped (with that variable named) when it is unset.
let sharedFolder: URL? = ProcessInfo.processInfo.environment["LMSHARD_SHARED"].map { URL(fileURLWithPath: $0) }
let mellumLayout = sharedFolder?.appendingPathComponent("tokenizers/mellum-layout/tokenizer.json")

func configValue(_ json: String) throws -> JSONValue {
    try JSONParser.parse(Array(json.utf8))
}

@Suite struct RegistryTests {
    static let notebookConfig = """
        {"type": "prepare_for_training", "processing_strategy": "pretrain", "packing_strategy": "dense",
         "tokenizer_name": "JetBrains/Mellum-4b-base", "seq_len": 8, "num_reduce_chunks": 2}
        """

    /// A registry whose loader ignores the name and returns the fake Mellum encoder.
    static func fakeRegistry(stats: PackingStatsAccumulator? = nil) -> TransformRegistry {
        var registry = TransformRegistry.standard
        registry.registerPrepareForTraining(stats: stats) { _ in FakeEncoder.mellum }
        return registry
    }

    @Test func notebookTestThroughInMemoryRunner() throws {
        // The notebook's PrepareForTraining test, run as the CLI runs it:
        // registry -> type-erased transform -> InMemoryRunner over JSON rows.
        let stats = PackingStatsAccumulator()
        let transform = try Self.fakeRegistry(stats: stats).makeTransform(config: configValue(Self.notebookConfig))
        let rows = PrepareForTrainingTests.examples
        let out = try InMemoryRunner().run(jsonTransform: transform, rows: rows).map { try TokenizedRow(json: $0) }
        #expect(out.count == 2)
        #expect(out[0].inputIds == [10626, 38, 8098, 27, 0, 653, 17984, 609])
        #expect(out[1].inputIds == [59, 247, 110, 95, 109, 110, 987, 0])
        #expect(out[0].positionIds == [0, 1, 2, 3, 4, 0, 1, 2])
        #expect(out[1].positionIds == [0, 1, 2, 3, 4, 5, 6, 7])
        #expect(stats.total.sequencesOut == 2)
    }

    @Test func configErrorsNameTheField() throws {
        let registry = Self.fakeRegistry()
        let bad = Self.notebookConfig.replacingOccurrences(of: "\"seq_len\": 8", with: "\"seq_len\": 1")
        #expect(throws: ConfigError(transform: "prepare_for_training", field: "seq_len", message: "must be at least 2, got 1")) {
            try registry.makeTransform(config: configValue(bad))
        }
        let typo = Self.notebookConfig.replacingOccurrences(of: "\"seq_len\"", with: "\"seq_lenn\"")
        #expect(throws: ConfigError(transform: "prepare_for_training", field: "seq_lenn", message: "unknown key")) {
            try registry.makeTransform(config: configValue(typo))
        }
        // A tokenizer without chat tokens is rejected when the transform is built.
        var noChat = TransformRegistry()
        noChat.registerPrepareForTraining { _ in FakeEncoder.mellum.without("<user>") }
        let sft = Self.notebookConfig.replacingOccurrences(of: "\"pretrain\"", with: "\"sft\"")
        do {
            _ = try noChat.makeTransform(config: configValue(sft))
            Issue.record("accepted a tokenizer without <user>")
        } catch let error as ConfigError {
            #expect(error.field == "tokenizer_name")
            #expect(error.message.contains("<user>"))
        }
    }

    @Test func configThroughJSONValueDecoder() throws {
        let c = try PrepareForTrainingConfig(json: configValue(Self.notebookConfig))
        #expect(c.seqLen == 8 && c.numReduceChunks == 2 && c.processingStrategy == .pretrain)
        #expect(throws: PrepError.invalidConfig(field: "fim_kwargs.fim_format", reason: "must be one of spm, psm; got \"x\"")) {
            try PrepareForTrainingConfig(
                json: configValue(Self.notebookConfig.replacingOccurrences(of: "}", with: ", \"fim_kwargs\": {\"fim_format\": \"x\"}}")))
        }
    }

    @Test(.enabled(if: mellumLayout != nil, "set LMSHARD_SHARED to the shared test data folder to run this test"))
    func mellumLayoutTokenizerConforms() throws {
        // The mellum-layout tokenizer has Mellum's special tokens at Mellum's ids.
        let tokenizer = try Tokenizer(contentsOf: #require(mellumLayout))
        #expect(tokenizer.eosTokenId == 0)
        #expect(try tokenizer.specialTokenId("<fim_prefix>") == 1)
        #expect(try tokenizer.specialTokenId("<fim_middle>") == 2)
        #expect(try tokenizer.specialTokenId("<fim_suffix>") == 3)
        #expect(try tokenizer.specialTokenId("<system>") == 19)
        #expect(try tokenizer.specialTokenId("</assistant>") == 24)
        // A plain word of several tokens is not a special token.
        #expect(try tokenizer.specialTokenId("<not_a_token>") == nil)

        let fim = try FIMProcessor(encoder: tokenizer, options: FIMOptions(format: .psm, onlyMiddleNotMasked: true))
        let r = try fim.process(row(["prefix": "import numpy as", "middle": " np", "suffix": "\nimport os"]))
        let prefix = tokenizer.encode("import numpy as")
        let suffix = tokenizer.encode("\nimport os")
        let middle = tokenizer.encode(" np")
        #expect(r.inputIds == [1] + prefix + [3] + suffix + [2] + middle + [0])
        #expect(r.lossMask.filter { $0 }.count == middle.count + 1)
    }

    @Test(.enabled(if: mellumLayout != nil, "set LMSHARD_SHARED to the shared test data folder to run this test"))
    func registryLoadsTokenizerFromPath() throws {
        let path = try #require(mellumLayout).path
        let config = Self.notebookConfig.replacingOccurrences(of: "JetBrains/Mellum-4b-base", with: path)
        let transform = try TransformRegistry.withPreparation.makeTransform(config: configValue(config))
        let out = try InMemoryRunner().run(jsonTransform: transform, rows: PrepareForTrainingTests.examples)
        // Every output row has 8 tokens; dense packing never emits a short one.
        #expect(!out.isEmpty)
        for value in out {
            let r = try TokenizedRow(json: value)
            #expect(r.count == 8)
            #expect(r.positionIds.first == 0)
        }
    }
}
