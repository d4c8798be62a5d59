extension UnigramModel {
    /// HF's `Unigram::encode_optimized` followed by `tokenize`'s id lookup.
    ///
    /// 1. For each character start, in order, every token starting there
    ///    (shortest first) offers `best[start] + score` to `best[end]`; a
    ///    strictly higher score replaces the current best, so on ties the
    ///    first offer stays. A character with no one-character token gets
    ///    an unknown node (`unkScore`), or HF raises when there is no
    ///    `unk_id`, byte fallback or not.
    /// 2. The best path is read back from the end; adjacent nodes whose id
    ///    is `unk_id` (unknown characters, or the literal unk token text)
    ///    are fused into one stretch.
    /// 3. A fused stretch is looked up whole (it may be a token), else
    ///    spelled with `<0xAB>` tokens when byte fallback is on and every
    ///    byte has one, else it is one `unk_id`.
    func encode(piece p: UnsafeBufferPointer<UInt8>, scratch s: ModelScratch, into out: inout [UInt32]) -> Bool {
        let n = p.count
        guard n > 0 else { return true }
        if s.bestScore.count < n + 1 {
            let size = max(n + 1, s.bestScore.count * 2)
            s.bestScore = [Double](repeating: 0, count: size)
            s.bestStart = [Int32](repeating: -1, count: size)
            s.bestId = [UInt32](repeating: 0, count: size)
        }
        let ok = s.bestScore.withUnsafeMutableBufferPointer { score in
            s.bestStart.withUnsafeMutableBufferPointer { from in
                s.bestId.withUnsafeMutableBufferPointer { id in
                    forwardPass(p, score: score, from: from, id: id)
                }
            }
        }
        guard ok else { return false }
        backtrack(p, scratch: s, into: &out)
        return true
    }

    /// Step 1. Returns false when a character has no token and there is no `unk_id`.
    private func forwardPass(
        _ p: UnsafeBufferPointer<UInt8>, score: UnsafeMutableBufferPointer<Double>,
        from: UnsafeMutableBufferPointer<Int32>, id: UnsafeMutableBufferPointer<UInt32>
    ) -> Bool {
        let n = p.count
        for k in 0...n { from[k] = -1 }
        score[0] = 0
        var start = 0
        while start < n {
            let charLength = UTF8Scan.decode(p, start).length
            let base = score[start]
            var hasSingle = false
            scores.withUnsafeBufferPointer { scores in
                trie.forEachPrefix(of: p, from: start) { end, token in
                    let candidate = scores[Int(token)] + base
                    if from[end] < 0 || candidate > score[end] {
                        score[end] = candidate
                        from[end] = Int32(start)
                        id[end] = token
                    }
                    if end - start == charLength { hasSingle = true }
                }
            }
            if !hasSingle {
                guard let unkId else { return false }
                let end = start + charLength
                let candidate = unkScore + base
                if from[end] < 0 || candidate > score[end] {
                    score[end] = candidate
                    from[end] = Int32(start)
                    id[end] = unkId
                }
            }
            start += charLength
        }
        return true
    }

    /// Steps 2 and 3: reads the best path back into `s.offsets` (node ends,
    /// last first), then emits ids first to last.
    private func backtrack(_ p: UnsafeBufferPointer<UInt8>, scratch s: ModelScratch, into out: inout [UInt32]) {
        s.offsets.removeAll(keepingCapacity: true)
        var end = p.count
        while end > 0 {
            s.offsets.append(Int32(end))
            end = Int(s.bestStart[end])
        }
        var k = s.offsets.count - 1
        var start = 0
        while k >= 0 {
            let nodeEnd = Int(s.offsets[k])
            let token = s.bestId[nodeEnd]
            guard token == unkId else {
                out.append(token)
                start = nodeEnd
                k -= 1
                continue
            }
            // A run of unk nodes: fuse them.
            var stretchEnd = nodeEnd
            k -= 1
            while k >= 0, s.bestId[Int(s.offsets[k])] == unkId {
                stretchEnd = Int(s.offsets[k])
                k -= 1
            }
            appendStretch(UnsafeBufferPointer(rebasing: p[start..<stretchEnd]), into: &out)
            start = stretchEnd
        }
    }

    private func appendStretch(_ stretch: UnsafeBufferPointer<UInt8>, into out: inout [UInt32]) {
        if let id = table.get(stretch) {
            out.append(id)
            return
        }
        if byteFallback, stretch.allSatisfy({ byteFallbackIds[Int($0)] != UInt32.max }) {
            for b in stretch { out.append(byteFallbackIds[Int(b)]) }
            return
        }
        // A stretch exists only where an unk node was placed, so unkId is set.
        if let unkId { out.append(unkId) }
    }
}
