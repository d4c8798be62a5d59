import LMJSON

/// Structure-aware mutations of a JSON document (a manifest, a
/// `tokenizer.json`): parse, edit one node of the tree, serialize. Nodes are
/// reached by a random walk from the root, so shallow fields (the manifest's
/// counts, a tokenizer's model type) are hit as often as deep ones.
enum JSONMutator {
    /// Numbers on type edges: the signed 32/64-bit limits, 2^53 (the
    /// largest integer a double holds exactly), negatives where counts go.
    static let integers: [Int64] = [0, 1, -1, 2, 255, 65_535, 65_536, 1 << 31 - 1, 1 << 31, 1 << 32, 1 << 53 + 1,
                                    1 << 62, Int64.max, Int64.min]
    static let doubles: [Double] = [0.5, -0.0, 1e308, -1e308, 1e-300, 4.0, 3.000000001]
    static let strings: [String] = ["", "x", "../../../etc/passwd", "/dev/zero", "\u{0}", "é", "zzzzzzzzzzzzzzzz",
                                    "int32", "uint16", "xxh3-64", String(repeating: "a", count: 10_000), "\u{FFFF}\u{10FFFF}"]

    /// One mutation of `bytes`; falls back to a byte mutation when the text
    /// does not parse (or one time in four, to reach the parser's own errors).
    static func mutate(_ bytes: [UInt8], rng: inout FuzzRandom) -> ([UInt8], String) {
        guard !rng.chance(1, in: 4), var root = try? JSONParser.parse(bytes) else {
            var b = bytes
            let what = ByteMutator.mutate(&b, fields: [], rng: &rng)
            return (b, "text: " + what)
        }
        let path = walk(root, rng: &rng)
        var what = ""
        edit(&root, path: path[...]) { node in what = replace(&node, rng: &rng) }
        let style: JSONWriter.Style = rng.chance(1, in: 2) ? .compact : .pretty
        return (root.serializedBytes(style: style), "node \(path): " + what)
    }

    /// A random path: child indices (array index or object entry index).
    static func walk(_ root: JSONValue, rng: inout FuzzRandom) -> [Int] {
        var path: [Int] = []
        var node = root
        while rng.chance(3, in: 4) {
            switch node {
            case let .array(a) where !a.isEmpty:
                let i = rng.below(a.count)
                path.append(i)
                node = a[i]
            case let .object(o) where o.count > 0:
                let i = rng.below(o.count)
                path.append(i)
                node = o.entries[i].value
            default:
                return path
            }
        }
        return path
    }

    static func edit(_ node: inout JSONValue, path: ArraySlice<Int>, _ body: (inout JSONValue) -> Void) {
        guard let i = path.first else { return body(&node) }
        switch node {
        case var .array(a):
            edit(&a[i], path: path.dropFirst(), body)
            node = .array(a)
        case var .object(o):
            edit(&o.entries[i].value, path: path.dropFirst(), body)
            node = .object(o)
        default:
            body(&node)
        }
    }

    /// Replaces or reshapes `node`; returns what it did.
    static func replace(_ node: inout JSONValue, rng: inout FuzzRandom) -> String {
        switch rng.below(12) {
        case 0, 1:
            let v = rng.pick(integers)
            node = .int(v)
            return "= \(v)"
        case 2:
            let v = rng.pick(doubles)
            node = .double(v)
            return "= \(v)"
        case 3:
            let v = rng.pick(strings)
            node = .string(v)
            return "= \"\(v.prefix(32))\""
        case 4:
            node = rng.pick([.null, .bool(true), .bool(false), .array([]), .object(JSONObject())])
            return "= \(node.serialized())"
        case 5:
            let depth = rng.chance(1, in: 2) ? 600 : 100
            for _ in 0..<depth { node = .array([node]) }
            return "wrapped in \(depth) arrays"
        case 6:
            if case let .int(v) = node {
                let d = rng.pick([1, -1, 2, 1000] as [Int64])
                node = .int(v &+ d)
                return "+= \(d)"
            }
            node = .string(node.serialized())
            return "as a string"
        default:
            return reshape(&node, rng: &rng)
        }
    }

    /// Container edits: drop, duplicate or add keys and elements.
    static func reshape(_ node: inout JSONValue, rng: inout FuzzRandom) -> String {
        switch node {
        case var .object(o) where o.count > 0:
            let i = rng.below(o.count)
            switch rng.below(4) {
            case 0:
                let key = o.entries.remove(at: i).key
                node = .object(o)
                return "removed key \(key)"
            case 1:
                o.entries.append((key: o.entries[i].key, value: .int(rng.pick(integers))))
                node = .object(o)
                return "duplicated key \(o.entries[i].key)"
            case 2:
                o.entries.append((key: "surprise", value: .int(1)))
                node = .object(o)
                return "added unknown key"
            default:
                let j = rng.below(o.count)
                o.entries[i].value = o.entries[j].value
                node = .object(o)
                return "copied \(o.entries[j].key) into \(o.entries[i].key)"
            }
        case var .array(a) where !a.isEmpty:
            switch rng.below(4) {
            case 0:
                a.remove(at: rng.below(a.count))
                node = .array(a)
                return "removed an element"
            case 1:
                let e = a[rng.below(a.count)]
                a += [JSONValue](repeating: e, count: 1 + rng.below(100))
                node = .array(a)
                return "repeated an element"
            case 2:
                node = .array([])
                return "emptied"
            default:
                a.append(.int(rng.pick(integers)))
                node = .array(a)
                return "appended a number"
            }
        default:
            node = .int(rng.pick(integers))
            return "= a number"
        }
    }
}
