/// Reusable buffers for merging one word; one per thread. Capacity grows to
/// the longest piece seen and is kept, so steady-state encoding allocates
/// nothing per piece.
struct BPEScratch {
    /// Symbol ids; a merge keeps the left node and unlinks the right one.
    var ids: [UInt32] = []
    var next: [Int32] = []
    var prev: [Int32] = []
    /// `pairs[i]`: PairTable value (rank << 32 | merged id) for node i and
    /// its successor, `UInt64.max` when they do not merge or i is dead.
    var pairs: [UInt64] = []
    /// Min-heap of (rank << 32 | node) for long words.
    var heap: [UInt64] = []
    /// Bytes of one character with prefix / suffix (rare models only).
    var key: [UInt8] = []

    init() {}

    mutating func reset() {
        ids.removeAll(keepingCapacity: true)
        next.removeAll(keepingCapacity: true)
        prev.removeAll(keepingCapacity: true)
        pairs.removeAll(keepingCapacity: true)
        heap.removeAll(keepingCapacity: true)
    }
}

extension BPEModel {
    /// Words longer than this many symbols merge through a heap: below it a
    /// linear scan for the lowest rank is faster (tiktoken uses the same
    /// shape); above it the scan's O(n^2) dominates (a 2 KB run of spaces
    /// took 9 ms by scan vs 0.3 ms by heap).
    static let heapThreshold = 48

    /// Appends the ids for one pre-tokenized piece.
    @inline(__always)
    func encodePiece(_ piece: UnsafeBufferPointer<UInt8>, scratch: inout BPEScratch, into out: inout [UInt32]) {
        guard !piece.isEmpty else { return }
        if ignoreMerges {
            if let id = vocab.get(piece) {
                out.append(id)
                return
            }
        } else if !reachable.isEmpty, let id = vocab.get(piece), reachable[Int(id)] {
            out.append(id)
            return
        }
        mergeWord(piece, scratch: &scratch, into: &out)
    }

    /// HF's `merge_word`: split into initial symbols, then merge the
    /// lowest-ranked adjacent pair (leftmost on ties) until none merges.
    func mergeWord(_ piece: UnsafeBufferPointer<UInt8>, scratch s: inout BPEScratch, into out: inout [UInt32]) {
        s.reset()
        addSymbols(piece, scratch: &s)
        let n = s.ids.count
        guard n > 1 else {
            out.append(contentsOf: s.ids)
            return
        }
        for i in 0..<n {
            s.next.append(Int32(i + 1))
            s.prev.append(Int32(i - 1))
        }
        for i in 0..<n {
            s.pairs.append(i + 1 < n ? merges.get(s.ids[i], s.ids[i + 1]) : UInt64.max)
        }
        if n <= BPEModel.heapThreshold {
            mergeByScan(&s, count: n)
        } else {
            mergeByHeap(&s, count: n)
        }
        var i = 0
        while i < n {
            out.append(s.ids[i])
            i = Int(s.next[i])
        }
    }

    /// Initial symbols: one per byte (byte-level) or per character, with
    /// byte fallback and unknown-token handling exactly as HF orders them.
    private func addSymbols(_ piece: UnsafeBufferPointer<UInt8>, scratch s: inout BPEScratch) {
        if byteLevel && continuingSubwordPrefix == nil && endOfWordSuffix == nil && unkId == nil && !byteFallback {
            for b in piece {
                let id = byteIds[Int(b)]
                if id != UInt32.max { s.ids.append(id) }  // HF drops characters it cannot map
            }
            return
        }
        var pendingUnk = false
        var i = 0
        while i < piece.count {
            let len = byteLevel ? 1 : UTF8Scan.decode(piece, i).length
            let end = i + len
            s.key.removeAll(keepingCapacity: true)
            if i > 0, let p = continuingSubwordPrefix { s.key.append(contentsOf: p) }
            s.key.append(contentsOf: UnsafeBufferPointer(rebasing: piece[i..<end]))
            if end == piece.count, let x = endOfWordSuffix { s.key.append(contentsOf: x) }
            let found = s.key.withUnsafeBufferPointer { vocab.get($0) }
            if let id = found {
                if pendingUnk, let unk = unkId { s.ids.append(unk) }
                pendingUnk = false
                s.ids.append(id)
            } else {
                var handled = false
                if byteFallback {
                    let all = s.key.allSatisfy { byteFallbackIds[Int($0)] != UInt32.max }
                    if all {
                        for b in s.key { s.ids.append(byteFallbackIds[Int(b)]) }
                        handled = true
                    }
                }
                if !handled, let unk = unkId {
                    if pendingUnk && !fuseUnk { s.ids.append(unk) }
                    pendingUnk = true
                }
            }
            i = end
        }
        if pendingUnk, let unk = unkId { s.ids.append(unk) }
    }

    @inline(__always)
    private func merge(_ s: inout BPEScratch, at i: Int, count n: Int) {
        let j = Int(s.next[i])
        s.ids[i] = UInt32(truncatingIfNeeded: s.pairs[i])
        let after = Int(s.next[j])
        s.next[i] = Int32(after)
        if after < n { s.prev[after] = Int32(i) }
        s.pairs[j] = UInt64.max
        s.ids[j] = UInt32.max
        s.pairs[i] = after < n ? merges.get(s.ids[i], s.ids[after]) : UInt64.max
        let p = Int(s.prev[i])
        if p >= 0 { s.pairs[p] = merges.get(s.ids[p], s.ids[i]) }
    }

    private func mergeByScan(_ s: inout BPEScratch, count n: Int) {
        while true {
            var best = UInt64.max
            var bestAt = -1
            var i = 0
            while i < n {
                let v = s.pairs[i]
                if v < best {
                    best = v
                    bestAt = i
                }
                i = Int(s.next[i])
            }
            if bestAt < 0 { return }
            merge(&s, at: bestAt, count: n)
        }
    }

    private func mergeByHeap(_ s: inout BPEScratch, count n: Int) {
        var heap = MinHeap(storage: s.heap)
        for i in 0..<n where s.pairs[i] != UInt64.max {
            heap.push((s.pairs[i] >> 32) << 32 | UInt64(i))
        }
        while let top = heap.pop() {
            let i = Int(top & 0xFFFF_FFFF)
            let rank = top >> 32
            // Stale entry: node i died, or its pair changed since the push.
            guard s.ids[i] != UInt32.max, s.pairs[i] != UInt64.max, s.pairs[i] >> 32 == rank else { continue }
            merge(&s, at: i, count: n)
            if s.pairs[i] != UInt64.max { heap.push((s.pairs[i] >> 32) << 32 | UInt64(i)) }
            let p = Int(s.prev[i])
            if p >= 0, s.pairs[p] != UInt64.max { heap.push((s.pairs[p] >> 32) << 32 | UInt64(p)) }
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
