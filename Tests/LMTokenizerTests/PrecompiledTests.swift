import Foundation
import LMJSON
import Testing

@testable import LMTokenizer

/// The `Precompiled` normalizer on a charsmap laid out by hand, so the
/// double-array format and HF's grapheme rules can be followed exactly.
/// (Real SentencePiece charsmaps are checked against HF by
/// tools/parity: run_layouts.py and sweep_components.py.)
struct PrecompiledTests {
    /// Rules "e" -> "E" and U+0301 (CC 81) -> "" in a 512-unit double array.
    ///
    /// Root (unit 0) has offset 0x100, so a first byte c sits at 0x100 ^ c.
    /// "e" (0x65) at 0x165: label 0x65, has-leaf, offset 0x80 -> its value
    /// unit at 0x165 ^ 0x80 = 0x1E5 points at "E" (blob offset 0).
    /// 0xCC at 0x1CC: label 0xCC, offset 0x20, no leaf; 0x81 after it at
    /// 0x1CC ^ 0x20 ^ 0x81 = 0x16D: label 0x81, has-leaf, offset 0x04 -> value
    /// unit at 0x169 points at "" (blob offset 2). Blob: "E\0\0".
    static func charsmap() -> [UInt8] {
        var units = [UInt32](repeating: 0, count: 512)
        func offset(_ o: UInt32) -> UInt32 { o << 10 }
        let hasLeaf: UInt32 = 1 << 8
        let isValue: UInt32 = 1 << 31
        units[0] = offset(0x100)
        units[0x165] = 0x65 | hasLeaf | offset(0x80)
        units[0x1E5] = isValue | 0
        units[0x1CC] = 0xCC | offset(0x20)
        units[0x16D] = 0x81 | hasLeaf | offset(0x04)
        units[0x169] = isValue | 2
        var bytes: [UInt8] = []
        func u32(_ v: UInt32) { for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * k))) } }
        u32(UInt32(units.count * 4))
        units.forEach(u32)
        bytes += Array("E\0\0".utf8)
        return bytes
    }

    static func normalizer(_ charsmap: [UInt8]) throws -> any Normalizer {
        try ExtraJSON.normalizer([
            "type": .string("Precompiled"), "precompiled_charsmap": .string(Data(charsmap).base64EncodedString()),
        ])
    }

    @Test func rulesApplyPerCluster() throws {
        let n = try Self.normalizer(Self.charsmap())
        #expect(try n.normalize("e") == "E")
        #expect(try n.normalize("xex") == "xEx")
        // "e" + U+0301 is one cluster under 6 bytes; its shortest matching
        // prefix is "e", so HF replaces the whole cluster with "E".
        #expect(try n.normalize("ae\u{301}b") == "aEb")
        // "a" + U+0301: no rule for the cluster, so scalar by scalar: "a"
        // stays, U+0301 goes.
        #expect(try n.normalize("a\u{301}") == "a")
        // A cluster of 6 bytes or more ("a" + 3 x U+0301 = 7) goes scalar by scalar.
        #expect(try n.normalize("e\u{301}\u{301}\u{301}") == "E")
        // CR LF is one cluster; no rule: both kept.
        #expect(try n.normalize("\r\ne") == "\r\nE")
        #expect(try n.normalize("") == "")
        // A leading cluster that maps to nothing still keeps the start (HF's alignments).
        #expect(try n.normalizeTrackingStart("\u{301}x") == ("x", true))
    }

    @Test func originsFollowHFAlignments() throws {
        let n = try Self.normalizer(Self.charsmap())
        // "e" + U+0301 -> "E" consumes both input scalars; "x" is the third.
        #expect(try n.normalizeTrackingOrigin("e\u{301}x", fromFirst: 1) == ("Ex", 1))
        #expect(try n.normalizeTrackingOrigin("e\u{301}x", fromFirst: 2) == ("Ex", 1))
        #expect(try n.normalizeTrackingOrigin("e\u{301}x", fromFirst: 3) == ("Ex", 2))
        // A leading U+0301 that maps to nothing is recorded nowhere in HF:
        // "x" then consumes input scalar 0.
        #expect(try n.normalizeTrackingOrigin("\u{301}xy", fromFirst: 1) == ("xy", 1))
        // Unchanged text keeps its origins.
        #expect(try n.normalizeTrackingOrigin("abc", fromFirst: 2) == ("abc", 2))
        #expect(try n.normalizeTrackingOrigin("abc", fromFirst: 0) == ("abc", 0))
    }

    @Test func damagedCharsmapsAreRefusedOrHarmless() throws {
        #expect(throws: TokenizerError.self) { try Self.normalizer([1, 2]) }
        // Declares 4096 bytes of trie with 8 present.
        #expect(throws: TokenizerError.self) { try Self.normalizer([0, 16, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]) }
        // An empty trie (HF loads it and then panics on every input).
        #expect(throws: TokenizerError.self) { try Self.normalizer([0, 0, 0, 0]) }
        // Replacements that are not UTF-8.
        #expect(throws: TokenizerError.self) { try Self.normalizer(Array(Self.charsmap().dropLast(3)) + [0xFF, 0, 0]) }
        #expect(throws: TokenizerError.self) {
            try ExtraJSON.normalizer(["type": .string("Precompiled"), "precompiled_charsmap": .string("not base64!")])
        }
        // A value pointing past the blob: no replacement rather than a crash.
        var bad = Self.charsmap()
        let at = 4 + 4 * 0x1E5
        bad[at] = 0xFF; bad[at + 1] = 0xFF
        #expect(try Self.normalizer(bad).normalize("e") == "e")
    }
}
