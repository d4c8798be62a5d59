import Foundation
import Testing
@testable import LMTokenizer

/// The per-thread word cache and the direct scanner path must never change
/// ids: a cached answer equals a fresh merge, across both cache tiers,
/// slot collisions and repeated words.
struct CoreCacheTests {
    /// Pseudo-random words over "abc" of every length from 1 to 200, so
    /// short (<= 24 bytes), long (25-128) and uncached (> 128) pieces all
    /// occur, each encoded several times in a shuffled order.
    @Test func cachedIdsEqualFreshMerges() throws {
        let t = try CoreBPETests.tokenizer(vocab: CoreBPETests.abc, merges: #"["a b", "b c", "ab c"]"#)
        var rng = SystemRandomNumberGenerator()
        var words: [String] = []
        for length in 1...200 {
            for _ in 0..<3 {
                words.append(String((0..<length).map { _ in "abc".randomElement(using: &rng)! }))
            }
        }
        // Enough distinct short words to evict each other in the cache.
        let letters = ["a", "b", "c"]
        for k in 0..<5000 {
            words.append(String(k, radix: 3).map { letters[Int(String($0))!] }.joined())
        }
        let scratch = BPEScratch()
        let expected = words.map { w -> [UInt32] in
            var out: [UInt32] = []
            w.utf8.withContiguousStorageIfAvailable {
                t.model.mergeWord($0, scratch: scratch, into: &out)
            }
            return out
        }
        for _ in 0..<3 {
            for i in words.indices.shuffled(using: &rng) {
                #expect(t.encode(words[i]) == expected[i], "\(words[i])")
            }
        }
    }

    /// Shared tokenizers whose pre-tokenizer is one scanner take the direct
    /// path; a Digits stage (StarCoder2) keeps the general one.
    @Test(.enabled(if: CoreSharedTokenizerTests.shared != nil, "set LMSHARD_SHARED to the shared test-data folder"))
    func directSplitIsFoundWhereItApplies() throws {
        let root = try #require(CoreSharedTokenizerTests.shared)
        for (name, direct) in [("gpt2", true), ("llama3", true), ("qwen2", true), ("mellum-layout", true), ("starcoder2", false)] {
            let tok = try Tokenizer(contentsOf: URL(fileURLWithPath: root + "/tokenizers/" + name))
            #expect((tok.directSplit != nil) == direct, "\(name)")
        }
    }

    /// ByteLevel with a prefix space changes the pieces, so it is not direct.
    @Test func prefixSpaceKeepsTheGeneralPath() throws {
        let pre = #"{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true}"#
        let t = try CoreBPETests.tokenizer(vocab: ["a": 0, "Ġ": 1, "Ġa": 2], merges: #"["Ġ a"]"#, preTokenizer: pre)
        #expect(t.directSplit == nil)
        #expect(t.encode("a a") == [2, 2])
    }
}
