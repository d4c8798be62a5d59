import LMJSON
import Testing

@testable import LMTokenizer

// Expected ids come from Python `tokenizers` 0.23.3: a WordLevel model with
// a=5, b=6 behind Whitespace, `encode("a b")` and `encode("a b", "b")`.
struct ExtraPostProcessorTests {
    func make(_ json: JSONValue) throws -> any PostProcessor {
        try makeComponent(json, path: "post_processor", kind: "post-processor", factories: postProcessorFactories)
    }

    static func special(_ name: String) -> JSONValue {
        ExtraJSON.object(["SpecialToken": ExtraJSON.object(["id": .string(name), "type_id": .int(0)])])
    }

    static func sequence(_ name: String, typeID: Int64 = 0) -> JSONValue {
        ExtraJSON.object(["Sequence": ExtraJSON.object(["id": .string(name), "type_id": .int(typeID)])])
    }

    static func token(_ name: String, _ id: Int64) -> JSONValue {
        ExtraJSON.object(["id": .string(name), "ids": .array([.int(id)]), "tokens": .array([.string(name)])])
    }

    /// `<s> $A </s>` / `<s> $A </s> </s> $B:1 </s>:1`, as Python serializes it.
    static let template = ExtraJSON.object([
        "type": .string("TemplateProcessing"),
        "single": .array([special("<s>"), sequence("A"), special("</s>")]),
        "pair": .array([special("<s>"), sequence("A"), special("</s>"), special("</s>"), sequence("B", typeID: 1), special("</s>")]),
        "special_tokens": ExtraJSON.object(["<s>": token("<s>", 1), "</s>": token("</s>", 2)]),
    ])

    @Test func templateSingleAndPair() throws {
        let processor = try make(Self.template)
        #expect(processor.process([5, 6], pair: nil) == [1, 5, 6, 2])
        #expect(processor.process([5, 6], pair: [6]) == [1, 5, 6, 2, 2, 6, 2])
        #expect(processor.process([], pair: nil) == [1, 2])
    }

    @Test func bertAndRoberta() throws {
        let bert = try make(ExtraJSON.object([
            "type": .string("BertProcessing"),
            "sep": .array([.string("[SEP]"), .int(102)]), "cls": .array([.string("[CLS]"), .int(101)]),
        ]))
        #expect(bert.process([5, 6], pair: nil) == [101, 5, 6, 102])
        #expect(bert.process([5, 6], pair: [6]) == [101, 5, 6, 102, 6, 102])
        let roberta = try make(ExtraJSON.object([
            "type": .string("RobertaProcessing"),
            "sep": .array([.string("</s>"), .int(2)]), "cls": .array([.string("<s>"), .int(0)]),
            "trim_offsets": .bool(true), "add_prefix_space": .bool(true),
        ]))
        #expect(roberta.process([5, 6], pair: nil) == [0, 5, 6, 2])
        #expect(roberta.process([5, 6], pair: [6]) == [0, 5, 6, 2, 2, 6, 2])
    }

    @Test func sequenceKeepsThePairUntilTheTemplate() throws {
        // Llama 3's layout: [ByteLevel, Template("<|begin|> $A", "<|begin|> $A <|begin|> $B")].
        let begin = ExtraJSON.object([
            "type": .string("TemplateProcessing"),
            "single": .array([Self.special("<|begin|>"), Self.sequence("A")]),
            "pair": .array([Self.special("<|begin|>"), Self.sequence("A"), Self.special("<|begin|>"), Self.sequence("B")]),
            "special_tokens": ExtraJSON.object(["<|begin|>": Self.token("<|begin|>", 128000)]),
        ])
        let chain = try make(ExtraJSON.object([
            "type": .string("Sequence"),
            "processors": .array([
                ExtraJSON.object(["type": .string("ByteLevel"), "add_prefix_space": .bool(true), "trim_offsets": .bool(true)]),
                begin,
            ]),
        ]))
        #expect(chain.process([5, 6], pair: nil) == [128000, 5, 6])
        #expect(chain.process([5, 6], pair: [6]) == [128000, 5, 6, 128000, 6])
        // ByteLevel alone leaves ids alone and concatenates a pair.
        let byteLevel = try make(ExtraJSON.object(["type": .string("ByteLevel")]))
        #expect(byteLevel.process([5, 6], pair: [6]) == [5, 6, 6])
    }

    @Test func badTemplatesNameTheirField() throws {
        var broken = Self.template
        if case var .object(o) = broken {
            o["single"] = .array([Self.special("<unk>")])
            broken = .object(o)
        }
        #expect(throws: TokenizerError.invalidField(
            path: "post_processor.single[0].SpecialToken.id", reason: "special token <unk> is not in special_tokens")) {
            _ = try make(broken)
        }
        #expect(throws: TokenizerError.invalidField(path: "post_processor.cls[1]", reason: "expected a token id (a non-negative integer)")) {
            _ = try make(ExtraJSON.object([
                "type": .string("BertProcessing"),
                "sep": .array([.string("[SEP]"), .int(102)]), "cls": .array([.string("[CLS]"), .int(-1)]),
            ]))
        }
    }
}
