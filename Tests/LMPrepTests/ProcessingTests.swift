import LMJSON
import Testing

@testable import LMPrep

/// Builds a JSON object row from string fields, in the given order.
func row(_ fields: KeyValuePairs<String, String>) -> JSONValue {
    .object(JSONObject(fields.map { ($0.key, JSONValue.string($0.value)) }))
}

/// A conversation row: `content` is a list of `{"role", "content"}` turns.
func conversation(_ turns: [(String, String)]) -> JSONValue {
    let list = turns.map { role, text in
        JSONValue.object(JSONObject([("role", .string(role)), ("content", .string(text))]))
    }
    return .object(JSONObject([("content", .array(list))]))
}

@Suite struct PretrainTests {
    @Test func notebookAssert() throws {
        // "A sample text" -> 59 5875 1378, then EOS (0); loss everywhere.
        let p = try PretrainProcessor(encoder: FakeEncoder.mellum)
        let r = try p.process(row(["content": "A sample text"]))
        #expect(r.inputIds == [59, 5875, 1378, 0])
        #expect(r.lossMask == [true, true, true, true])
        #expect(r.positionIds == [0, 1, 2, 3])
    }

    @Test func emptyTextIsJustEOS() throws {
        let r = try PretrainProcessor(encoder: FakeEncoder.mellum).process(row(["content": ""]))
        #expect(r.inputIds == [0])
        #expect(r.positionIds == [0])
        #expect(r.lossMask == [true])
    }

    @Test func renamedField() throws {
        let p = try PretrainProcessor(encoder: FakeEncoder.mellum, contentField: "text")
        #expect(try p.process(row(["text": "np"])).inputIds == [3057, 0])
        #expect(throws: PrepError.missingField(field: "text")) { try p.process(row(["content": "np"])) }
    }

    @Test func badRows() throws {
        let p = try PretrainProcessor(encoder: FakeEncoder.mellum)
        #expect(throws: PrepError.missingField(field: "content")) { try p.process(row(["prefix": "x"])) }
        #expect(throws: PrepError.wrongFieldType(field: "content", expected: "a string", found: "a number")) {
            try p.process(.object(JSONObject([("content", .int(3))])))
        }
        #expect(throws: PrepError.rowNotObject(found: "an array")) { try p.process(.array([])) }
    }

    @Test func noEOSIsRejected() {
        var e = FakeEncoder.mellum
        e.eosTokenId = nil
        #expect(throws: PrepError.missingEOSToken) { try PretrainProcessor(encoder: e) }
    }
}

@Suite struct FIMTests {
    static let example = row(["prefix": "import numpy as", "middle": "np", "suffix": "\nimport pandas as pd"])

    @Test func psm() throws {
        // <fim_prefix>=1, prefix, <fim_suffix>=3, suffix, <fim_middle>=2, middle, EOS.
        let p = try FIMProcessor(encoder: FakeEncoder.mellum, options: FIMOptions(format: .psm))
        let r = try p.process(Self.example)
        #expect(r.inputIds == [1, 653, 9440, 609, 3, 225, 653, 17984, 609, 8559, 2, 3057, 0])
        #expect(r.lossMask == [Bool](repeating: true, count: 13))
        #expect(r.positionIds == Array(0..<13))
    }

    @Test func spm() throws {
        // <fim_suffix>=3, suffix, <fim_prefix>=1, prefix, <fim_middle>=2, middle, EOS.
        let p = try FIMProcessor(encoder: FakeEncoder.mellum, options: FIMOptions(format: .spm))
        let r = try p.process(Self.example)
        #expect(r.inputIds == [3, 225, 653, 17984, 609, 8559, 1, 653, 9440, 609, 2, 3057, 0])
        #expect(r.lossMask == [Bool](repeating: true, count: 13))
        #expect(r.positionIds == Array(0..<13))
    }

    @Test func defaultsAreSPMUnmasked() throws {
        // Notebook signature: only_middle_not_masked=False, fim_format="spm".
        let options = FIMOptions()
        #expect(options.format == .spm)
        #expect(options.onlyMiddleNotMasked == false)
        let r = try FIMProcessor(encoder: FakeEncoder.mellum).process(Self.example)
        #expect(r.inputIds.first == 3)
    }

    @Test func spmOnlyMiddle() throws {
        // 11 context tokens (including <fim_middle>) masked; middle `np` and EOS in the loss.
        let p = try FIMProcessor(encoder: FakeEncoder.mellum, options: FIMOptions(format: .spm, onlyMiddleNotMasked: true))
        let r = try p.process(Self.example)
        #expect(r.inputIds == [3, 225, 653, 17984, 609, 8559, 1, 653, 9440, 609, 2, 3057, 0])
        #expect(r.lossMask == [Bool](repeating: false, count: 11) + [true, true])
        #expect(r.positionIds == Array(0..<13))
    }

    @Test func psmOnlyMiddle() throws {
        let p = try FIMProcessor(encoder: FakeEncoder.mellum, options: FIMOptions(format: .psm, onlyMiddleNotMasked: true))
        let r = try p.process(Self.example)
        #expect(r.lossMask == [Bool](repeating: false, count: 11) + [true, true])
        // An empty middle leaves only EOS in the loss.
        let empty = try p.process(row(["prefix": "np", "middle": "", "suffix": "np"]))
        #expect(empty.inputIds == [1, 3057, 3, 3057, 2, 0])
        #expect(empty.lossMask == [false, false, false, false, false, true])
    }

    @Test func missingTokensAreNamed() {
        for token in ["<fim_prefix>", "<fim_suffix>", "<fim_middle>"] {
            #expect(throws: PrepError.missingSpecialToken(token: token, purpose: "the fim processing strategy")) {
                try FIMProcessor(encoder: FakeEncoder.mellum.without(token))
            }
        }
    }

    @Test func missingFieldIsNamed() throws {
        let p = try FIMProcessor(encoder: FakeEncoder.mellum)
        #expect(throws: PrepError.missingField(field: "middle")) {
            try p.process(row(["prefix": "np", "suffix": "np"]))
        }
        let renamed = try FIMProcessor(
            encoder: FakeEncoder.mellum, fields: InputFields(prefix: "pre", middle: "mid", suffix: "suf"))
        #expect(try renamed.process(row(["pre": "np", "mid": "np", "suf": "np"])).count == 7)
    }
}

@Suite struct SFTTests {
    @Test func notebookAssert() throws {
        // <user>=21 "Hi!" </user>=22 masked (4); <assistant>=23 ... </assistant>=24 EOS in the loss (9).
        let p = try SFTProcessor(encoder: FakeEncoder.mellum)
        let r = try p.process(conversation([("user", "Hi!"), ("assistant", "How can I help you?")]))
        #expect(r.inputIds == [21, 4479, 27, 22, 23, 7166, 867, 391, 2739, 691, 57, 24, 0])
        #expect(r.lossMask == [Bool](repeating: false, count: 4) + [Bool](repeating: true, count: 9))
        #expect(r.positionIds == Array(0..<13))
    }

    @Test func systemTurnIsMasked() throws {
        let p = try SFTProcessor(encoder: FakeEncoder.mellum)
        let r = try p.process(conversation([("system", "Be brief."), ("user", "Hi!"), ("assistant", "np")]))
        #expect(r.inputIds == [19, 5001, 5002, 20, 21, 4479, 27, 22, 23, 3057, 24, 0])
        #expect(r.lossMask == [Bool](repeating: false, count: 8) + [true, true, true, true])
    }

    @Test func systemTurnWithoutSystemTokens() throws {
        // Without system tokens, user/assistant chats still work; a system turn names the missing token.
        let p = try SFTProcessor(encoder: FakeEncoder.mellum.without("</system>"))
        #expect(try p.process(conversation([("user", "Hi!")])).count == 5)
        #expect(throws: PrepError.missingSpecialToken(token: "</system>", purpose: "a system turn (turn 1)")) {
            try p.process(conversation([("user", "Hi!"), ("system", "Be brief.")]))
        }
    }

    @Test func missingChatTokens() {
        for token in ["<user>", "</user>", "<assistant>", "</assistant>"] {
            #expect(throws: PrepError.missingSpecialToken(token: token, purpose: "the sft processing strategy")) {
                try SFTProcessor(encoder: FakeEncoder.mellum.without(token))
            }
        }
    }

    @Test func malformedTurns() throws {
        let p = try SFTProcessor(encoder: FakeEncoder.mellum)
        #expect(throws: PrepError.unknownRole(index: 1, role: "tool")) {
            try p.process(conversation([("user", "Hi!"), ("tool", "np")]))
        }
        let notObject = JSONValue.object(JSONObject([("content", .array([.string("Hi!")]))]))
        #expect(throws: PrepError.malformedTurn(index: 0, reason: "is a string, not an object")) {
            try p.process(notObject)
        }
        let noRole = JSONValue.object(JSONObject([("content", .array([.object(JSONObject([("content", .string("Hi!"))]))]))]))
        #expect(throws: PrepError.malformedTurn(index: 0, reason: "has no `role`")) { try p.process(noRole) }
        let numericContent = JSONValue.object(
            JSONObject([("content", .array([.object(JSONObject([("role", .string("user")), ("content", .int(1))]))]))]))
        #expect(throws: PrepError.malformedTurn(index: 0, reason: "`content` is a number, not a string")) {
            try p.process(numericContent)
        }
        #expect(throws: PrepError.wrongFieldType(field: "content", expected: "an array", found: "a string")) {
            try p.process(row(["content": "Hi!"]))
        }
    }

    @Test func strategyFactory() throws {
        let processor = try ProcessingStrategy.sft.makeProcessor(encoder: FakeEncoder.mellum)
        #expect(try processor.process(conversation([("assistant", "np")])).inputIds == [23, 3057, 24, 0])
        #expect(ProcessingStrategy.fim(FIMOptions()).name == "fim")
    }
}
