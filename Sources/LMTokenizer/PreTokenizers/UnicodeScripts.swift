/// HF's `UnicodeScripts` pre-tokenizer (SentencePiece's script splitting,
/// used by Unigram tokenizers such as XLNet's): a piece is cut wherever the
/// script changes.
///
/// Scripts are HF's (Unicode 9.0 via SentencePiece), with Hiragana,
/// Katakana and U+30FC counted as Han so Japanese stays together. " " and
/// scalars the table lacks are "Any": never cut before or after, and not
/// the script the next scalar is compared with, so in "日本 語" the space
/// does not separate the two Han runs, and in "a 一" the cut is before "一".
///
/// As in HF, the first piece starts at the first scalar that is not Any:
/// leading spaces (and unassigned scalars) are dropped, and a piece made
/// only of them gives nothing (" hello" -> "hello", "  " -> nothing). HF
/// collects the cut offsets and slices between consecutive ones, and the
/// first cut is where the first script begins.
public struct UnicodeScriptsPreTokenizer: PreTokenizer {
    /// Creates the pre-tokenizer; it has no options.
    public init() {}

    public func split(unsafeBytes piece: UnsafeBufferPointer<UInt8>, into out: inout PieceList) {
        var last: UInt8 = 0  // class of the last non-Any scalar; 0 = none yet
        var pieceStart = -1  // none until the first non-Any scalar
        var i = 0
        while i < piece.count {
            let (value, length) = UTF8Scan.decode(piece, i)
            let script = Self.scriptClass(value)
            if script != 0 {
                if last != script {
                    if pieceStart >= 0 { out.append(unsafeBytes: UnsafeBufferPointer(rebasing: piece[pieceStart..<i])) }
                    pieceStart = i
                }
                last = script
            }
            i += length
        }
        if pieceStart >= 0 { out.append(unsafeBytes: UnsafeBufferPointer(rebasing: piece[pieceStart..<piece.count])) }
    }

    /// The scalar's class in `UnicodeScriptTable` (0 = Any), by binary
    /// search over its ranges; " " is Any whatever the table says.
    static func scriptClass(_ value: UInt32) -> UInt8 {
        if value == 0x20 { return 0 }
        return UnicodeScriptTable.ranges.withUnsafeBufferPointer { ranges in
            var lo = 0
            var hi = ranges.count  // the answer is the last range starting <= value
            while hi - lo > 1 {
                let mid = (lo + hi) / 2
                if ranges[mid] >> 8 <= value { lo = mid } else { hi = mid }
            }
            return UInt8(truncatingIfNeeded: ranges[lo])
        }
    }
}

extension UnicodeScriptsPreTokenizer: FrontDroppingPreTokenizer {
    func keepsFirstByte(ofUnsafeBytes piece: UnsafeBufferPointer<UInt8>) -> Bool {
        piece.isEmpty || Self.scriptClass(UTF8Scan.decode(piece, 0).value) != 0
    }
}
