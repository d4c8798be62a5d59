import LMShard

/// A field of a shard file: where it is, how wide, and what FORMAT.md calls it.
public struct Field: Equatable, Sendable, CustomStringConvertible {
    public let offset: Int
    public let width: Int
    public let name: String

    public var description: String { "\(name)@\(offset)" }
}

/// The fields of each shard file, from the constants in `Format` (FORMAT.md
/// sections 3-5), so mutations hit real field boundaries: a count set to
/// 2^63 - 1 rather than one random byte of it. Array entries are fields
/// too (every `.idx` length, pointer and document index; every `.sum`
/// table entry and block hash).
public enum HeaderFields {
    /// The fields of shard file `part` whose current contents are `bytes`.
    /// Counts that place arrays are read from `bytes` and clamped to its
    /// size, so a damaged header still gives a finite list.
    public static func of(_ part: ShardFile, bytes: [UInt8]) -> [Field] {
        switch part {
        case .idx: return index(bytes)
        case .pos, .mask: return plane(part)
        case .sum: return checksums(bytes)
        case .bin: return []
        }
    }

    /// Bytes of the magic, one field each (a magic is compared bytewise).
    static func magic(_ count: Int) -> [Field] { (0..<count).map { Field(offset: $0, width: 1, name: "magic[\($0)]") } }

    static func index(_ bytes: [UInt8]) -> [Field] {
        typealias I = Format.Index
        var fields = magic(I.magic.count) + [
            Field(offset: I.versionOffset, width: 8, name: "version"),
            Field(offset: I.dtypeOffset, width: 1, name: "dtype"),
            Field(offset: I.sequenceCountOffset, width: 8, name: "sequence count"),
            Field(offset: I.documentCountOffset, width: 8, name: "document count"),
        ]
        // N from the header, but never more than the bytes can hold.
        let n = max(0, (bytes.count - I.headerSize - 8) / 20)
        let lengthsAt = I.headerSize, pointersAt = lengthsAt + 4 * n, docsAt = pointersAt + 8 * n
        fields += (0..<n).map { Field(offset: lengthsAt + 4 * $0, width: 4, name: "lengths[\($0)]") }
        fields += (0..<n).map { Field(offset: pointersAt + 8 * $0, width: 8, name: "pointers[\($0)]") }
        fields += (0...n).map { Field(offset: docsAt + 8 * $0, width: 8, name: "documents[\($0)]") }
        return fields.filter { $0.offset + $0.width <= bytes.count }
    }

    static func plane(_ part: ShardFile) -> [Field] {
        typealias P = Format.Plane
        return magic(8) + [
            Field(offset: P.versionOffset, width: 4, name: "version"),
            Field(offset: P.dtypeOffset, width: 1, name: "element code"),
        ] + P.reservedRange.map { Field(offset: $0, width: 1, name: "reserved[\($0 - P.reservedRange.lowerBound)]") } + [
            Field(offset: P.elementCountOffset, width: 8, name: "element count"),
            Field(offset: P.sequenceCountOffset, width: 8, name: "sequence count"),
        ]
    }

    static func checksums(_ bytes: [UInt8]) -> [Field] {
        typealias C = Format.Checksums
        var fields = magic(C.magic.count) + [
            Field(offset: C.versionOffset, width: 4, name: "version"),
            Field(offset: C.fileCountOffset, width: 4, name: "file count"),
            Field(offset: C.blockSizeOffset, width: 8, name: "block size"),
        ]
        let files = ShardFile.checksummed
        for f in 0..<C.fileCount {
            let e = C.tableOffset + f * C.entrySize
            for (k, what) in ["size", "xxh3", "block count", "hash offset"].enumerated() {
                fields.append(Field(offset: e + 8 * k, width: 8, name: "\(files[f].rawValue) \(what)"))
            }
        }
        let hashesAt = C.tableOffset + C.fileCount * C.entrySize
        if bytes.count > hashesAt {
            fields += (0..<((bytes.count - hashesAt) / 8)).map { Field(offset: hashesAt + 8 * $0, width: 8, name: "block hash[\($0)]") }
        }
        return fields.filter { $0.offset + $0.width <= bytes.count }
    }
}
