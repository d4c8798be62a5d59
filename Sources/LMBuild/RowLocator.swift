import Foundation
import LMIO

/// Names a row in messages the way an editor's "go to" wants it,
/// `file:line`, also when the reader did not count lines: a map task that
/// reads a byte range from the middle of a file knows each row's byte
/// offset, not its line, and counting the newlines before every row would
/// mean reading the whole file up to the range. Only a failing (or skipped)
/// row needs its line, so it is counted then, from the file's start.
struct RowLocator: Sendable {
    /// Per input file: the name for messages, and the path to count lines
    /// in (nil when the rows did not come from the file itself: stdin, or a
    /// compressed file, whose lines are always known).
    let names: [String]
    let countablePaths: [String?]

    init(files: [InputFile], names: [String]? = nil) {
        self.names = names ?? files.map(\.path)
        countablePaths = files.map { $0.format == .jsonl && !$0.isStdin ? $0.path : nil }
    }

    /// The row's file name and line. Without a known line, the line is
    /// counted in the file; where that is impossible (rows fed on stdin)
    /// the row is named by its byte offset instead.
    func place(file: Int, line: Int?, offset: Int) -> (file: String, line: Int?, prefix: String) {
        if let line { return (names[file], line, "") }
        if let path = countablePaths[file], let counted = try? Self.line(atOffset: offset, in: path) {
            return (names[file], counted, "")
        }
        return (names[file], nil, "row at byte \(offset): ")
    }

    /// `BuildError.input` for a bad row.
    func error(file: Int, line: Int?, offset: Int, message: String) -> BuildError {
        let p = place(file: file, line: line, offset: offset)
        return .input(file: p.file, line: p.line, message: p.prefix + message)
    }

    /// The 1-based line holding byte `offset` of the file at `path`: one
    /// plus the newlines before it (read in 1 MiB blocks, `memchr` per line).
    static func line(atOffset offset: Int, in path: String) throws -> Int {
        let file = try FileDescriptor.openForReading(path)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var line = 1
        var position = 0
        while position < offset {
            let want = min(buffer.count, offset - position)
            let n = try buffer.withUnsafeMutableBytes { try file.read(at: position, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want])) }
            if n == 0 { break }
            buffer.withUnsafeBytes { raw in
                guard var p = raw.baseAddress else { return }
                let end = p + n
                while p < end, let hit = memchr(p, 0x0A, end - p) {
                    line += 1
                    p = UnsafeRawPointer(hit) + 1
                }
            }
            position += n
        }
        return line
    }
}
