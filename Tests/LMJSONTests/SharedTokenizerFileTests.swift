import Foundation
import Testing

@testable import LMJSON

/// The shared test data folder, from the environment variable LMSHARD_SHARED.
let sharedFolder = ProcessInfo.processInfo.environment["LMSHARD_SHARED"]

/// Real `tokenizer.json` files: the inputs the tokenizer loads at start-up.
/// Skipped (with the reason in the trait) when LMSHARD_SHARED is unset.
@Suite(.enabled(if: sharedFolder != nil, "set LMSHARD_SHARED to the shared data folder to run these"))
struct SharedTokenizerFileTests {
    func load(_ name: String) throws -> (bytes: [UInt8], value: JSONValue) {
        let path = "\(sharedFolder ?? "")/tokenizers/\(name)/tokenizer.json"
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        return (bytes, try JSONParser.parse(bytes))
    }

    func model(_ v: JSONValue) throws -> JSONObject {
        guard case .object(let top) = v, case .object(let model)? = top["model"] else {
            throw JSONDecodeError(kind: .typeMismatch, path: "model", message: "expected an object")
        }
        return model
    }

    // Expected counts were read with Python's json module:
    // len(d["model"]["vocab"]), len(d["model"]["merges"]).
    @Test(arguments: [("gpt2", 50257, 50000), ("starcoder2", 49152, 48872), ("mellum-layout", 32768, 32485)])
    func vocabularyAndMerges(name: String, vocab: Int, merges: Int) throws {
        let (bytes, value) = try load(name)
        let m = try model(value)
        guard case .object(let v)? = m["vocab"], case .array(let mg)? = m["merges"] else {
            Issue.record("model.vocab / model.merges missing")
            return
        }
        #expect(v.count == vocab)
        #expect(mg.count == merges)
        // Python: the first merge of all three is ["Ġ", ...] as a 2-element list.
        #expect(mg.first.map { if case .array(let pair) = $0 { pair.first == .string("Ġ") } else { false } } == true)
        #expect(bytes.count > 1_000_000)
    }

    /// Serializing and parsing again gives the same tree (one file only:
    /// comparing 100k-node trees is slow in debug builds).
    @Test func roundTripOfARealFile() throws {
        let (bytes, value) = try load("mellum-layout")
        let compact = value.serializedBytes()
        #expect(try JSONParser.parse(compact) == value)
        // The source is pretty-printed, so the compact form is shorter.
        #expect(compact.count < bytes.count)
    }

    @Test func gpt2SpotValues() throws {
        let m = try model(try load("gpt2").value)
        guard case .object(let v)? = m["vocab"] else {
            Issue.record("no vocab")
            return
        }
        // Python: list(vocab.items())[:3] == [('!', 0), ('"', 1), ('#', 2)]; last is <|endoftext|> = 50256.
        #expect(v.entries[0].key == "!" && v.entries[0].value == .int(0))
        #expect(v.entries[1].key == "\"" && v.entries[1].value == .int(1))
        #expect(v.entries.last?.key == "<|endoftext|>" && v.entries.last?.value == .int(50256))
    }
}
