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

    public var description: String {
        switch self {
        case let .input(file, line, message):
            return line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)"
        case let .config(source, field, message):
            return "\(source): \(field): \(message)"
        case let .output(path, message):
            return "\(path): \(message)"
        case let .empty(message):
            return message
        }
    }
}
