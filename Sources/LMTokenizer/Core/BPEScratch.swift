/// Reusable raw buffers for merging one word, one per thread.
///
/// Swift arrays cost a bounds check and a uniqueness check per write; moving
/// the symbol arrays to raw memory took GPT-2 on Python source from ~12 to
/// ~19 MB/s. They are grown to the longest word seen and kept.
/// Only `BPEModel+Merge.swift` touches the pointers. Stored `var`s of a
/// class pay a dynamic exclusivity check per access, hence
/// `@exclusivity(unchecked)`: a scratch is only ever used by the one
/// thread that holds it.
final class BPEScratch {
    @exclusivity(unchecked) private(set) var capacity = 0
    /// Symbol ids; a merge keeps the left node and unlinks the right one.
    @exclusivity(unchecked) private(set) var ids: UnsafeMutablePointer<UInt32>
    /// Successor / predecessor node indexes (count = none / -1 = none).
    @exclusivity(unchecked) private(set) var next: UnsafeMutablePointer<Int32>
    @exclusivity(unchecked) private(set) var prev: UnsafeMutablePointer<Int32>
    /// `pairs[i]`: PairTable value (rank << 32 | merged id) for node i and
    /// its successor; `UInt64.max` when they do not merge or i is dead.
    @exclusivity(unchecked) private(set) var pairs: UnsafeMutablePointer<UInt64>
    /// Min-heap storage of (rank << 32 | node) for long words.
    @exclusivity(unchecked) var heap: [UInt64] = []
    /// Bytes of one character with prefix / suffix (rare models only).
    @exclusivity(unchecked) var key: [UInt8] = []

    /// A direct-mapped cache of word -> ids, HF-style but bounded and per
    /// thread so it needs no lock. Python source repeats the same
    /// punctuation runs ("):", "()", "='") that miss the vocabulary and
    /// would otherwise be merged every time: GPT-2 on 8 MB of Python source
    /// went from ~29 to ~35 MB/s (one core, CPU time) with it.
    static let cacheSlots = 4096
    static let cacheKeyBytes = 24
    static let cacheMaxIds = 8
    /// Per slot: key length (0 = empty), id count, key bytes, ids.
    let cacheKeyLength: UnsafeMutablePointer<UInt8>
    let cacheIdCount: UnsafeMutablePointer<UInt8>
    let cacheKeys: UnsafeMutablePointer<UInt8>
    let cacheIds: UnsafeMutablePointer<UInt32>

    init() {
        cacheKeyLength = .allocate(capacity: BPEScratch.cacheSlots)
        cacheKeyLength.initialize(repeating: 0, count: BPEScratch.cacheSlots)
        cacheIdCount = .allocate(capacity: BPEScratch.cacheSlots)
        cacheIdCount.initialize(repeating: 0, count: BPEScratch.cacheSlots)
        cacheKeys = .allocate(capacity: BPEScratch.cacheSlots * BPEScratch.cacheKeyBytes)
        cacheIds = .allocate(capacity: BPEScratch.cacheSlots * BPEScratch.cacheMaxIds)
        ids = .allocate(capacity: 0)
        next = .allocate(capacity: 0)
        prev = .allocate(capacity: 0)
        pairs = .allocate(capacity: 0)
    }

    deinit {
        cacheKeyLength.deallocate()
        cacheIdCount.deallocate()
        cacheKeys.deallocate()
        cacheIds.deallocate()
        ids.deallocate()
        next.deallocate()
        prev.deallocate()
        pairs.deallocate()
    }

    /// Makes room for `n` symbols (amortized: capacity doubles). Contents
    /// are not preserved.
    func reserve(_ n: Int) {
        guard n > capacity else { return }
        let c = max(n, capacity * 2, 64)
        ids.deallocate(); next.deallocate(); prev.deallocate(); pairs.deallocate()
        ids = .allocate(capacity: c)
        next = .allocate(capacity: c)
        prev = .allocate(capacity: c)
        pairs = .allocate(capacity: c)
        capacity = c
    }
}

extension BPEScratch {
    /// Appends the cached ids for `word` (whose hash is `hash`) and returns
    /// true, or returns false on a miss.
    @inline(__always)
    func cachedIds(_ word: UnsafeBufferPointer<UInt8>, hash: Int, into out: inout [UInt32]) -> Bool {
        guard word.count <= BPEScratch.cacheKeyBytes, let base = word.baseAddress else { return false }
        let slot = hash & (BPEScratch.cacheSlots - 1)
        guard Int(cacheKeyLength[slot]) == word.count else { return false }
        let key = cacheKeys + slot * BPEScratch.cacheKeyBytes
        for k in 0..<word.count where key[k] != base[k] { return false }
        let ids = cacheIds + slot * BPEScratch.cacheMaxIds
        for k in 0..<Int(cacheIdCount[slot]) { out.append(ids[k]) }
        return true
    }

    /// Remembers `ids` for `word`, replacing whatever shared its slot.
    @inline(__always)
    func remember(_ word: UnsafeBufferPointer<UInt8>, hash: Int, ids: ArraySlice<UInt32>) {
        guard word.count <= BPEScratch.cacheKeyBytes, ids.count <= BPEScratch.cacheMaxIds,
              let base = word.baseAddress else { return }
        let slot = hash & (BPEScratch.cacheSlots - 1)
        cacheKeyLength[slot] = UInt8(word.count)
        cacheIdCount[slot] = UInt8(ids.count)
        (cacheKeys + slot * BPEScratch.cacheKeyBytes).update(from: base, count: word.count)
        var k = 0
        for id in ids {
            cacheIds[slot * BPEScratch.cacheMaxIds + k] = id
            k += 1
        }
    }
}
