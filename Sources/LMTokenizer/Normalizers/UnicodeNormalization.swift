/// NFC, NFD, NFKC and NFKD with HF's tables, not Foundation's.
///
/// HF normalizes with the `unicode-normalization-alignments` crate (Unicode
/// 11.0 tables); `UnicodeNormalizationData` holds its decompositions,
/// combining classes, compositions and quick-check flags, taken from HF
/// itself by tools/unicode/gen_normalization.py. The algorithm is UAX #15's:
/// full decomposition (Hangul syllables by arithmetic), canonical ordering
/// of each run of marks by combining class, then, for the composed forms,
/// canonical composition, where a mark composes with the last starter unless
/// a mark of the same or a higher class stands between them, and Hangul
/// L+V and LV+T compose too ("\u{AC00}\u{11A8}" gives U+AC01, which
/// Foundation's `precomposedStringWithCanonicalMapping` misses on Linux).
///
/// Text whose every scalar passes the form's quick check (no decomposition,
/// no possible composition with the scalar before it, marks already in
/// order) is returned as is, so ASCII and most CJK cost one table probe per
/// scalar.
struct UnicodeNormalization: Sendable {
    static let shared = UnicodeNormalization()

    // Quick-check flag bits, as the generator writes them.
    static let noNFD: UInt8 = 1, noNFKD: UInt8 = 2, noNFC: UInt8 = 4, noNFKC: UInt8 = 8, maybeComposes: UInt8 = 16

    /// Flags and class of every BMP scalar, packed: class << 8 | flags.
    private let bmp: [UInt16]
    /// The same for the rest.
    private let astral: [UInt32: UInt16]
    /// Full decompositions: scalar -> range in `mappings`.
    private let canonical: [UInt32: Range<Int>]
    private let compatibility: [UInt32: Range<Int>]
    private let mappings: [UInt32]
    /// (first << 21 | second) -> composite.
    private let compositions: [UInt64: UInt32]

    private init() {
        var reader = GeneratedTableReader(base64: UnicodeNormalizationData.blob)
        func varint() -> UInt32 { reader.next() }
        var mappings: [UInt32] = []
        var canonical: [UInt32: Range<Int>] = [:]
        var compatibility: [UInt32: Range<Int>] = [:]
        reader.offset = UnicodeNormalizationData.decompositions.offset
        var scalar: UInt32 = 0
        for _ in 0..<UnicodeNormalizationData.decompositions.count {
            scalar += varint()
            let header = varint()
            let count = Int(header & 31)
            let start = mappings.count
            for _ in 0..<count { mappings.append(varint()) }
            if header >> 5 == 0 { canonical[scalar] = start..<mappings.count } else { compatibility[scalar] = start..<mappings.count }
        }
        var bmp = [UInt16](repeating: 0, count: 0x1_0000)
        var astral: [UInt32: UInt16] = [:]
        func set(_ c: UInt32, _ update: (inout UInt16) -> Void) {
            if c < 0x1_0000 { update(&bmp[Int(c)]) } else { update(&astral[c, default: 0]) }
        }
        reader.offset = UnicodeNormalizationData.classes.offset
        scalar = 0
        for _ in 0..<UnicodeNormalizationData.classes.count {
            scalar += varint()
            let ccc = UInt16(varint())
            set(scalar) { $0 |= ccc << 8 }
        }
        var compositions: [UInt64: UInt32] = [:]
        reader.offset = UnicodeNormalizationData.pairs.offset
        for _ in 0..<UnicodeNormalizationData.pairs.count {
            let a = varint(), b = varint(), c = varint()
            compositions[UInt64(a) << 21 | UInt64(b)] = c
        }
        reader.offset = UnicodeNormalizationData.flags.offset
        scalar = 0
        for _ in 0..<UnicodeNormalizationData.flags.count {
            scalar += varint()
            let flags = UInt16(varint())
            set(scalar) { $0 |= flags }
        }
        self.bmp = bmp
        self.astral = astral
        self.canonical = canonical
        self.compatibility = compatibility
        self.mappings = mappings
        self.compositions = compositions
    }

    @inline(__always)
    private func info(_ c: UInt32) -> UInt16 {
        c < 0x1_0000 ? bmp[Int(c)] : astral[c] ?? 0
    }

    @inline(__always)
    func combiningClass(_ c: UInt32) -> UInt8 { UInt8(info(c) >> 8) }

    /// `text` in `form`.
    func normalize(_ text: String, _ form: UnicodeNormalizer.Form) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
        let quickMask: UInt16
        switch form {
        case .nfd: quickMask = UInt16(Self.noNFD)
        case .nfkd: quickMask = UInt16(Self.noNFKD)
        case .nfc: quickMask = UInt16(Self.noNFC | Self.maybeComposes)
        case .nfkc: quickMask = UInt16(Self.noNFKC | Self.maybeComposes)
        }
        var lastClass: UInt16 = 0
        var quick = true
        for scalar in text.unicodeScalars {
            let info = info(scalar.value)
            let ccc = info >> 8
            if info & quickMask != 0 || (ccc != 0 && lastClass > ccc) {
                quick = false
                break
            }
            lastClass = ccc
        }
        if quick { return text }

        let compat = form == .nfkd || form == .nfkc
        var buffer: [UInt32] = []
        buffer.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars { decompose(scalar.value, compat: compat, into: &buffer) }
        reorder(&buffer)
        if form == .nfc || form == .nfkc { compose(&buffer) }
        var out = String.UnicodeScalarView()
        out.reserveCapacity(buffer.count)
        for v in buffer { out.append(Unicode.Scalar(v) ?? "\u{FFFD}") }
        return String(out)
    }

    // Hangul syllables: S = SBase + (L * VCount + V) * TCount + T.
    private static let sBase: UInt32 = 0xAC00, lBase: UInt32 = 0x1100, vBase: UInt32 = 0x1161, tBase: UInt32 = 0x11A7
    private static let lCount: UInt32 = 19, vCount: UInt32 = 21, tCount: UInt32 = 28
    private static let nCount = vCount * tCount, sCount = lCount * nCount

    private func decompose(_ c: UInt32, compat: Bool, into out: inout [UInt32]) {
        if c &- Self.sBase < Self.sCount {
            let s = c - Self.sBase
            out.append(Self.lBase + s / Self.nCount)
            out.append(Self.vBase + (s % Self.nCount) / Self.tCount)
            if s % Self.tCount != 0 { out.append(Self.tBase + s % Self.tCount) }
            return
        }
        if compat, let range = compatibility[c] {
            out.append(contentsOf: mappings[range])
        } else if let range = canonical[c] {
            out.append(contentsOf: mappings[range])
        } else {
            out.append(c)
        }
    }

    /// Stable sort of each run of non-starters by combining class.
    private func reorder(_ s: inout [UInt32]) {
        var i = 0
        while i < s.count {
            guard combiningClass(s[i]) != 0 else {
                i += 1
                continue
            }
            var j = i + 1
            while j < s.count && combiningClass(s[j]) != 0 { j += 1 }
            if j - i > 1 {
                // Insertion sort: runs of marks are short.
                for k in (i + 1)..<j {
                    let v = s[k]
                    let cv = combiningClass(v)
                    var m = k
                    while m > i && combiningClass(s[m - 1]) > cv {
                        s[m] = s[m - 1]
                        m -= 1
                    }
                    s[m] = v
                }
            }
            i = j
        }
    }

    private func composePair(_ a: UInt32, _ b: UInt32) -> UInt32? {
        if a &- Self.lBase < Self.lCount, b &- Self.vBase < Self.vCount {
            return Self.sBase + ((a - Self.lBase) * Self.vCount + (b - Self.vBase)) * Self.tCount
        }
        if a &- Self.sBase < Self.sCount, (a - Self.sBase) % Self.tCount == 0,
           b > Self.tBase, b - Self.tBase < Self.tCount {
            return a + (b - Self.tBase)
        }
        return compositions[UInt64(a) << 21 | UInt64(b)]
    }

    /// UAX #15 canonical composition, in place.
    private func compose(_ s: inout [UInt32]) {
        guard !s.isEmpty else { return }
        var starter = -1  // index in the output of the last starter
        var lastClass: Int = -1
        var write = 0
        for read in 0..<s.count {
            let c = s[read]
            let ccc = Int(combiningClass(c))
            if starter >= 0, lastClass < ccc || (lastClass == 0 && write == starter + 1),
               let composite = composePair(s[starter], c) {
                // Not blocked: no scalar between with class 0 or >= ccc.
                s[starter] = composite
                continue
            }
            if ccc == 0 {
                starter = write
                lastClass = 0
            } else {
                lastClass = ccc
            }
            s[write] = c
            write += 1
        }
        s.removeSubrange(write...)
    }
}
