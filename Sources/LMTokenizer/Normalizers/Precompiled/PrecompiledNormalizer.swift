import Foundation
import LMJSON

/// HF's `Precompiled` normalizer: applies a SentencePiece
/// `precompiled_charsmap` (what every tokenizer converted from a
/// SentencePiece model carries: T5, ALBERT, XLNet, mBART, XLM-R...).
///
/// Exactly as HF (and its `spm_precompiled` crate), grapheme cluster by
/// grapheme cluster (`PrecompiledCharsMap.forEachPart`): a cluster under
/// 6 UTF-8 bytes whose bytes have a replacement (`transform`, which
/// answers for the *shortest* matching prefix) is replaced whole;
/// otherwise each of its scalars is replaced by its own replacement or
/// kept. So "Ａ\u{301}" (fullwidth A + combining acute, 5 bytes) becomes
/// "A": the cluster takes the replacement of "Ａ" and loses its accent, as
/// in HF.
///
/// Speed: grapheme clusters come from Swift's `Character` breaking, which
/// costs far more than a byte. Two ASCII bytes (other than CR LF) always
/// have a cluster boundary between them, so ASCII text is handled a byte
/// at a time through a 128-entry table, and only stretches around
/// non-ASCII bytes are split into `Character`s.
///
/// Origins (`normalizeTrackingOrigin`) follow HF's bookkeeping, quirks
/// included: see `PrecompiledOrigins`.
public struct PrecompiledNormalizer: Normalizer {
    let map: PrecompiledCharsMap
    /// `transform` of each ASCII byte on its own.
    private let ascii: [Range<Int>?]

    init(_ json: JSONObject, path: String) throws {
        let fields = ComponentFields(json, path: path)
        let encoded = try fields.string("precompiled_charsmap")
        guard let data = Data(base64Encoded: encoded) else {
            throw fields.invalid("precompiled_charsmap", "not valid base64")
        }
        do {
            try self.init(charsmap: [UInt8](data))
        } catch let problem as PrecompiledCharsMap.Problem {
            throw fields.invalid("precompiled_charsmap", "\(problem)")
        }
    }

    /// A normalizer for a raw (decoded) charsmap.
    init(charsmap: [UInt8]) throws {
        let map = try PrecompiledCharsMap(charsmap)
        self.map = map
        ascii = (0..<128).map { b in
            withUnsafeBytes(of: UInt8(b)) { map.transform($0.bindMemory(to: UInt8.self)) }
        }
    }

    public func normalize(_ text: String) -> String {
        var text = text
        return text.withUTF8 { t in
            var out = [UInt8]()
            out.reserveCapacity(t.count + t.count / 4)
            var i = 0
            let n = t.count
            while i < n {
                let b = t[i]
                if b < 0x80 && (i + 1 == n || Self.asciiBoundary(t[i], t[i + 1])) {
                    if let r = ascii[Int(b)] { map.appendReplacement(r, to: &out) } else { out.append(b) }
                    i += 1
                    continue
                }
                // A stretch whose ends are certain cluster boundaries.
                var j = i + 1
                while j < n && !Self.asciiBoundary(t[j - 1], t[j]) { j += 1 }
                normalizeClusters(UnsafeBufferPointer(rebasing: t[i..<j]), into: &out)
                i = j
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    public func normalizeTrackingStart(_ text: String) -> (text: String, keepsStart: Bool) {
        let (out, n) = normalizeTrackingOrigin(text, fromFirst: 1)
        return (out, n > 0)
    }

    public func normalizeTrackingOrigin(_ text: String, fromFirst: Int) -> (text: String, fromFirst: Int) {
        let out = normalize(text)
        guard fromFirst > 0 else { return (out, 0) }
        return (out, min(PrecompiledOrigins.leadingFromFirst(text, fromFirst, map: map), out.unicodeScalars.count))
    }

    /// True when `a` and `b` are both ASCII and not CR LF: a cluster
    /// boundary lies between them (no extending, prepended or joined
    /// character is ASCII).
    @inline(__always)
    private static func asciiBoundary(_ a: UInt8, _ b: UInt8) -> Bool {
        a < 0x80 && b < 0x80 && !(a == 0x0D && b == 0x0A)
    }

    private func normalizeClusters(_ stretch: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        let text = String(decoding: stretch, as: UTF8.self)
        var buffer = [UInt8]()
        for cluster in text {
            map.forEachPart(of: cluster, buffer: &buffer) { bytes, replacement, _ in
                if let replacement { map.appendReplacement(replacement, to: &out) } else { out.append(contentsOf: bytes) }
            }
        }
    }
}
