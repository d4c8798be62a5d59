/// A trie over byte strings for Unigram's lattice: from one position of a
/// piece, every vocabulary token that starts there, shortest first (HF's
/// `Trie::common_prefix_search`).
///
/// Laid out as a double array (Aoe's, as SentencePiece's darts): node `n`'s
/// child along byte `b` sits at `base[n] + b`, and is really its child when
/// that unit's `check` is `n`. A step is one load of one 12-byte unit; the
/// first version, one open-addressing table of (node, byte) -> child,
/// spent most of Viterbi's time waiting on those random loads (perf: 47% of
/// the forward pass on the table compare, 32k-piece T5-style vocabulary).
struct DoubleArrayTrie: Sendable {
    struct Unit: Sendable {
        /// Where this node's children start (child along b at base + b).
        var base: Int32 = 0
        /// The parent's index, or -1 for a free unit.
        var check: Int32 = -1
        /// The value of the key ending here, or `UInt32.max`.
        var value: UInt32 = .max
    }

    private(set) var units: [Unit]

    /// Builds the trie of `keys`; a key listed twice keeps its last value,
    /// and the empty key is never found (HF's search yields only after a byte).
    init(_ keys: [(bytes: [UInt8], value: UInt32)]) {
        // Sorted by bytes, later duplicates after earlier ones (stable).
        let order = keys.indices.sorted { a, b in
            let x = keys[a].bytes, y = keys[b].bytes
            return x.lexicographicallyPrecedes(y) || (x == y && a < b)
        }
        var sorted: [(bytes: [UInt8], value: UInt32)] = []
        sorted.reserveCapacity(order.count)
        for i in order where !keys[i].bytes.isEmpty {
            if let last = sorted.last, last.bytes == keys[i].bytes {
                sorted[sorted.count - 1].value = keys[i].value
            } else {
                sorted.append(keys[i])
            }
        }
        var builder = Builder(capacity: sorted.reduce(0) { $0 + $1.bytes.count } + 256)
        builder.place(node: 0, keys: sorted, range: 0..<sorted.count, depth: 0)
        units = builder.units
        // Trim the free tail past the last used unit (plus one alphabet).
        let used = (units.lastIndex { $0.check >= 0 } ?? 0) + 1
        units.removeSubrange(min(units.count, used + 256)...)
    }

    /// Calls `body(end, value)` for every key that is a prefix of
    /// `text[start...]`, shortest first.
    @inline(__always)
    func forEachPrefix(of text: UnsafeBufferPointer<UInt8>, from start: Int, _ body: (Int, UInt32) -> Void) {
        units.withUnsafeBufferPointer { u in
            var node = 0
            var i = start
            while i < text.count {
                let next = Int(u[node].base) + Int(text[i])
                guard next < u.count, Int(u[next].check) == node, next != 0 else { return }
                node = next
                i += 1
                let value = u[node].value
                if value != .max { body(i, value) }
            }
        }
    }

    /// Places nodes depth-first, each at the lowest base where all its
    /// children's units are free. Free units form a linked list, so the
    /// search skips used ones (a plain scan took 9 s for 32k pieces).
    private struct Builder {
        var units: [Unit]
        /// Next / previous free unit; `units.count` ends the list.
        var nextFree: [Int32]
        var previousFree: [Int32]
        var firstFree: Int
        /// Bases already taken: two nodes sharing one would share children.
        var usedBase: [Bool]

        init(capacity: Int) {
            let n = max(capacity, 512)
            units = [Unit](repeating: Unit(), count: n)
            nextFree = (0..<n).map { Int32($0 + 1) }
            previousFree = (0..<n).map { Int32($0 - 1) }
            usedBase = [Bool](repeating: false, count: n)
            firstFree = 0
            take(0)  // the root
        }

        /// Marks unit `i` used and unlinks it from the free list.
        mutating func take(_ i: Int) {
            let next = Int(nextFree[i])
            let previous = Int(previousFree[i])
            if previous >= 0 { nextFree[previous] = Int32(next) } else { firstFree = next }
            if next < units.count { previousFree[next] = Int32(previous) }
            units[i].check = 0
        }

        /// Doubles the arrays; the new units join the end of the free list.
        mutating func grow() {
            let old = units.count
            let n = old * 2
            var last = old - 1
            while last >= 0 && units[last].check >= 0 { last -= 1 }
            units.append(contentsOf: repeatElement(Unit(), count: n - old))
            usedBase.append(contentsOf: repeatElement(false, count: n - old))
            nextFree.append(contentsOf: (old..<n).map { Int32($0 + 1) })
            previousFree.append(contentsOf: (old..<n).map { Int32($0 - 1) })
            // Free units below `old` still point at `old` as the end: now the first new one.
            if last >= 0 { nextFree[last] = Int32(old) } else { firstFree = old }
            previousFree[old] = Int32(last)
        }

        mutating func place(node: Int, keys: [(bytes: [UInt8], value: UInt32)], range: Range<Int>, depth: Int) {
            var lo = range.lowerBound
            // A key ending here is the first of the range (sorted: shortest first).
            if lo < range.upperBound, keys[lo].bytes.count == depth {
                units[node].value = keys[lo].value
                lo += 1
            }
            guard lo < range.upperBound else { return }
            // Children: runs of keys sharing the byte at `depth`.
            var labels: [UInt8] = []
            var runs: [Range<Int>] = []
            var start = lo
            while start < range.upperBound {
                let b = keys[start].bytes[depth]
                var end = start + 1
                while end < range.upperBound && keys[end].bytes[depth] == b { end += 1 }
                labels.append(b)
                runs.append(start..<end)
                start = end
            }
            let base = findBase(labels)
            units[node].base = Int32(base)
            usedBase[base] = true
            for b in labels {
                take(base + Int(b))
                units[base + Int(b)].check = Int32(node)
            }
            for (b, run) in zip(labels, runs) {
                place(node: base + Int(b), keys: keys, range: run, depth: depth + 1)
            }
        }

        /// The lowest base >= 1 whose units for `labels` are free, walking
        /// the free units as candidates for the first label.
        mutating func findBase(_ labels: [UInt8]) -> Int {
            let first = Int(labels[0])
            let last = Int(labels[labels.count - 1])
            var p = firstFree
            while true {
                if p >= units.count {
                    let before = units.count
                    grow()
                    p = before
                }
                let base = p - first
                if base >= 1 {
                    while base + last >= units.count { grow() }
                    if !usedBase[base], labels.allSatisfy({ units[base + Int($0)].check < 0 }) { return base }
                }
                p = Int(nextFree[p])
            }
        }
    }
}
