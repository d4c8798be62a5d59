/// Which leading scalars of `Precompiled`'s output come from the input's
/// first characters, as HF's alignments say (Metaspace "first" reads it).
///
/// HF's `Precompiled::normalize` writes one `(char, change)` per output
/// scalar: a replaced cluster or scalar gives its replacement's scalars
/// with change 0, the last `new - old` of them marked inserted (1) when
/// the replacement is longer, and when it is shorter the *previous* entry
/// gets `new - old` (it then also removes the following input scalars).
/// `NormalizedString::transform` then walks the entries: change <= 0
/// consumes the next input scalar (and -change more), an inserted one
/// shares the origin of the scalar before it. Two consequences HF has and
/// lmshard keeps: a leading cluster that maps to nothing is recorded
/// nowhere, so the next output scalar consumes input scalar 0 and still
/// "starts the input"; and a cluster replaced by its shortest matching
/// prefix's replacement ("e\u{301}" -> "E") consumes the whole cluster.
enum PrecompiledOrigins {
    /// The number of leading output scalars whose origin is one of the
    /// first `fromFirst` input scalars of `text`. Only the clusters up to
    /// the first output scalar of a later origin are examined.
    static func leadingFromFirst(_ text: String, _ fromFirst: Int, map: PrecompiledCharsMap) -> Int {
        var changes: [Int] = []
        /// HF's `replace`: `old` input scalars became `new` output scalars.
        func replace(old: Int, new: Int) {
            changes.append(contentsOf: repeatElement(0, count: new))
            let diff = new - old
            if diff > 0 {
                for j in (changes.count - diff)..<changes.count { changes[j] = 1 }
            } else if diff < 0, !changes.isEmpty {
                changes[changes.count - 1] += diff
            }
        }
        /// The first entry among `changes[..<limit]` whose origin is past
        /// the first characters, if any (origins never decrease).
        func firstLater(limit: Int) -> Int? {
            var consumed = 0
            for j in 0..<limit {
                let change = changes[j]
                let origin = change > 0 ? max(consumed - 1, 0) : consumed
                if origin >= fromFirst { return j }
                if change <= 0 { consumed += 1 - change }
            }
            return nil
        }
        var buffer: [UInt8] = []
        for cluster in text {
            map.forEachPart(of: cluster, buffer: &buffer) { _, replacement, scalars in
                if let replacement {
                    replace(old: scalars, new: map.scalarCount(replacement))
                } else {
                    changes.append(0)
                }
            }
            // Every entry but the last is final: only the last one can
            // still be changed by a shorter replacement after it.
            if changes.count > 1, let j = firstLater(limit: changes.count - 1) { return j }
        }
        return firstLater(limit: changes.count) ?? changes.count
    }
}
