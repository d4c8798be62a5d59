/// Why a build failed, always with the file (and line, when one is to blame)
/// so the message can be pasted into an editor's "go to".
public enum BuildError: Error, CustomStringConvertible, Equatable {
    /// A bad input row or file: `file:line: message`.
    case input(file: String, line: Int?, message: String)
    /// A bad setting: the config file (or `flags`) and the field.
    case config(source: String, field: String, message: String)
    /// The output directory cannot be used.
    case output(path: String, message: String)
    /// The build ran but produced nothing a trainer could use.
    case empty(String)
    /// A plan file that cannot be used (another version, inconsistent, or
    /// not matching the tokenizer or inputs a stage finds).
    case plan(file: String, message: String)
    /// A malformed or out-of-order line of a reduce stage's input.
    case reduceInput(source: String, line: Int, message: String)
    /// Receipts that cannot be read or do not add up: the source and what.
    case receipts(source: String, message: String)
    /// A staged file (shard, receipt) that is missing, damaged or unexpected.
    case staging(path: String, message: String)

    public var description: String {
        switch self {
        case let .input(file, line, message):
            return line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)"
        case let .config(source, field, message):
            return "\(source): \(field): \(message)"
        case let .output(path, message), let .plan(path, message), let .receipts(path, message),
            let .staging(path, message):
            return "\(path): \(message)"
        case let .empty(message):
            return message
        case let .reduceInput(source, line, message):
            return "\(source):\(line): \(message)"
        }
    }
}
