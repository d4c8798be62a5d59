/// A trie over byte strings for Unigram's lattice: from one position of a
/// piece, every vocabulary token that starts there, shortest first (HF's
/// `Trie::common_prefix_search`).
///
/// Nodes are integers; an edge (node, byte) -> child lives in one
/// open-addressing table keyed by `node << 8 | byte`, so a step is one
/// multiplicative hash and (at load factor <= 1/2) about one probe, with no
/// per-node allocation (HF keeps a hash map per node). The root's 256
/// edges are a direct table, since every walk starts there.
struct ByteTrie: Sendable {
    /// Per node: the value of the key ending there, or `UInt32.max`.
    private var terminal: [UInt32] = [UInt32.max]
    /// The root's child per first byte, or -1.
    private var rootChildren = [Int32](repeating: -1, count: 256)
    /// Edge table: `(node << 8 | byte) + 1` (0 = empty) and the child.
    private var edgeKeys: [UInt64]
    private var edgeChildren: [Int32]
    private var mask: Int
    private var shift: UInt64
    private var edgeCount = 0

    /// An empty trie with room for about `capacity` nodes before it grows.
    init(capacity: Int) {
        var bits: UInt64 = 4
        while (1 << bits) < capacity * 2 { bits += 1 }
        edgeKeys = [UInt64](repeating: 0, count: 1 << Int(bits))
        edgeChildren = [Int32](repeating: -1, count: 1 << Int(bits))
        mask = (1 << Int(bits)) - 1
        shift = 64 - bits
        terminal.reserveCapacity(capacity)
    }

    /// Number of nodes, the root included.
    var nodeCount: Int { terminal.count }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The child of `node` along `byte`, or -1.
    @inline(__always)
    func child(_ node: Int, _ byte: UInt8) -> Int {
        if node == 0 { return Int(rootChildren[Int(byte)]) }
        let key = UInt64(node) << 8 | UInt64(byte) + 1
        var i = slot(key)
        while true {
            let stored = edgeKeys[i]
            if stored == key { return Int(edgeChildren[i]) }
            if stored == 0 { return -1 }
            i = (i + 1) & mask
        }
    }

    /// Adds `key` with `value`; a key added again takes the later value.
    /// The empty key is never found (HF's search yields only after a byte).
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, value: UInt32) {
        var node = 0
        for b in key {
            var next = child(node, b)
            if next < 0 {
                next = terminal.count
                terminal.append(UInt32.max)
                addEdge(node, b, next)
            }
            node = next
        }
        if !key.isEmpty { terminal[node] = value }
    }

    private mutating func addEdge(_ node: Int, _ byte: UInt8, _ target: Int) {
        if node == 0 {
            rootChildren[Int(byte)] = Int32(target)
            return
        }
        if (edgeCount + 1) * 2 > mask + 1 { grow() }
        let key = UInt64(node) << 8 | UInt64(byte) + 1
        var i = slot(key)
        while edgeKeys[i] != 0 { i = (i + 1) & mask }
        edgeKeys[i] = key
        edgeChildren[i] = Int32(target)
        edgeCount += 1
    }

    private mutating func grow() {
        let oldKeys = edgeKeys
        let oldChildren = edgeChildren
        let size = (mask + 1) * 2
        edgeKeys = [UInt64](repeating: 0, count: size)
        edgeChildren = [Int32](repeating: -1, count: size)
        mask = size - 1
        shift -= 1
        for (k, key) in oldKeys.enumerated() where key != 0 {
            var i = slot(key)
            while edgeKeys[i] != 0 { i = (i + 1) & mask }
            edgeKeys[i] = key
            edgeChildren[i] = oldChildren[k]
        }
    }

    /// Calls `body(end, value)` for every key that is a prefix of
    /// `text[start...]`, shortest first.
    @inline(__always)
    func forEachPrefix(of text: UnsafeBufferPointer<UInt8>, from start: Int, _ body: (Int, UInt32) -> Void) {
        var node = 0
        var i = start
        while i < text.count {
            node = child(node, text[i])
            if node < 0 { return }
            i += 1
            let value = terminal[node]
            if value != UInt32.max { body(i, value) }
        }
    }
}
