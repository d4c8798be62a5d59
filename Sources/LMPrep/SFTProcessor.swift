import LMJSON

/// The notebook's `sft_processing`: a list of `{"role", "content"}` turns.
///
/// Each turn becomes `<role> text </role>`. User and system turns are
/// context (loss mask `false`); assistant turns, both tags included, are what
/// the model learns to write (`true`), and so is the final EOS, so the model
/// learns to stop. The notebook's example: `<user>Hi!</user>` (4 tokens,
/// masked) then `<assistant>How can I help you?</assistant>` + EOS (9 tokens,
/// in the loss).
public struct SFTProcessor: RowProcessor {
    /// The tokenizer.
    public let encoder: any TextEncoder
    /// The field holding the list of turns.
    public let conversationField: String
    private let user: (start: UInt32, end: UInt32)
    private let assistant: (start: UInt32, end: UInt32)
    /// `nil` when the tokenizer has no `<system>`/`</system>` tokens; a
    /// system turn is then an error naming the missing token.
    private let system: (start: UInt32, end: UInt32)?
    private let missingSystemToken: String?
    private let eos: UInt32

    /// - Throws: `PrepError.missingSpecialToken` naming the first of `<user>`,
    ///   `</user>`, `<assistant>`, `</assistant>` the tokenizer lacks, or
    ///   `.missingEOSToken`.
    public init(encoder: any TextEncoder, conversationField: String = "content") throws {
        self.encoder = encoder
        self.conversationField = conversationField
        let purpose = "the sft processing strategy"
        user = (
            try encoder.requireSpecialToken("<user>", for: purpose),
            try encoder.requireSpecialToken("</user>", for: purpose)
        )
        assistant = (
            try encoder.requireSpecialToken("<assistant>", for: purpose),
            try encoder.requireSpecialToken("</assistant>", for: purpose)
        )
        let systemStart = try encoder.specialTokenId("<system>")
        let systemEnd = try encoder.specialTokenId("</system>")
        if let systemStart, let systemEnd {
            system = (systemStart, systemEnd)
            missingSystemToken = nil
        } else {
            system = nil
            missingSystemToken = systemStart == nil ? "<system>" : "</system>"
        }
        eos = try encoder.requireEOS()
    }

    /// See `RowProcessor.process(_:)`.
    ///
    /// - Throws: `PrepError.malformedTurn` for a turn that is not an object or
    ///   lacks a string `role`/`content`, `.unknownRole` for a role other than
    ///   user/assistant/system, `.missingSpecialToken` for a system turn when
    ///   the tokenizer has no system tokens.
    public func process(_ row: JSONValue) throws -> TokenizedRow {
        let turns = try RowFields.array(RowFields.object(row), conversationField)
        var ids = [UInt32]()
        var mask = [Bool]()
        for (index, turn) in turns.enumerated() {
            guard case let .object(fields) = turn else {
                throw PrepError.malformedTurn(index: index, reason: "is \(turn.typeName), not an object")
            }
            let role = try Self.turnString(fields, "role", index: index)
            let content = try Self.turnString(fields, "content", index: index)
            let tags: (start: UInt32, end: UInt32)
            let inLoss: Bool
            switch role {
            case "user":
                tags = user
                inLoss = false
            case "assistant":
                tags = assistant
                inLoss = true
            case "system":
                guard let system else {
                    throw PrepError.missingSpecialToken(token: missingSystemToken ?? "<system>", purpose: "a system turn (turn \(index))")
                }
                tags = system
                inLoss = false
            default:
                throw PrepError.unknownRole(index: index, role: role)
            }
            let text = try encoder.encodeText(content)
            ids.append(tags.start)
            ids.append(contentsOf: text)
            ids.append(tags.end)
            mask.append(contentsOf: repeatElement(inLoss, count: text.count + 2))
        }
        ids.append(eos)
        mask.append(true)
        return TokenizedRow(inputIds: ids, lossMask: mask)
    }

    private static func turnString(_ fields: JSONObject, _ key: String, index: Int) throws -> String {
        guard let value = fields[key] else {
            throw PrepError.malformedTurn(index: index, reason: "has no `\(key)`")
        }
        guard case let .string(s) = value else {
            throw PrepError.malformedTurn(index: index, reason: "`\(key)` is \(value.typeName), not a string")
        }
        return s
    }
}
