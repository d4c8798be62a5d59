import Foundation
import LMIO
import LMPrep
import MapReduce

/// `lmshard build --stage reduce`: reads the map stage's `KEY\tSEQ\tVALUE`
/// lines, grouped by key in ascending order, packs each group into its
/// shard in the plan's staging directory (the shared `ShardReducer`) and
/// prints the group's receipt line on stdout once the shard's files are in
/// place.
///
/// Memory stays bounded whatever a group's size. Lines sorted by `SEQ` (an
/// engine's secondary sort, `LC_ALL=C sort` of whole lines) stream straight
/// into the packer; each value is also kept by a `PositionSorter` (in
/// memory up to `--memory-mb`, spilled to a run beyond), because a group's
/// order can only be known once it has been read: at the first line whose
/// `SEQ` goes backwards the shard being written is abandoned, the rest of
/// the group is added to the sorter, and the group is packed again from
/// its external sort. A group whose shard an earlier attempt finished and
/// whose staged receipt verifies is skipped (its lines are read and
/// checked, not packed).
public struct ReduceStage {
    public let build: PreparedBuild
    public let staging: BuildStaging
    /// Names this attempt's temporary files.
    public let attempt: String
    /// Bytes of a group's values held before its sort spills.
    public let memoryBudget: Int

    public init(build: PreparedBuild, staging: BuildStaging, attempt: String, memoryBudget: Int) {
        self.build = build
        self.staging = staging
        self.attempt = attempt
        self.memoryBudget = memoryBudget
    }

    /// Reduces every group on `input`, printing receipts to `output`.
    ///
    /// - Throws: `BuildError.reduceInput` naming the line for a malformed
    ///   line, a key outside the plan's groups, keys out of order, a `SEQ`
    ///   given twice or a value that does not decode; the shard writer's
    ///   and the files' errors.
    public func run(input source: consuming some ByteSource & ~Copyable, output: BufferedWriter) throws {
        let input = ReduceInput(
            lines: LineReader(AnyByteSource(source)), groups: build.plan.numReduceChunks ?? 0)
        let reducer = build.reducer(staging: staging, attempt: attempt)
        let sorter = PositionSorter(
            directory: FileManager.default.temporaryDirectory.path + "/lmshard-reduce-\(getpid())-\(UUID().uuidString)",
            memoryBudget: max(1, memoryBudget))
        defer { sorter.removeFiles() }
        while let first = try input.peek() {
            let group = first.group
            if let kept = staging.keptShard(group: group) {
                while let line = try input.peek(), line.group == group { _ = try input.take() }
                try output.write(try kept.line())
                try output.flush()
                continue
            }
            sorter.reset()
            var stream = GroupLines(input: input, group: group, sorter: sorter)
            let receipt: ShardReceipt
            do {
                receipt = try reducer.reduce(group: group, values: &stream)
            } catch is GroupLines.OutOfOrder {
                while let line = try input.peek(), line.group == group {
                    _ = try input.take()
                    try sorter.add(line.position, value: line.value)
                }
                var sorted = SortedGroup(values: try sorter.sorted(), input: input, group: group, firstLine: first.number)
                receipt = try reducer.reduce(group: group, values: &sorted)
            }
            try output.write(try receipt.line())
            try output.flush()
        }
        TestHooks.shared.recordPeakMemory()
    }
}

/// The reduce input's lines, parsed, with one line of look-ahead (the first
/// line of the next group), checking that groups come in ascending order.
final class ReduceInput {
    struct Line {
        let group: Int
        let position: InputPosition
        let value: [UInt8]
        let number: Int
    }

    private var lines: LineReader<AnyByteSource>
    private let groups: Int
    private var pending: Line?
    private var previousGroup: Int?
    let source = InputFile.stdinName

    init(lines: consuming LineReader<AnyByteSource>, groups: Int) {
        self.lines = lines
        self.groups = groups
    }

    func peek() throws -> Line? {
        if pending == nil { pending = try read() }
        return pending
    }

    func take() throws -> Line? {
        let line = try peek()
        pending = nil
        return line
    }

    func error(_ line: Int, _ message: String) -> BuildError {
        .reduceInput(source: source, line: line, message: message)
    }

    private func read() throws -> Line? {
        let groups = self.groups
        var buffer: [UInt8] = []
        guard let (number, group, position) = try lines.next({ bytes, number -> (Int, Int, InputPosition) in
            let fields: StreamingLine.Fields
            do {
                fields = try StreamingLine.parse(bytes, value: &buffer)
            } catch let error as StreamingLine.FormatError {
                throw BuildError.reduceInput(source: InputFile.stdinName, line: number, message: error.message)
            }
            let key = UnsafeRawBufferPointer(rebasing: bytes[fields.key])
            guard let group = GroupKey.parse(key), group < groups else {
                throw BuildError.reduceInput(
                    source: InputFile.stdinName, line: number,
                    message: "KEY \(String(decoding: key, as: UTF8.self).debugDescription) is not a reduce group of the plan (10 digits, below \(groups))")
            }
            return (number, group, fields.position)
        }) else { return nil }
        if let previous = previousGroup, group < previous {
            throw error(
                number,
                "KEY of group \(group) after group \(previous): the lines are not sorted by KEY (partition by KEY, sort bytewise)")
        }
        previousGroup = group
        return Line(group: group, position: position, value: buffer, number: number)
    }
}

/// A group's values in `SEQ` order, decoded; a `SEQ` given twice (a split
/// mapped twice) is an error naming `line`.
struct GroupRows {
    let input: ReduceInput
    let group: Int
    private(set) var previous: InputPosition?

    init(input: ReduceInput, group: Int) {
        self.input = input
        self.group = group
    }

    mutating func row(_ bytes: [UInt8], at position: InputPosition, line: Int) throws -> TokenizedRow {
        if position == previous {
            throw input.error(line, "SEQ \(position) occurs twice in group \(group) (was a split mapped twice?)")
        }
        previous = position
        do {
            return try decodeExactly(TokenizedRow.self, from: bytes)
        } catch {
            throw input.error(line, "group \(group): VALUE at SEQ \(position) is not a tokenized row: \(error)")
        }
    }
}

/// One group's values straight from the input, while they come in `SEQ`
/// order; every value is also given to the sorter, so the group can be
/// sorted if a later line goes backwards (`OutOfOrder`).
struct GroupLines: ValueStream {
    struct OutOfOrder: Error {}

    let sorter: PositionSorter
    private var rows: GroupRows

    init(input: ReduceInput, group: Int, sorter: PositionSorter) {
        self.sorter = sorter
        rows = GroupRows(input: input, group: group)
    }

    mutating func next() throws -> TokenizedRow? {
        guard let line = try rows.input.peek(), line.group == rows.group else { return nil }
        _ = try rows.input.take()
        try sorter.add(line.position, value: line.value)
        if let previous = rows.previous, line.position < previous { throw OutOfOrder() }
        return try rows.row(line.value, at: line.position, line: line.number)
    }
}

/// One group's values from the sorter, in `SEQ` order (errors name the
/// group's first line: the sort has lost the others).
struct SortedGroup: ValueStream {
    let values: SortedValues
    let firstLine: Int
    private var rows: GroupRows

    init(values: SortedValues, input: ReduceInput, group: Int, firstLine: Int) {
        self.values = values
        self.firstLine = firstLine
        rows = GroupRows(input: input, group: group)
    }

    mutating func next() throws -> TokenizedRow? {
        guard let (position, bytes) = try values.next() else { return nil }
        return try rows.row(bytes, at: position, line: firstLine)
    }
}
