/// `map/DONE` of a job directory: the map phase finished, and these are its
/// runs. A resumed job reduces only from runs that match the listing, so a
/// run that went missing is noticed instead of its records silently
/// dropping out of the output.
///
/// ```
/// lmshard-map-done 1
/// p0-r0.zst 18234
/// p1-r0.zst 17702
/// xxh3 8f3c0a5d1e2b4c69
/// ```
///
/// One `NAME SIZE` line per run (sorted by name), then the XXH3-64 of every
/// byte before that last line.
struct MapListing: Equatable {
    var runs: [(name: String, size: Int)]

    static let magic = "lmshard-map-done 1"

    static func == (a: MapListing, b: MapListing) -> Bool {
        a.runs.map(\.name) == b.runs.map(\.name) && a.runs.map(\.size) == b.runs.map(\.size)
    }

    /// Whether `name` is a spill run's file name (`p3-r12.zst`).
    static func isRunName(_ name: String) -> Bool {
        let parts = name.split(separator: "-")
        guard parts.count == 2, name.hasSuffix(".zst"), parts[0].first == "p", parts[1].first == "r" else { return false }
        return Int(parts[0].dropFirst()) != nil && Int(parts[1].dropFirst().dropLast(4)) != nil
    }

    func serialized() -> [UInt8] {
        var text = Self.magic + "\n"
        for (name, size) in runs { text += "\(name) \(size)\n" }
        var bytes = Array(text.utf8)
        bytes += Array("xxh3 \(hex16(RecordBlock.hash(bytes)))\n".utf8)
        return bytes
    }

    /// Parses and checks a listing.
    ///
    /// - Throws: `MapReduceError.corruptFile` naming `path` for anything
    ///   but a whole listing whose checksum matches.
    static func parse(_ bytes: [UInt8], path: String) throws -> MapListing {
        func damaged(_ why: String) -> MapReduceError { .corruptFile(path: path, offset: 0, message: why) }
        guard let text = String(validating: bytes, as: UTF8.self), text.hasSuffix("\n") else {
            throw damaged("not a whole map listing")
        }
        var lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 2, lines.first == Substring(magic), let last = lines.popLast(), last.hasPrefix("xxh3 ")
        else { throw damaged("not a whole map listing") }
        let body = bytes.count - last.utf8.count - 1
        guard String(last.dropFirst(5)) == hex16(RecordBlock.hash(bytes[0..<body])) else {
            throw damaged("map listing checksum mismatch")
        }
        var runs: [(String, Int)] = []
        for line in lines.dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count == 2, isRunName(String(fields[0])), let size = Int(fields[1]), size >= 0 else {
                throw damaged("bad line \(String(reflecting: String(line)))")
            }
            runs.append((String(fields[0]), size))
        }
        return MapListing(runs: runs)
    }
}
