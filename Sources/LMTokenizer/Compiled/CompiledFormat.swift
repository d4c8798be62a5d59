import CXXHash

/// The compiled form of a BPE `tokenizer.json`: the tables that take most of
/// a load to build, laid out to be adopted in place or with a memory copy.
///
/// Loading Llama 3's 17 MB `tokenizer.json` from JSON costs ~0.5 s of the
/// process, measured with `perf` on a release build: 54% building the merge
/// table (26% vocabulary lookups of both halves and the result of each of
/// 280k merges, 15% inserting pairs, 9% translating GPT-2 alphabet strings
/// to bytes), 17% parsing the JSON, 9% the vocabulary table, the rest
/// reading the file and freeing the parsed tree. Every one of those is
/// skipped by a compiled load: the file is hashed (the key) through a
/// memory map, the compiled file is mapped and checked, its merge table
/// adopted where it lies (`TableArray`) and its other arrays copied out
/// (tools/bench/README.md has the figures).
///
/// Layout (all integers little-endian; the file is written and read only on
/// little-endian hosts, anything else skips the cache):
///
/// | offset | size | field |
/// |---|---|---|
/// | 0  | 8  | magic `LMTOKBPE` |
/// | 8  | 4  | format version (`version`) |
/// | 12 | 4  | number of sections (must be `Section.allCases.count`) |
/// | 16 | 8  | size in bytes of the source `tokenizer.json` |
/// | 24 | 32 | SHA-256 of the source `tokenizer.json` bytes |
/// | 56 | 8  | payload length: file size - `headerSize` |
/// | 64 | 8  | XXH3-64 (seed 0) of the payload (every byte after the header) |
/// | 72 | 24 x n | section table: id u32, element size u32, offset u64, byte count u64 |
/// | .. | .. | sections, each at an offset that is a multiple of 8 |
///
/// Every header field is compared with what it must be, so any change to
/// the header or the payload rejects the file. The checksum finds damage,
/// not forgery: a file crafted with a valid checksum can give wrong ids but
/// never a crash, because the reader also checks every invariant the
/// encoder's table lookups rely on (see `CompiledTables.validate`).
enum CompiledFormat {
    static let magic: [UInt8] = Array("LMTOKBPE".utf8)
    /// Bumped whenever a section's meaning changes; a file of another
    /// version is rebuilt.
    static let version: UInt32 = 1
    static let headerSize = 72
    static let sectionEntrySize = 24
    /// Sections start at multiples of this, so typed arrays are aligned.
    static let alignment = 8

    /// The payload checksum: XXH3-64, seed 0 (~30 GB/s, so checking the
    /// 13 MB of Llama 3's tables costs well under a millisecond).
    static func checksum(_ payload: UnsafeRawBufferPointer) -> UInt64 {
        XXH3_64bits(payload.baseAddress, payload.count)
    }

    /// The sections, in file order. Each holds one array of the BPE model
    /// (`BPEModel`, `ByteStringTable`, `PairTable`) or the rest of the
    /// tokenizer as JSON.
    enum Section: UInt32, CaseIterable {
        /// The `tokenizer.json` without `model.vocab` and `model.merges`
        /// (compact JSON): normalizer, pre-tokenizer, added tokens, ...
        /// are rebuilt from it, which takes well under a millisecond.
        case json = 1
        /// `Scalar` values, UInt64 each.
        case scalars
        case continuingSubwordPrefix
        case endOfWordSuffix
        case vocabArena
        case vocabStarts
        case vocabLengths
        case vocabValues
        case vocabSlots
        /// `StringList` of the original vocabulary string per id (nil allowed).
        case idToString
        /// `StringList` of the vocabulary strings without a byte form.
        case untranslatableKeys
        case untranslatableIds
        case pairSlots
        case pairMergedByRank
        case byteFallbackIds
        case byteIds
        /// One byte (0 or 1) per id, or empty.
        case reachable
        case bytePairs

        /// Bytes per element: the section's length must be a multiple.
        var elementSize: Int {
            switch self {
            case .json, .continuingSubwordPrefix, .endOfWordSuffix, .vocabArena, .idToString,
                 .untranslatableKeys, .reachable:
                return 1
            case .vocabStarts, .vocabLengths, .vocabValues, .vocabSlots, .untranslatableIds,
                 .pairMergedByRank, .byteFallbackIds, .byteIds:
                return 4
            case .scalars, .pairSlots, .bytePairs:
                return 8
            }
        }
    }

    /// Indices into the `scalars` section.
    enum Scalar: Int, CaseIterable {
        /// `Flag` bits.
        case flags
        /// `unkId`, or `UInt64.max` for none.
        case unkId
        case vocabCount
        case vocabMask
        case pairIdBits
        case pairRankBits
        case pairShift
        case pairMask
        case pairCount
    }

    /// Bits of `Scalar.flags`.
    enum Flag: UInt64, CaseIterable {
        case byteLevel = 1
        case ignoreMerges = 2
        case fuseUnk = 4
        case byteFallback = 8
        case hasPrefix = 16
        case hasSuffix = 32
        case pairPacked = 64

        static var allRawValues: UInt64 { allCases.reduce(0) { $0 | $1.rawValue } }
    }
}

/// Why a compiled file was not used. Never shown as a failure: the
/// tokenizer is then built from its JSON (and the file rewritten).
enum CompiledTokenizerError: Error, Equatable, CustomStringConvertible {
    /// The bytes at `offset` of `file` are not what they must be.
    case rejected(file: String, offset: Int, reason: String)

    var description: String {
        switch self {
        case let .rejected(file, offset, reason): return "\(file): offset \(offset): \(reason)"
        }
    }
}
