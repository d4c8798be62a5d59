import Foundation

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

    /// A direct-mapped cache of short piece -> ids, HF-style but bounded
    /// and per thread so it needs no lock (and threads share no cache
    /// lines). Every piece of at most `cacheKeyBytes` bytes goes through it,
    /// whole-vocabulary hits included: one slot is one 64-byte cache line
    /// (key words, key length, id count, ids), so a hit costs one memory
    /// access where the vocabulary costs several and a merge many more.
    ///
    /// Slot layout: bytes 0..<24 the key zero-padded, 24 the key length
    /// (0 = empty), 25 the id count, 28..<64 up to 9 ids.
    /// 64k slots (4 MB): Python source has ~45k distinct pieces per 10 MB,
    /// and at 32k slots conflicts made a third more misses than at 64k,
    /// each a vocabulary lookup or a merge over tables much larger still.
    static let cacheSlotsLog2 = 16
    static let cacheSlots = 1 << cacheSlotsLog2
    static let cacheKeyBytes = 24
    static let cacheMaxIds = 9
    static let cacheSlotBytes = 64
    let cache: UnsafeMutableRawPointer

    /// A second direct-mapped tier for longer pieces (identifiers, words
    /// of non-Latin scripts), which cost the most to merge. Slot layout:
    /// bytes 0..<8 the key's hash, 8..<10 its length (0 = empty), 10..<12
    /// the id count, 16..<144 the key, 144..<400 up to 64 ids.
    static let longSlots = 4096
    static let longKeyBytes = 128
    static let longMaxIds = 64
    static let longSlotBytes = 400
    let longCache: UnsafeMutableRawPointer

    init() {
        cache = BPEScratch.zeroedPages(BPEScratch.cacheSlots * BPEScratch.cacheSlotBytes)
        longCache = BPEScratch.zeroedPages(BPEScratch.longSlots * BPEScratch.longSlotBytes)
        ids = .allocate(capacity: 0)
        next = .allocate(capacity: 0)
        prev = .allocate(capacity: 0)
        pairs = .allocate(capacity: 0)
    }

    deinit {
        munmap(cache, BPEScratch.cacheSlots * BPEScratch.cacheSlotBytes)
        munmap(longCache, BPEScratch.longSlots * BPEScratch.longSlotBytes)
        ids.deallocate()
        next.deallocate()
        prev.deallocate()
        pairs.deallocate()
    }

    /// `count` bytes of fresh anonymous pages: zero (every slot empty) and
    /// page-aligned (so 64-byte slots are cache lines) without writing them.
    /// Clearing the 5.6 MB of the two caches with `memset` faulted in all
    /// ~1400 pages at once, 10% of the CPU of a process that loads Llama 3
    /// from the compiled cache and encodes one line (`perf`); mapped, a page
    /// costs its fault only when a piece first lands in it.
    private static func zeroedPages(_ count: Int) -> UnsafeMutableRawPointer {
        guard let pages = mmap(nil, count, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              pages != MAP_FAILED
        else {
            fatalError("out of memory: cannot map \(count) bytes for the BPE piece cache")
        }
        return pages
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

/// A short piece as the cache sees it: its bytes zero-padded to three
/// words, its length, and a hash of both.
struct CacheKey {
    var w0: UInt64 = 0
    var w1: UInt64 = 0
    var w2: UInt64 = 0
    var length: Int
    var hash: Int

    /// The key of `text[start..<end]`; nil when that is empty or longer
    /// than `BPEScratch.cacheKeyBytes`.
    ///
    /// When 24 bytes from `start` lie inside `text`, the words are three
    /// unaligned loads, masked to the piece: copying the piece into a
    /// zeroed buffer instead costs a `memcpy` call and a store-forwarding
    /// stall when the words are read back (a fifth of all encode time on
    /// Python source). Only pieces near the end of `text` copy.
    @inline(__always)
    init?(_ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) {
        let n = end - start
        guard n > 0, n <= BPEScratch.cacheKeyBytes, let base = text.baseAddress else { return nil }
        length = n
        hash = 0
        if start + BPEScratch.cacheKeyBytes <= text.count {
            let p = UnsafeRawPointer(base + start)
            // Bytes of the piece in word k: clamp(n - 8k, 0, 8); shifting a
            // UInt64 by 64 gives 0, which masks an unused word away.
            let bits = UInt64(n * 8)
            w0 = p.loadUnaligned(as: UInt64.self) & (UInt64.max >> (64 &- min(bits, 64)))
            w1 = p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                & (bits > 64 ? UInt64.max >> (128 &- min(bits, 128)) : 0)
            w2 = p.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
                & (bits > 128 ? UInt64.max >> (192 &- bits) : 0)
        } else {
            var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
            withUnsafeMutableBytes(of: &words) { $0.baseAddress!.copyMemory(from: base + start, byteCount: n) }
            w0 = words.0
            w1 = words.1
            w2 = words.2
        }
        var h = (w0 &* 0x9E37_79B9_7F4A_7C15) ^ (w1 &* 0xC2B2_AE3D_27D4_EB4F)
        h ^= (w2 &* 0x1656_67B1_9E37_79F9) ^ UInt64(n)
        h ^= h >> 31
        h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 29
        hash = Int(truncatingIfNeeded: h)
    }
}

extension BPEScratch {
    /// Appends the ids of `text[start..<end]` (nothing when empty): from the cache
    /// (two tiers: short and long pieces), else from `compute`, which
    /// appends them and returns true (then they are cached) or returns
    /// false (nothing cached; `cachedEncode` returns false). Pieces over
    /// `longKeyBytes` are never cached.
    @inline(__always)
    func cachedEncode(
        _ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, into out: inout [UInt32],
        _ compute: (UnsafeBufferPointer<UInt8>, inout [UInt32]) -> Bool
    ) -> Bool {
        guard start < end else { return true }
        let piece = UnsafeBufferPointer(rebasing: text[start..<end])
        guard let key = CacheKey(text, start, end) else {
            guard piece.count <= BPEScratch.longKeyBytes else { return compute(piece, &out) }
            let hash = ByteStringTable.hash(piece)
            if cachedLongIds(piece, hash: hash, into: &out) { return true }
            let first = out.count
            guard compute(piece, &out) else { return false }
            rememberLong(piece, hash: hash, ids: out[first...])
            return true
        }
        if cachedIds(key, into: &out) { return true }
        let first = out.count
        guard compute(piece, &out) else { return false }
        remember(key, ids: out[first...])
        return true
    }

    @inline(__always)
    private func slot(_ key: CacheKey) -> UnsafeMutableRawPointer {
        cache + (key.hash & (BPEScratch.cacheSlots - 1)) * BPEScratch.cacheSlotBytes
    }

    /// Appends the cached ids for `key` and returns true, or returns false
    /// on a miss.
    @inline(__always)
    func cachedIds(_ key: CacheKey, into out: inout [UInt32]) -> Bool {
        let p = slot(key)
        guard p.load(fromByteOffset: 24, as: UInt8.self) == UInt8(key.length),
              p.load(as: UInt64.self) == key.w0,
              p.load(fromByteOffset: 8, as: UInt64.self) == key.w1,
              p.load(fromByteOffset: 16, as: UInt64.self) == key.w2
        else { return false }
        let count = Int(p.load(fromByteOffset: 25, as: UInt8.self))
        if count == 1 {
            out.append(p.load(fromByteOffset: 28, as: UInt32.self))
            return true
        }
        for k in 0..<count { out.append(p.load(fromByteOffset: 28 + 4 * k, as: UInt32.self)) }
        return true
    }

    /// Remembers `ids` for `key`, replacing whatever shared its slot.
    @inline(__always)
    func remember(_ key: CacheKey, ids: ArraySlice<UInt32>) {
        guard ids.count <= BPEScratch.cacheMaxIds else { return }
        let p = slot(key)
        p.storeBytes(of: key.w0, as: UInt64.self)
        p.storeBytes(of: key.w1, toByteOffset: 8, as: UInt64.self)
        p.storeBytes(of: key.w2, toByteOffset: 16, as: UInt64.self)
        p.storeBytes(of: UInt8(key.length), toByteOffset: 24, as: UInt8.self)
        p.storeBytes(of: UInt8(ids.count), toByteOffset: 25, as: UInt8.self)
        var k = 0
        for id in ids {
            p.storeBytes(of: id, toByteOffset: 28 + 4 * k, as: UInt32.self)
            k += 1
        }
    }

    @inline(__always)
    private func longSlot(_ hash: Int) -> UnsafeMutableRawPointer {
        longCache + (hash & (BPEScratch.longSlots - 1)) * BPEScratch.longSlotBytes
    }

    /// The long-piece tier of `cachedIds`; `word.count` must be in
    /// `cacheKeyBytes + 1 ... longKeyBytes`.
    func cachedLongIds(_ word: UnsafeBufferPointer<UInt8>, hash: Int, into out: inout [UInt32]) -> Bool {
        guard let base = word.baseAddress else { return false }
        let p = longSlot(hash)
        guard p.load(as: Int.self) == hash,
              Int(p.load(fromByteOffset: 8, as: UInt16.self)) == word.count,
              memcmp(p + 16, base, word.count) == 0
        else { return false }
        let count = Int(p.load(fromByteOffset: 10, as: UInt16.self))
        for k in 0..<count { out.append(p.load(fromByteOffset: 144 + 4 * k, as: UInt32.self)) }
        return true
    }

    func rememberLong(_ word: UnsafeBufferPointer<UInt8>, hash: Int, ids: ArraySlice<UInt32>) {
        guard ids.count <= BPEScratch.longMaxIds, word.count <= BPEScratch.longKeyBytes,
              let base = word.baseAddress else { return }
        let p = longSlot(hash)
        p.storeBytes(of: hash, as: Int.self)
        p.storeBytes(of: UInt16(word.count), toByteOffset: 8, as: UInt16.self)
        p.storeBytes(of: UInt16(ids.count), toByteOffset: 10, as: UInt16.self)
        (p + 16).copyMemory(from: base, byteCount: word.count)
        var k = 0
        for id in ids {
            p.storeBytes(of: id, toByteOffset: 144 + 4 * k, as: UInt32.self)
            k += 1
        }
    }
}
