extension BPEModel {
    /// Words longer than this many symbols merge through a heap: below it a
    /// linear scan for the lowest rank is faster (tiktoken uses the same
    /// shape); above it the scan's O(n^2) dominates (a 4 KB word, 2 KB of
    /// spaces then code, took 20 ms by scan vs 0.9 ms by heap with
    /// mellum-layout's merges).
    static let heapThreshold = 48

    /// Appends the ids for one pre-tokenized piece, `text[start..<end]`,
    /// through the thread's piece cache (`BPEScratch.cachedEncode`). The
    /// rest of `text` is only read to build the cache key with whole-word
    /// loads.
    @inline(__always)
    func encodePiece(
        _ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, scratch: BPEScratch, into out: inout [UInt32]
    ) {
        _ = scratch.cachedEncode(text, start, end, into: &out) { piece, out in
            encodeUncached(piece, scratch: scratch, into: &out)
            return true
        }
    }

    /// A whole-piece vocabulary hit when that is what BPE would give, else
    /// a merge.
    @inline(__always)
    func encodeUncached(_ piece: UnsafeBufferPointer<UInt8>, scratch: BPEScratch, into out: inout [UInt32]) {
        if let id = vocab.get(piece), ignoreMerges || (!reachable.isEmpty && reachable[Int(id)]) {
            out.append(id)
            return
        }
        mergeWord(piece, scratch: scratch, into: &out)
    }

    /// HF's `merge_word`: split into initial symbols, then merge the
    /// lowest-ranked adjacent pair (leftmost on ties) until none merges.
    func mergeWord(_ piece: UnsafeBufferPointer<UInt8>, scratch s: BPEScratch, into out: inout [UInt32]) {
        // Each byte gives at most one symbol, or one fallback token per
        // byte of (prefix + character + suffix).
        let extra = (continuingSubwordPrefix?.count ?? 0) + (endOfWordSuffix?.count ?? 0)
        s.reserve(piece.count * (1 + extra) + 1)
        let n = addSymbols(piece, scratch: s)
        let ids = s.ids, next = s.next, prev = s.prev, pairs = s.pairs
        guard n > 1 else {
            if n == 1 { out.append(ids[0]) }
            return
        }
        for i in 0..<n {
            next[i] = Int32(i + 1)
            prev[i] = Int32(i - 1)
        }
        if !bytePairs.isEmpty {
            // n == piece.count: every byte is one symbol.
            bytePairs.withUnsafeBufferPointer { table in
                for i in 0..<(n - 1) { pairs[i] = table[Int(piece[i]) << 8 | Int(piece[i + 1])] }
            }
        } else {
            for i in 0..<(n - 1) { pairs[i] = merges.get(ids[i], ids[i + 1]) }
        }
        pairs[n - 1] = UInt64.max
        if n <= BPEModel.heapThreshold {
            mergeByScan(s, count: n)
        } else {
            mergeByHeap(s, count: n)
        }
        var i = 0
        while i < n {
            out.append(ids[i])
            i = Int(next[i])
        }
    }

    /// Initial symbols, written to `s.ids`: one per byte (byte-level) or per
    /// character, with byte fallback and unknown-token handling exactly as
    /// HF orders them. Returns the symbol count.
    private func addSymbols(_ piece: UnsafeBufferPointer<UInt8>, scratch s: BPEScratch) -> Int {
        let ids = s.ids
        var n = 0
        if usesByteSymbols {
            byteIds.withUnsafeBufferPointer { table in
                for b in piece {
                    let id = table[Int(b)]
                    if id != UInt32.max {  // HF drops characters it cannot map
                        ids[n] = id
                        n += 1
                    }
                }
            }
            return n
        }
        var key = s.key
        s.key = []  // keep `key` uniquely referenced while it is edited
        var pendingUnk = false
        var i = 0
        while i < piece.count {
            let len = byteLevel ? 1 : UTF8Scan.decode(piece, i).length
            let end = i + len
            key.removeAll(keepingCapacity: true)
            if i > 0, let p = continuingSubwordPrefix { key.append(contentsOf: p) }
            key.append(contentsOf: UnsafeBufferPointer(rebasing: piece[i..<end]))
            if end == piece.count, let x = endOfWordSuffix { key.append(contentsOf: x) }
            if let id = key.withUnsafeBufferPointer({ vocab.get($0) }) {
                if pendingUnk, let unk = unkId { ids[n] = unk; n += 1 }
                pendingUnk = false
                ids[n] = id; n += 1
            } else {
                var handled = false
                if byteFallback, key.allSatisfy({ byteFallbackIds[Int($0)] != UInt32.max }) {
                    for b in key { ids[n] = byteFallbackIds[Int(b)]; n += 1 }
                    handled = true
                }
                if !handled, let unk = unkId {
                    if pendingUnk && !fuseUnk { ids[n] = unk; n += 1 }
                    pendingUnk = true
                }
            }
            i = end
        }
        if pendingUnk, let unk = unkId { ids[n] = unk; n += 1 }
        s.key = key
        return n
    }

    @inline(__always)
    private func merge(_ s: BPEScratch, at i: Int, count n: Int) {
        let ids = s.ids, next = s.next, prev = s.prev, pairs = s.pairs
        let j = Int(next[i])
        ids[i] = UInt32(truncatingIfNeeded: pairs[i])
        let after = Int(next[j])
        next[i] = Int32(after)
        if after < n { prev[after] = Int32(i) }
        pairs[j] = UInt64.max
        ids[j] = UInt32.max
        pairs[i] = after < n ? merges.get(ids[i], ids[after]) : UInt64.max
        let p = Int(prev[i])
        if p >= 0 { pairs[p] = merges.get(ids[p], ids[i]) }
    }

    private func mergeByScan(_ s: BPEScratch, count n: Int) {
        let next = s.next, pairs = s.pairs
        while true {
            var best = UInt64.max
            var bestAt = -1
            var i = 0
            while i < n {
                let v = pairs[i]
                if v < best {
                    best = v
                    bestAt = i
                }
                i = Int(next[i])
            }
            if bestAt < 0 { return }
            merge(s, at: bestAt, count: n)
        }
    }

    private func mergeByHeap(_ s: BPEScratch, count n: Int) {
        let ids = s.ids, prev = s.prev, pairs = s.pairs
        var heap = MinHeap(storage: s.heap)
        for i in 0..<n where pairs[i] != UInt64.max {
            heap.push((pairs[i] >> 32) << 32 | UInt64(i))
        }
        while let top = heap.pop() {
            let i = Int(top & 0xFFFF_FFFF)
            let rank = top >> 32
            // Stale entry: node i died, or its pair changed since the push.
            guard ids[i] != UInt32.max, pairs[i] != UInt64.max, pairs[i] >> 32 == rank else { continue }
            merge(s, at: i, count: n)
            if pairs[i] != UInt64.max { heap.push((pairs[i] >> 32) << 32 | UInt64(i)) }
            let p = Int(prev[i])
            if p >= 0, pairs[p] != UInt64.max { heap.push((pairs[p] >> 32) << 32 | UInt64(p)) }
        }
        s.heap = heap.storage
    }
}

/// A binary min-heap of UInt64 over a reused array.
struct MinHeap {
    var storage: [UInt64]

    init(storage: [UInt64]) {
        self.storage = storage
        self.storage.removeAll(keepingCapacity: true)
    }

    mutating func push(_ v: UInt64) {
        storage.append(v)
        var i = storage.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if storage[parent] <= storage[i] { break }
            storage.swapAt(parent, i)
            i = parent
        }
    }

    mutating func pop() -> UInt64? {
        guard let top = storage.first else { return nil }
        let last = storage.removeLast()
        if !storage.isEmpty {
            storage[0] = last
            var i = 0
            let n = storage.count
            while true {
                let l = 2 * i + 1
                let r = l + 1
                var m = i
                if l < n && storage[l] < storage[m] { m = l }
                if r < n && storage[r] < storage[m] { m = r }
                if m == i { break }
                storage.swapAt(m, i)
                i = m
            }
        }
        return top
    }
}
