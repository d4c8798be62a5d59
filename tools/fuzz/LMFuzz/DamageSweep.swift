import Foundation
import LMIO
@_spi(Testing) import LMShard

/// Exhaustive damage of one small dataset: every single-byte edit of every
/// header and index field of every shard file (four edits per byte: xor
/// 0x01, xor 0x80, 0x00, 0xFF), each as written and with its checksums
/// recomputed; and every file truncated at every field boundary and
/// extended. Each damaged dataset must be rejected by `verify` naming the
/// damaged file, and (for the files readers open) by `ShardedDataset` with
/// an error naming the same file.
///
/// `.bin` has no header (its bytes are token values, caught by checksums
/// and the value checks); a `.sum` edit behind a manifest that vouches for
/// it must be caught by `verify` (readers do not read `.sum`).
public struct DamageSweep {
    /// Counts of one sweep.
    public struct Outcome: Sendable, CustomStringConvertible {
        /// Damaged datasets tried.
        public var cases = 0
        /// Of them, rejected by `verify`, naming the damaged file.
        public var caughtByVerify = 0
        /// Damaged datasets a reader is expected to refuse (edits of a
        /// `.sum` are not), and how many it refused naming the file.
        public var readerCases = 0
        public var caughtByReaders = 0
        /// What was not caught (empty when the format holds).
        public var misses: [String] = []

        public init() {}

        public mutating func add(_ other: Outcome) {
            cases += other.cases
            caughtByVerify += other.caughtByVerify
            readerCases += other.readerCases
            caughtByReaders += other.caughtByReaders
            misses += other.misses
        }

        public var description: String {
            "\(cases) damaged datasets: verify caught \(caughtByVerify), readers caught \(caughtByReaders) of \(readerCases), "
                + "\(misses.count) missed"
        }
    }

    /// The edits applied to each byte.
    static let edits: [(String, @Sendable (UInt8) -> UInt8)] = [
        ("xor 0x01", { $0 ^ 0x01 }), ("xor 0x80", { $0 ^ 0x80 }), ("= 0x00", { _ in 0 }), ("= 0xFF", { _ in 0xFF }),
    ]

    public let image: DatasetImage
    public let scratch: URL

    public init(image: DatasetImage, scratch: URL) {
        self.image = image
        self.scratch = scratch
    }

    /// Runs every case.
    public func run() -> Outcome {
        var outcome = Outcome()
        for name in image.shardFiles {
            guard let part = DatasetImage.part(of: name), let original = image.files[name] else { continue }
            let fields = HeaderFields.of(part, bytes: original)
            for field in fields {
                for offset in field.offset..<(field.offset + field.width) {
                    for (label, edit) in Self.edits where edit(original[offset]) != original[offset] {
                        var bytes = original
                        bytes[offset] = edit(original[offset])
                        for seal in [SealMode.none, part == .sum ? .manifestOnly : .all] {
                            check(name, part, bytes, seal: seal, "\(name) \(field) byte \(offset) \(label), sealed: \(seal.rawValue)",
                                  &outcome)
                        }
                    }
                }
            }
            let cuts = Set([0, 1, original.count / 2, max(0, original.count - 1)] + fields.map(\.offset))
            for cut in cuts.sorted() where cut < original.count {
                check(name, part, Array(original[..<cut]), seal: .none, "\(name) truncated to \(cut)", &outcome)
            }
            for extra in [1, 8] {
                check(name, part, original + [UInt8](repeating: 0, count: extra), seal: .none, "\(name) extended by \(extra)", &outcome)
            }
        }
        return outcome
    }

    func check(_ name: String, _ part: ShardFile, _ bytes: [UInt8], seal: SealMode, _ what: String,
                       _ outcome: inout Outcome) {
        var damaged = image
        damaged.files[name] = bytes
        outcome.cases += 1
        do {
            try damaged.write(to: scratch)
            if seal != .none { try Reseal.dataset(directory: scratch, sums: seal == .all) }
        } catch {
            outcome.misses.append("\(what): cannot set up: \(error)")
            return
        }
        let path = scratch.appendingPathComponent(name).path
        // verify: damage in this file (or, for an edited .sum hash, in the file it covers).
        do {
            let damage = try verify(directory: scratch).damage
            let named = damage.contains { $0.file == part }
                || (part == .sum && damage.contains { if case .checksum = $0.kind { true } else { false } })
            if named { outcome.caughtByVerify += 1 } else { outcome.misses.append("verify: \(what): \(damage.isEmpty ? "ok" : "\(damage)")") }
        } catch {
            outcome.misses.append("verify: \(what): threw \(error)")
        }
        // Readers never read a .sum's contents; its size is checked on open.
        guard part != .sum || seal == .none && bytes.count != image.files[name]?.count else { return }
        outcome.readerCases += 1
        do {
            _ = try ShardedDataset(directory: scratch)
            outcome.misses.append("readers: \(what): opened")
        } catch let e as ShardError where e.file == path {
            outcome.caughtByReaders += 1
        } catch let e as FileError where e.path == path {
            outcome.caughtByReaders += 1
        } catch {
            outcome.misses.append("readers: \(what): \(error) does not name \(name)")
        }
    }
}
