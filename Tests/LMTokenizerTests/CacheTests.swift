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
                t.bpe?.mergeWord($0, scratch: scratch, into: &out)
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
    /// path, StarCoder2's Digits + ByteLevel included.
    @Test(.enabled(if: CoreSharedTokenizerTests.shared != nil, "set LMSHARD_SHARED to the shared test-data folder"))
    func directSplitIsFoundWhereItApplies() throws {
        let root = try #require(CoreSharedTokenizerTests.shared)
        for (name, direct) in [("gpt2", true), ("llama3", true), ("qwen2", true), ("mellum-layout", true), ("starcoder2", true)] {
            let tok = try Tokenizer(contentsOf: URL(fileURLWithPath: root + "/tokenizers/" + name))
            #expect((tok.directSplit != nil) == direct, "\(name)")
        }
    }

    /// A key built from whole-word loads equals one built from a copy (the
    /// path for pieces near the end of the text), at every length and
    /// every alignment, whatever bytes follow the piece.
    @Test func cacheKeyLoadsEqualCopies() {
        let text = (0..<80).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        text.withUnsafeBufferPointer { t in
            for start in 0..<16 {
                for length in 1...BPEScratch.cacheKeyBytes {
                    let loaded = CacheKey(t, start, start + length)
                    // The same bytes as a buffer of their own: no room to load past them.
                    let alone = Array(t[start..<(start + length)])
                    let copied = alone.withUnsafeBufferPointer { CacheKey($0, 0, length) }
                    #expect(loaded?.w0 == copied?.w0 && loaded?.w1 == copied?.w1 && loaded?.w2 == copied?.w2)
                    #expect(loaded?.hash == copied?.hash && loaded?.length == length)
                }
            }
            #expect(CacheKey(t, 3, 3) == nil)
            #expect(CacheKey(t, 0, BPEScratch.cacheKeyBytes + 1) == nil)
        }
    }

    /// Packed slots (ids and rank in one word) answer as the two-word
    /// layout does, later duplicates included.
    @Test func packedPairTableAgreesWithWideOne() {
        var rng = SystemRandomNumberGenerator()
        let merges = (0..<3000).map { _ in (UInt32.random(in: 0..<500, using: &rng), UInt32.random(in: 0..<500, using: &rng)) }
        var packed = PairTable(capacity: merges.count + 1, maxId: 999)
        var wide = PairTable(capacity: merges.count + 1, maxId: 1 << 26)
        for (rank, (a, b)) in merges.enumerated() {
            packed.insert(a, b, rank: UInt32(rank), merged: 500 + UInt32(rank % 500))
            wide.insert(a, b, rank: UInt32(rank), merged: 500 + UInt32(rank % 500))
        }
        #expect(packed.count == wide.count)
        for a in UInt32(0)..<520 {
            for b in UInt32(0)..<60 { #expect(packed.get(a, b) == wide.get(a, b)) }
        }
        #expect(packed.get(1 << 20, 0) == UInt64.max)
    }

    /// ByteLevel with a prefix space changes the pieces, so it is not direct.
    @Test func prefixSpaceKeepsTheGeneralPath() throws {
        let pre = #"{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true}"#
        let t = try CoreBPETests.tokenizer(vocab: ["a": 0, "Ġ": 1, "Ġa": 2], merges: #"["Ġ a"]"#, preTokenizer: pre)
        #expect(t.directSplit == nil)
        #expect(t.encode("a a") == [2, 2])
    }
}
