import ArgumentParser
import Foundation
import LMJSON
import LMShard

/// `lmshard export`: every packed sequence in dataset order as JSON lines,
/// `{"input_ids":[...],"position_ids":[...],"loss_mask":[...]}` (booleans for
/// the mask), the same rows `lmshard run` gives for `prepare_for_training`,
/// so shards can be diffed against any other implementation.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every packed sequence as JSON lines (input_ids, position_ids, loss_mask).")

    @Argument(help: "Dataset directory (holds manifest.json).")
    var directory: String

    @Option(name: .long, help: "Output format; only jsonl.")
    var format: String = "jsonl"

    @Option(name: .long, help: "Write here instead of stdout (replaced only when the export succeeds).")
    var output: String?

    func validate() throws {
        guard format == "jsonl" else { throw ValidationError("--format must be jsonl, got \(format)") }
    }

    func run() throws {
        try CLIError.reporting {
            let dataset = try ShardedDataset(directory: URL(fileURLWithPath: directory))
            let sink = try ExportSink(path: output)
            do {
                var writer = JSONWriter(style: .compact)
                var mask: [Bool] = []
                for i in 0..<dataset.count {
                    writer.bytes.removeAll(keepingCapacity: true)
                    // Digits straight from the memory maps; only the mask is
                    // converted (its bytes become Bools).
                    try dataset.withSequence(at: i) { t, p, m in
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
                    try sink.write(writer.bytes)
                }
                try sink.commit()
            } catch {
                sink.discard()
                throw error
            }
        }
    }
}

/// Stdout, or a file written under a temporary name and renamed on success.
final class ExportSink {
    private let handle: FileHandle
    private let path: String?
    private let temporary: String?
    private var buffer: [UInt8] = []

    init(path: String?) throws {
        self.path = path
        guard let path else {
            handle = FileHandle.standardOutput
            temporary = nil
            return
        }
        let url = URL(fileURLWithPath: path)
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
        guard FileManager.default.createFile(atPath: tmp, contents: nil), let h = FileHandle(forWritingAtPath: tmp) else {
            throw ExportError(message: "\(path): cannot create the output file")
        }
        handle = h
        temporary = tmp
    }

    func write(_ bytes: [UInt8]) throws {
        buffer += bytes
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw ExportError(message: "\(path ?? "<stdout>"): write failed: \(error.localizedDescription)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func commit() throws {
        try flush()
        guard let path, let temporary else { return }
        try handle.close()
        guard rename(temporary, path) == 0 else {
            discard()
            throw ExportError(message: "\(path): cannot move the export into place (errno \(errno))")
        }
    }

    func discard() {
        guard let temporary else { return }
        try? handle.close()
        try? FileManager.default.removeItem(atPath: temporary)
    }
}

struct ExportError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
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
