/// Everything that can go wrong reading or writing a dataset, with enough
/// context (file, byte offset, field, value) to find the damage by hand.
/// System calls that fail throw LMIO's `FileError` instead.
public enum ShardError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A required file is absent.
    case missingFile(file: String)
    /// The file is shorter or longer than its header, index or manifest says.
    case sizeMismatch(file: String, expected: Int, actual: Int)
    /// The file ends before a field that starts at `offset` and needs `needed` bytes.
    case truncated(file: String, offset: Int, needed: Int)
    /// Bytes at `offset` are not the expected magic.
    case badMagic(file: String, offset: Int)
    /// A version field holds a version this reader does not support.
    case unsupportedVersion(file: String, offset: Int, version: UInt64)
    /// A dtype code is unknown or disagrees with the manifest.
    case badDType(file: String, offset: Int, code: UInt8)
    /// A header or index field at `offset` holds an inconsistent value.
    case badField(file: String, offset: Int, field: String, value: Int64, reason: String)
    /// The manifest is missing, not JSON, or fails validation.
    case badManifest(file: String, field: String, reason: String)
    /// Appended data does not fit the chosen dtype or is inconsistent.
    case valueOutOfRange(field: String, index: Int, value: UInt64, max: UInt64)
    /// `tokens`, `positions` and `lossMask` of one append differ in length.
    case lengthMismatch(tokens: Int, positions: Int, lossMask: Int)
    /// A global sequence index beyond the dataset.
    case indexOutOfRange(index: Int, count: Int)
    /// Items of one batch differ in length, so they cannot be stacked.
    case raggedBatch(expected: Int, actual: Int, sequence: Int)
    /// A batch (`batchSize * length` tokens) or its dense attention mask
    /// (`batchSize * length * length` booleans) would not fit in `Int`.
    case batchTooLarge(batchSize: Int, length: Int)

    /// One line for logs and CLI output.
    public var description: String {
        switch self {
        case let .missingFile(file): return "\(file): missing"
        case let .sizeMismatch(file, expected, actual):
            return "\(file): size \(actual) bytes, expected \(expected)"
        case let .truncated(file, offset, needed): return "\(file)@\(offset): truncated (needs \(needed) bytes)"
        case let .badMagic(file, offset): return "\(file)@\(offset): bad magic"
        case let .unsupportedVersion(file, offset, v): return "\(file)@\(offset): unsupported version \(v)"
        case let .badDType(file, offset, code): return "\(file)@\(offset): bad dtype code \(code)"
        case let .badField(file, offset, field, value, reason):
            return "\(file)@\(offset): \(field) = \(value): \(reason)"
        case let .badManifest(file, field, reason):
            return field.isEmpty ? "\(file): \(reason)" : "\(file): \(field): \(reason)"
        case let .valueOutOfRange(field, index, value, max):
            return "\(field)[\(index)] = \(value) exceeds \(max)"
        case let .lengthMismatch(t, p, m):
            return "append: tokens \(t), positions \(p), loss mask \(m) differ in length"
        case let .indexOutOfRange(index, count): return "sequence \(index) out of range 0..<\(count)"
        case let .raggedBatch(expected, actual, seq):
            return "batch: sequence \(seq) has \(actual) tokens, expected \(expected)"
        case let .batchTooLarge(bs, len):
            return "batch: \(bs) rows of \(len) tokens (and their \(len) x \(len) attention masks) do not fit in memory"
        }
    }

    /// The file the error is about, when it is about one.
    public var file: String? {
        switch self {
        case let .missingFile(file), let .sizeMismatch(file, _, _), let .truncated(file, _, _), let .badMagic(file, _),
             let .unsupportedVersion(file, _, _), let .badDType(file, _, _), let .badField(file, _, _, _, _),
             let .badManifest(file, _, _):
            return file
        case .valueOutOfRange, .lengthMismatch, .indexOutOfRange, .raggedBatch, .batchTooLarge:
            return nil
        }
    }
}
