/// Decodes one Unicode scalar at a time from UTF-8 bytes, for the basic
/// pre-tokenizers that classify characters (digits, punctuation, `\w`).
///
/// Pieces come from Swift strings, so they are valid UTF-8; a malformed byte
/// still decodes (as U+FFFD, one byte long) rather than trapping, so a bad
/// piece can never crash a worker.
enum UTF8Scalars {
    /// The scalar starting at `i` and its length in bytes.
    @inline(__always)
    static func scalar(inUnsafeBytes bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> (scalar: Unicode.Scalar, length: Int) {
        let b0 = bytes[i]
        if b0 < 0x80 { return (Unicode.Scalar(b0), 1) }
        let count = bytes.count
        @inline(__always) func cont(_ k: Int) -> UInt32? {
            guard i + k < count else { return nil }
            let b = bytes[i + k]
            return b & 0xC0 == 0x80 ? UInt32(b & 0x3F) : nil
        }
        var value: UInt32
        var length: Int
        switch b0 {
        case 0xC2...0xDF:
            guard let c1 = cont(1) else { return (replacement, 1) }
            value = UInt32(b0 & 0x1F) << 6 | c1
            length = 2
        case 0xE0...0xEF:
            guard let c1 = cont(1), let c2 = cont(2) else { return (replacement, 1) }
            value = UInt32(b0 & 0x0F) << 12 | c1 << 6 | c2
            length = 3
            if value < 0x800 { return (replacement, 1) }
        case 0xF0...0xF4:
            guard let c1 = cont(1), let c2 = cont(2), let c3 = cont(3) else { return (replacement, 1) }
            value = UInt32(b0 & 0x07) << 18 | c1 << 12 | c2 << 6 | c3
            length = 4
            if value < 0x10000 { return (replacement, 1) }
        default:
            return (replacement, 1)
        }
        guard let scalar = Unicode.Scalar(value) else { return (replacement, 1) }
        return (scalar, length)
    }

    static let replacement: Unicode.Scalar = "\u{FFFD}"
}

/// How a split keeps its delimiters: HF's `SplitDelimiterBehavior`.
enum DelimiterBehavior: String, Sendable {
    case removed = "Removed"
    case isolated = "Isolated"
    case mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext"
    case contiguous = "Contiguous"
}

/// Splits a piece wherever a single scalar satisfies `isDelimiter`, as HF's
/// `NormalizedString::split` with a `Fn(char) -> bool` pattern: every
/// delimiter scalar is its own match, then `behavior` decides what to keep.
struct ScalarSplitter {
    let behavior: DelimiterBehavior

    /// Appends the pieces of `piece` to `out`.
    func split(
        unsafeBytes piece: UnsafeBufferPointer<UInt8>, into out: inout PieceList,
        isDelimiter: (Unicode.Scalar) -> Bool
    ) {
        if behavior == .isolated {
            // Every run and every delimiter is a piece: no list to fold
            // (BertPreTokenizer calls this per word).
            var runStart = 0
            var i = 0
            while i < piece.count {
                let (scalar, length) = UTF8Scalars.scalar(inUnsafeBytes: piece, at: i)
                if isDelimiter(scalar) {
                    out.append(unsafeBytes: UnsafeBufferPointer(rebasing: piece[runStart..<i]))
                    out.append(unsafeBytes: UnsafeBufferPointer(rebasing: piece[i..<(i + length)]))
                    runStart = i + length
                }
                i += length
            }
            out.append(unsafeBytes: UnsafeBufferPointer(rebasing: piece[runStart..<piece.count]))
            return
        }
        // 1. The HF match list: alternating runs, each (range, isMatch).
        var segments: [(range: Range<Int>, isMatch: Bool)] = []
        var runStart = 0
        var i = 0
        while i < piece.count {
            let (scalar, length) = UTF8Scalars.scalar(inUnsafeBytes: piece, at: i)
            if isDelimiter(scalar) {
                if runStart < i { segments.append((runStart..<i, false)) }
                segments.append((i..<(i + length), true))
                runStart = i + length
            }
            i += length
        }
        if runStart < piece.count { segments.append((runStart..<piece.count, false)) }

        // 2. Apply the behavior, exactly as HF folds the match list.
        var kept: [Range<Int>] = []
        kept.reserveCapacity(segments.count)
        switch behavior {
        case .removed:
            kept = segments.filter { !$0.isMatch }.map(\.range)
        case .isolated:
            kept = segments.map(\.range)
        case .mergedWithPrevious:
            var previousMatch = false
            for (range, isMatch) in segments {
                if isMatch && !previousMatch, let last = kept.last {
                    kept[kept.count - 1] = last.lowerBound..<range.upperBound
                } else {
                    kept.append(range)
                }
                previousMatch = isMatch
            }
        case .mergedWithNext:
            var previousMatch = false
            for (range, isMatch) in segments.reversed() {
                if isMatch && !previousMatch, let last = kept.last {
                    kept[kept.count - 1] = range.lowerBound..<last.upperBound
                } else {
                    kept.append(range)
                }
                previousMatch = isMatch
            }
            kept.reverse()
        case .contiguous:
            var previousMatch = false
            for (range, isMatch) in segments {
                if isMatch == previousMatch, let last = kept.last {
                    kept[kept.count - 1] = last.lowerBound..<range.upperBound
                } else {
                    kept.append(range)
                }
                previousMatch = isMatch
            }
        }
        for range in kept {
            out.append(unsafeBytes: UnsafeBufferPointer(rebasing: piece[range]))
        }
    }
}
