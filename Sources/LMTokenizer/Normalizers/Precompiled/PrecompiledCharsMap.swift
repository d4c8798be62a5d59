import Foundation

/// SentencePiece's `precompiled_charsmap`: the normalization rules a
/// trained model carries (NFKC and its own fixes), compiled into a
/// double-array trie over UTF-8 bytes plus a blob of replacement strings.
///
/// Layout (little-endian), as SentencePiece writes it and HF's
/// `spm_precompiled` crate reads it:
///
///     offset 0   u32            trie size in bytes (a multiple of 4)
///     offset 4   u32 * size/4   double-array units
///     then       bytes          replacements, each ended by NUL; valid UTF-8
///
/// A unit packs (darts-clone's format): bit 8 "has leaf", bits 0-7 (and
/// bit 31) the label a transition must carry, bits 10-31 an offset that
/// bit 9 scales by 256; a leaf unit's low 31 bits are a byte offset into
/// the replacements.
struct PrecompiledCharsMap: Sendable {
    private let units: [UInt32]
    private let replacements: [UInt8]

    /// Why a charsmap cannot be used.
    enum Problem: Error, CustomStringConvertible {
        case tooShort(Int)
        case truncatedTrie(declared: Int, available: Int)
        case emptyTrie
        case replacementsNotUTF8

        var description: String {
            switch self {
            case let .tooShort(n): return "\(n) bytes, shorter than its 4-byte header"
            case let .truncatedTrie(declared, available):
                return "the header declares a \(declared)-byte trie but only \(available) bytes follow"
            case .emptyTrie: return "the trie is empty"
            case .replacementsNotUTF8: return "the replacement strings are not valid UTF-8"
            }
        }
    }

    /// Parses the decoded (not base64) charsmap. HF reads the same layout
    /// and rejects invalid UTF-8 replacements; an empty trie it accepts
    /// but then panics on every input, so that is refused here.
    init(_ data: [UInt8]) throws {
        guard data.count >= 4 else { throw Problem.tooShort(data.count) }
        let declared = Int(Self.u32(data, at: 0))
        let trieBytes = declared / 4 * 4
        guard 4 + trieBytes <= data.count else {
            throw Problem.truncatedTrie(declared: declared, available: data.count - 4)
        }
        guard trieBytes > 0 else { throw Problem.emptyTrie }
        units = (0..<(trieBytes / 4)).map { Self.u32(data, at: 4 + 4 * $0) }
        replacements = Array(data[(4 + trieBytes)...])
        guard String(validating: replacements, as: UTF8.self) != nil else { throw Problem.replacementsNotUTF8 }
    }

    private static func u32(_ d: [UInt8], at i: Int) -> UInt32 {
        UInt32(d[i]) | UInt32(d[i + 1]) << 8 | UInt32(d[i + 2]) << 16 | UInt32(d[i + 3]) << 24
    }

    @inline(__always) private static func hasLeaf(_ u: UInt32) -> Bool { (u >> 8) & 1 == 1 }
    @inline(__always) private static func value(_ u: UInt32) -> Int { Int(u & 0x7FFF_FFFF) }
    @inline(__always) private static func label(_ u: UInt32) -> UInt32 { u & 0x8000_00FF }
    @inline(__always) private static func offset(_ u: UInt32) -> Int { Int((u >> 10) << ((u & 0x200) >> 6)) }

    /// HF's `Precompiled::transform`: the replacement of the *shortest*
    /// prefix of `chunk` that has one (not the longest, and not
    /// necessarily all of `chunk`: the caller replaces the whole chunk
    /// with it, as HF does), as a range of `replacements`; nil when no
    /// prefix has one. A NUL byte ends the search.
    ///
    /// A damaged trie (a position past the array, a replacement offset
    /// past the blob or inside a character) makes HF panic; here it means
    /// "no replacement", so no input can crash encoding.
    func transform(_ chunk: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        units.withUnsafeBufferPointer { a in
            var node = Self.offset(a[0])
            for c in chunk {
                if c == 0 { return nil }
                node ^= Int(c)
                guard node < a.count else { return nil }
                let unit = a[node]
                guard Self.label(unit) == UInt32(c) else { return nil }
                node ^= Self.offset(unit)
                guard Self.hasLeaf(unit) else { continue }
                guard node < a.count else { return nil }
                return replacement(at: Self.value(a[node]))
            }
            return nil
        }
    }

    /// HF's rule for one grapheme cluster: a cluster under 6 UTF-8 bytes
    /// that `transform` replaces is replaced whole; otherwise each of its
    /// scalars is replaced on its own, or kept. Calls `body(bytes,
    /// replacement, scalars)` for each part in order: its UTF-8 bytes, its
    /// replacement (nil: kept as is) and how many input scalars it covers.
    /// `buffer` holds the bytes, reused across calls.
    @inline(__always)
    func forEachPart(
        of cluster: Character, buffer: inout [UInt8], _ body: (_ bytes: [UInt8], _ replacement: Range<Int>?, _ scalars: Int) -> Void
    ) {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: cluster.utf8)
        if buffer.count < 6, let r = buffer.withUnsafeBufferPointer({ transform($0) }) {
            body(buffer, r, cluster.unicodeScalars.count)
            return
        }
        for scalar in cluster.unicodeScalars {
            buffer.removeAll(keepingCapacity: true)
            buffer.append(contentsOf: scalar.utf8)
            body(buffer, buffer.withUnsafeBufferPointer { transform($0) }, 1)
        }
    }

    /// The NUL-terminated (or blob-terminated) replacement at `start`.
    private func replacement(at start: Int) -> Range<Int>? {
        guard start <= replacements.count else { return nil }
        if start < replacements.count && replacements[start] & 0xC0 == 0x80 { return nil }
        var end = start
        while end < replacements.count && replacements[end] != 0 { end += 1 }
        return start..<end
    }

    /// The number of scalars in the replacement `range` (from `transform`).
    func scalarCount(_ range: Range<Int>) -> Int {
        replacements[range].reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
    }

    /// Appends the bytes of `range` (from `transform`) to `out`.
    @inline(__always)
    func appendReplacement(_ range: Range<Int>, to out: inout [UInt8]) {
        out.append(contentsOf: replacements[range])
    }
}
