import LMIO
import LMJSON

/// `lmshard export`: every packed sequence in dataset order as one JSON line,
/// `{"input_ids":[...],"position_ids":[...],"loss_mask":[...]}` (booleans
/// for the mask): the rows `lmshard run` gives for `prepare_for_training`,
/// so shards can be diffed against any other implementation.
extension ShardedDataset {
    /// Writes every sequence as a JSON line to `output` (and flushes it).
    ///
    /// - Throws: `FileError` when the output cannot be written (a full disk,
    ///   a closed pipe), or a read error of the dataset.
    public func exportJSONLines(to output: BufferedWriter) throws {
        var writer = JSONWriter(style: .compact)
        var mask: [Bool] = []
        for i in 0..<count {
            writer.bytes.removeAll(keepingCapacity: true)
            // Digits straight from the memory maps; only the mask is
            // converted (its bytes become Bools).
            try withSequence(at: i) { t, p, m in
                writer.bytes += Array(#"{"input_ids":"#.utf8)
                writer.writeIntArray(t)
                writer.bytes += Array(#","position_ids":"#.utf8)
                writer.writeIntArray(p)
                mask.removeAll(keepingCapacity: true)
                mask.append(contentsOf: m.lazy.map { $0 != 0 })
            }
            writer.bytes += Array(#","loss_mask":"#.utf8)
            mask.withUnsafeBufferPointer { writer.writeBoolArray($0) }
            writer.bytes += Array("}\n".utf8)
            try output.write(writer.bytes)
        }
        try output.flush()
    }
}

extension JSONWriter {
    /// Writes a mapped plane in the width it is stored, without a copy.
    mutating func writeIntArray(_ view: UnsafeIntegerView) {
        switch view {
        case .uint16(let b): writeIntArray(b)
        case .int32(let b):
            // Ids as the reader widens them (`UInt32(bitPattern:)`).
            b.withMemoryRebound(to: UInt32.self) { writeIntArray($0) }
        case .uint32(let b): writeIntArray(b)
        }
    }
}
