/// The vocabulary string of every id, kept as the bytes of one `StringList`
/// and made a `String` only when asked (`decode`, `inspect`, `idToToken`).
///
/// Building all 128k strings of Llama 3 at load, and freeing them at exit,
/// was 16% of the CPU of a process that loads it from the compiled cache
/// and encodes one line (`perf`), for a table encoding never reads. Here a
/// load checks the list once and records where each string starts.
struct TokenNames: Sendable {
    /// A well-formed `StringList` (checked by `init?(list:)`).
    let list: [UInt8]
    /// Byte offset in `list` of each id's string.
    private let starts: [UInt32]

    /// Number of ids (the largest id + 1).
    var count: Int { starts.count }

    /// The names of a vocabulary read from JSON.
    init(_ names: [String?]) {
        // StringList.encode gives a well-formed list.
        self.init(list: StringList.encode(names))!
    }

    /// Adopts `list`, or nil when it is not a well-formed `StringList`
    /// (lengths past the end, bytes left over, more than 4 GB).
    init?(list: [UInt8]) {
        guard list.count <= Int(UInt32.max) else { return nil }
        var wellFormed = false
        let starts: [UInt32] = list.withUnsafeBytes { bytes in
            guard bytes.count >= 4 else { return [] }
            let count = Int(UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self)))
            guard count <= (bytes.count - 4) / 4 else { return [] }
            var starts = [UInt32]()
            starts.reserveCapacity(count)
            var at = 4 + 4 * count
            for i in 0..<count {
                let length = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 + 4 * i, as: UInt32.self))
                starts.append(UInt32(at))
                if length == StringList.absent { continue }
                guard Int(length) <= bytes.count - at else { return [] }
                at += Int(length)
            }
            wellFormed = at == bytes.count
            return starts
        }
        guard wellFormed else { return nil }
        self.list = list
        self.starts = starts
    }

    /// The string of `id`, nil for an id the vocabulary skips or past the end.
    subscript(id: Int) -> String? {
        guard id >= 0, id < starts.count else { return nil }
        return list.withUnsafeBytes { bytes in
            let length = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 + 4 * id, as: UInt32.self))
            guard length != StringList.absent else { return nil }
            let start = Int(starts[id])
            // Repairing, as `StringList.decode` does: only a forged file
            // holds invalid UTF-8, and it must not stop a decode.
            return String(decoding: bytes[start..<(start + Int(length))], as: UTF8.self)
        }
    }
}
