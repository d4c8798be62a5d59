import LMJSON

/// HF's `Split` pre-tokenizer: find `pattern` in the piece, then keep, drop or
/// glue the matches to their neighbours according to `behavior`.
///
/// Semantics follow HF's `NormalizedString::split` with
/// `SplitDelimiterBehavior`: the matches and the gaps between them tile the
/// piece; `invert` swaps which tiles count as matches.
struct SplitPreTokenizer: PreTokenizer {
    enum Behavior: String, Sendable {
        case removed = "Removed"
        case isolated = "Isolated"
        case mergedWithPrevious = "MergedWithPrevious"
        case mergedWithNext = "MergedWithNext"
        case contiguous = "Contiguous"
    }

    let pattern: SplitPattern
    let behavior: Behavior
    let invert: Bool

    init(pattern: SplitPattern, behavior: Behavior, invert: Bool) {
        self.pattern = pattern
        self.behavior = behavior
        self.invert = invert
    }

    init(json: JSONObject, path: String) throws {
        guard let p = json["pattern"] else {
            throw TokenizerError.invalidField(path: "\(path).pattern", reason: "missing")
        }
        pattern = try SplitPattern.from(p, path: "\(path).pattern")
        guard case let .string(b)? = json["behavior"], let parsed = Behavior(rawValue: b) else {
            throw TokenizerError.invalidField(
                path: "\(path).behavior", reason: "expected Removed, Isolated, MergedWithPrevious, MergedWithNext or Contiguous")
        }
        behavior = parsed
        switch json["invert"] {
        case nil, .null?: invert = false
        case let .bool(v)?: invert = v
        default: throw TokenizerError.invalidField(path: "\(path).invert", reason: "expected a boolean")
        }
    }

    func split(unsafeBytes piece: UnsafeBufferPointer<UInt8>, into out: inout PieceList) throws {
        // Fast path: Isolated without invert keeps every tile as it is.
        if behavior == .isolated {
            var previous = 0
            try pattern.forEachMatch(inUnsafeBytes: piece) { start, end in
                if previous < start { out.append(unsafeBytes: UnsafeBufferPointer(rebasing: piece[previous..<start])) }
                out.append(unsafeBytes: UnsafeBufferPointer(rebasing: piece[start..<end]))
                previous = end
            }
            if previous < piece.count { out.append(unsafeBytes: UnsafeBufferPointer(rebasing: piece[previous...])) }
            return
        }
        // Tiles (start, end, isMatch) covering the piece.
        var tiles: [(Int, Int, Bool)] = []
        var previous = 0
        try pattern.forEachMatch(inUnsafeBytes: piece) { start, end in
            if previous < start { tiles.append((previous, start, invert)) }
            tiles.append((start, end, !invert))
            previous = end
        }
        if previous < piece.count { tiles.append((previous, piece.count, invert)) }

        var result: [(Int, Int)] = []
        switch behavior {
        case .isolated:
            result = tiles.map { ($0.0, $0.1) }
        case .removed:
            result = tiles.filter { !$0.2 }.map { ($0.0, $0.1) }
        case .contiguous:
            var previousMatch = false
            for (s, e, m) in tiles {
                if m == previousMatch, !result.isEmpty {
                    result[result.count - 1].1 = e
                } else {
                    result.append((s, e))
                }
                previousMatch = m
            }
        case .mergedWithPrevious:
            var previousMatch = false
            for (s, e, m) in tiles {
                if m && !previousMatch, !result.isEmpty {
                    result[result.count - 1].1 = e
                } else {
                    result.append((s, e))
                }
                previousMatch = m
            }
        case .mergedWithNext:
            var previousMatch = false
            for (s, e, m) in tiles.reversed() {
                if m && !previousMatch, !result.isEmpty {
                    result[result.count - 1].0 = s
                } else {
                    result.append((s, e))
                }
                previousMatch = m
            }
            result.reverse()
        }
        for (s, e) in result where s < e {
            out.append(unsafeBytes: UnsafeBufferPointer(rebasing: piece[s..<e]))
        }
    }
}

extension SplitPreTokenizer: FrontDroppingPreTokenizer {
    /// Only `Removed` drops anything: the front survives unless the first
    /// non-empty tile counts as a match.
    func keepsFirstByte(ofUnsafeBytes piece: UnsafeBufferPointer<UInt8>) throws -> Bool {
        guard behavior == .removed, !piece.isEmpty else { return true }
        var firstTileIsMatch: Bool? = nil
        try pattern.forEachMatch(inUnsafeBytes: piece) { start, end in
            guard firstTileIsMatch == nil else { return }
            if start > 0 {
                firstTileIsMatch = invert
            } else if end > start {
                firstTileIsMatch = !invert
            }
        }
        // No match at all: the whole piece is one gap.
        return !(firstTileIsMatch ?? invert)
    }
}
