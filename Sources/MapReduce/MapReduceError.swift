/// Errors from runners, with where they happened.
///
/// Transform errors are wrapped with the 1-based input row number (the
/// JSONL line number when the input is JSONL) or the reduce key, so a
/// message reads `row 3: column "content" is missing`. File operations
/// fail with LMIO's `FileError`.
public enum MapReduceError: Error, CustomStringConvertible {
    /// `map` threw on input row `row` (1-based).
    case map(row: Int, underlying: any Error)
    /// Preparing (e.g. parsing) input row `row` (1-based) failed.
    case input(row: Int, underlying: any Error)
    /// `reduce` threw for the group with this key (its `sortableText`).
    case reduce(key: String, underlying: any Error)
    /// A spill or output file does not decode (truncated, corrupt).
    case corruptFile(path: String, offset: Int, message: String)
    /// A streaming input line is malformed.
    case streamingLine(line: Int, message: String)
    /// The work directory holds a job with another fingerprint.
    case workDirectoryInUse(path: String, message: String)

    /// The 1-based input row, when the error belongs to one.
    public var row: Int? {
        switch self {
        case .map(let row, _), .input(let row, _): return row
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case let .map(row, e): return "row \(row): \(e)"
        case let .input(row, e): return "row \(row): \(e)"
        case let .reduce(key, e): return "reduce of key \(String(reflecting: key)): \(e)"
        case let .corruptFile(path, offset, message): return "\(path): byte \(offset): \(message)"
        case let .streamingLine(line, message): return "line \(line): \(message)"
        case let .workDirectoryInUse(path, message): return "\(path): \(message)"
        }
    }
}
