/// An immutable hash map from byte strings to token ids.
///
/// Swift's `Dictionary<[UInt8], UInt32>` would need an array allocated per
/// lookup and hashes with SipHash; BPE looks up every piece and every
/// symbol, so this table hashes a borrowed `UnsafeBufferPointer` with FNV-1a
/// and probes linearly over flat arrays. All keys live in one byte arena.
struct ByteStringTable: Sendable {
    var arena: [UInt8] = []
    /// Per entry: start offset in `arena`, length and value.
    var starts: [Int32] = []
    var lengths: [Int32] = []
    var values: [UInt32] = []
    /// Open-addressing slots holding entry index + 1 (0 = empty).
    var slots: [Int32]
    let mask: Int

    /// Creates a table sized for `capacity` keys (load factor <= 0.5).
    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        arena.reserveCapacity(capacity * 8)
        starts.reserveCapacity(capacity)
        lengths.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
    }

    var count: Int { values.count }

    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key {
            h = (h ^ UInt64(b)) &* 0x100_0000_01b3
        }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    /// `hashes[k]` = `hash(key[0...k])` for every prefix of `key`, in one
    /// pass (FNV-1a runs byte by byte, only the final mix differs).
    static func prefixHashes(_ key: UnsafeBufferPointer<UInt8>, into hashes: inout [Int]) {
        hashes.removeAll(keepingCapacity: true)
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key {
            h = (h ^ UInt64(b)) &* 0x100_0000_01b3
            hashes.append(Int(truncatingIfNeeded: h ^ (h >> 29)))
        }
    }

    /// Inserts or overwrites `key`. Precondition: fewer than `capacity` keys.
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, value: UInt32) {
        precondition(values.count * 2 < slots.count, "ByteStringTable over capacity")
        var i = ByteStringTable.hash(key) & mask
        while true {
            let s = Int(slots[i])
            if s == 0 {
                starts.append(Int32(arena.count))
                lengths.append(Int32(key.count))
                values.append(value)
                arena.append(contentsOf: key)
                slots[i] = Int32(values.count)
                return
            }
            if equals(s - 1, key) {
                values[s - 1] = value
                return
            }
            i = (i + 1) & mask
        }
    }

    mutating func insert(_ key: [UInt8], value: UInt32) {
        key.withUnsafeBufferPointer { insert($0, value: value) }
    }

    @inline(__always)
    private func equals(_ entry: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        guard Int(lengths[entry]) == key.count else { return false }
        let start = Int(starts[entry])
        return arena.withUnsafeBufferPointer { a in
            var k = 0
            while k < key.count {
                if a[start + k] != key[k] { return false }
                k += 1
            }
            return true
        }
    }

    /// O(len) expected. The value stored for `key`, if any.
    @inline(__always)
    func get(_ key: UnsafeBufferPointer<UInt8>) -> UInt32? {
        get(key, hash: ByteStringTable.hash(key))
    }

    /// `get` with the key's `hash(_:)` already computed.
    @inline(__always)
    func get(_ key: UnsafeBufferPointer<UInt8>, hash: Int) -> UInt32? {
        var i = hash & mask
        while true {
            let s = Int(slots[i])
            if s == 0 { return nil }
            if equals(s - 1, key) { return values[s - 1] }
            i = (i + 1) & mask
        }
    }

    func get(_ key: [UInt8]) -> UInt32? {
        key.withUnsafeBufferPointer { get($0) }
    }

    /// Every (key, value) pair, in insertion order.
    func forEach(_ body: (UnsafeBufferPointer<UInt8>, UInt32) -> Void) {
        arena.withUnsafeBufferPointer { a in
            for e in 0..<values.count {
                let s = Int(starts[e])
                body(UnsafeBufferPointer(rebasing: a[s..<(s + Int(lengths[e]))]), values[e])
            }
        }
    }
}

/// An immutable hash map from a pair of token ids to (merge rank, merged id).
///
/// A multiplicative hash and linear probing over one flat array make a
/// lookup ~4 ns, against ~24 ns for `Dictionary<UInt64, UInt64>` with
/// SipHash (50k keys, measured). The table is far larger than the caches
/// for 100k+ merges, so every first touch of a pair is a memory access:
/// slots are kept as small as the vocabulary allows.
///
/// Packed layout (every real vocabulary): one word per slot, the two ids
/// and rank + 1 side by side (0 = empty), and the merged id in
/// `mergedByRank`, read only on a hit; 8 bytes a slot instead of 16 halves
/// the misses of merging unseen words. Wide layout (ids and ranks too
/// large to pack into 64 bits): key and value words side by side.
struct PairTable: Sendable {
    var slots: TableArray<UInt64>
    var mergedByRank = TableArray<UInt32>()
    /// Bits of each id in a packed key, and of rank + 1 below it.
    let idBits: UInt64
    let rankBits: UInt64
    let packed: Bool
    let shift: UInt64
    let mask: Int
    var count = 0
    static let emptyWide = UInt64.max

    /// A table for fewer than `capacity` merges (ranks below `capacity`)
    /// between ids up to `maxId`.
    init(capacity: Int, maxId: Int) {
        var bits: UInt64 = 4
        while (1 << bits) < capacity * 2 { bits += 1 }
        let size = 1 << Int(bits)
        idBits = UInt64(Int.bitWidth - max(maxId, 1).leadingZeroBitCount)
        rankBits = UInt64(Int.bitWidth - capacity.leadingZeroBitCount)
        packed = 2 * idBits + rankBits <= 64
        if packed {
            slots = TableArray(repeating: 0, count: size)
            mergedByRank = TableArray(repeating: 0, count: capacity)
        } else {
            var e = [UInt64](repeating: 0, count: 2 * size)
            for k in 0..<size { e[2 * k] = PairTable.emptyWide }
            slots = TableArray(e)
        }
        shift = 64 - bits
        mask = size - 1
    }

    @inline(__always)
    private func key(_ a: UInt32, _ b: UInt32) -> UInt64 {
        packed ? UInt64(a) << idBits | UInt64(b) : UInt64(a) << 32 | UInt64(b)
    }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Adds a merge; a pair listed again takes the later rank (as HF's map).
    mutating func insert(_ a: UInt32, _ b: UInt32, rank: UInt32, merged: UInt32) {
        precondition(count * 2 < mask + 1 && Int(rank) < (1 << Int(rankBits)) - 1, "PairTable over capacity")
        if packed {
            precondition(UInt64(a | b) >> idBits == 0, "PairTable id over maxId")
            let k = key(a, b)
            var i = slot(k)
            while slots[i] != 0 && slots[i] >> rankBits != k { i = (i + 1) & mask }
            if slots[i] == 0 { count += 1 }
            slots[i] = k << rankBits | UInt64(rank + 1)
            mergedByRank[Int(rank)] = merged
            return
        }
        let k = key(a, b)
        var i = slot(k)
        while slots[2 * i] != PairTable.emptyWide && slots[2 * i] != k { i = (i + 1) & mask }
        if slots[2 * i] == PairTable.emptyWide { count += 1 }
        slots[2 * i] = k
        slots[2 * i + 1] = UInt64(rank) << 32 | UInt64(merged)
    }

    /// `rank << 32 | merged id`, or `UInt64.max` when the pair does not merge.
    @inline(__always)
    func get(_ a: UInt32, _ b: UInt32) -> UInt64 {
        guard packed else { return getWide(a, b) }
        // An id past the packed width cannot be in the table.
        guard UInt64(a | b) >> idBits == 0 else { return UInt64.max }
        let k = key(a, b)
        var i = slot(k)
        return slots.withUnsafeBufferPointer { e in
            while true {
                let stored = e[i]
                if stored == 0 { return UInt64.max }
                if stored >> rankBits == k {
                    let rank = Int(stored & ((1 << rankBits) - 1)) - 1
                    // Checked at load, but read from the (possibly mapped) table.
                    return UInt64(rank) << 32 | UInt64(mergedByRank[rank])
                }
                i = (i + 1) & mask
            }
        }
    }

    private func getWide(_ a: UInt32, _ b: UInt32) -> UInt64 {
        let k = key(a, b)
        var i = slot(k)
        return slots.withUnsafeBufferPointer { e in
            while true {
                let stored = e[2 * i]
                if stored == k { return e[2 * i + 1] }
                if stored == PairTable.emptyWide { return UInt64.max }
                i = (i + 1) & mask
            }
        }
    }
}
