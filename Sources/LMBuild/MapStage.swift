import Foundation
import LMIO
import LMPrep
import MapReduce

/// `lmshard build --stage map`: reads splits of the plan itself, tokenizes
/// their rows on every core and writes one `KEY\tSEQ\tVALUE` line per
/// example (`StreamingLine`), rows in input order:
///
/// - `KEY`: the reduce group as 10 zero-padded digits (`0000000003`);
/// - `SEQ`: the row's `InputPosition` (file index in the plan, byte offset
///   of the row in the decompressed file, emit index);
/// - `VALUE`: base64 of the tokenized example (`TokenizedRow`'s shuffle
///   encoding).
///
/// After a split's lines are written it stages the split's map receipt
/// (documents read, emitted per group, rows skipped). A bad row stops the
/// stage with `file:line: reason` naming the real input file and line (for
/// a split starting mid-file the line is counted then), unless the plan
/// skips bad rows.
public struct MapStage {
    public let build: PreparedBuild
    public let staging: BuildStaging
    public let workers: Int

    public init(build: PreparedBuild, staging: BuildStaging, workers: Int) {
        self.build = build
        self.staging = staging
        self.workers = workers
    }

    /// Maps the splits `ids`, in that order.
    ///
    /// - Throws: `BuildError` (an unknown split, a changed input file, a bad
    ///   row), the inputs' and the output's errors.
    public func run(splits ids: [String], output: BufferedWriter) throws {
        let splits = try ids.map { id -> PlanSplit in
            guard let split = build.plan.split(id) else {
                throw BuildError.plan(file: build.planName, message: "has no split \(id.debugDescription)")
            }
            return split
        }
        for split in splits {
            try checkUnchanged(file: split.file)
            let file = build.inputFiles[split.file]
            let source: DocumentSegment.Source =
                split.start == 0 && split.end == nil ? .file : .range(start: Int(split.start), end: split.end.map { Int($0) })
            let (_, receipt) = try map(
                DocumentSegment(fileIndex: split.file, file: file, source: source), split: split, receiptID: split.id,
                output: output)
            try staging.write(receipt)
        }
    }

    /// Maps rows an engine feeds on stdin as rows of plan file `file` whose
    /// first byte is at `offset` of that file (`--input - --seq-base
    /// FILE:OFFSET`). The receipt, `map-stdin-FILE-OFFSET.json`, covers the
    /// bytes read; finalize checks that such receipts cover the file.
    public func runStandardInput(file: Int, offset: Int, output: BufferedWriter) throws {
        guard file >= 0 && file < build.plan.files.count else {
            throw BuildError.plan(file: build.planName, message: "has no file \(file) (--seq-base)")
        }
        let planFile = build.plan.files[file]
        guard planFile.inputFormat != .text else {
            throw BuildError.input(file: planFile.name, line: nil, message: "is a text document, not JSONL rows to feed on stdin")
        }
        let id = "stdin-\(file)-\(offset)"
        let split = PlanSplit(id: id, file: file, start: Int64(offset), end: nil)
        let (stream, receipt) = try map(
            DocumentSegment(fileIndex: file, file: build.inputFiles[file], source: .standardInput(base: offset)),
            split: split, receiptID: id, output: output)
        var fed = receipt
        fed.end = Int64(offset + stream.standardInputBytes)
        try staging.write(fed)
    }

    /// A plan file must be what the plan saw: the same size and modification time.
    private func checkUnchanged(file index: Int) throws {
        let planned = build.plan.files[index]
        guard let size = planned.size else { return }
        let now = try BuildPlanner.planFile(index, build.inputFiles[index])
        guard now.size == size, now.mtimeNs == planned.mtimeNs else {
            throw BuildError.input(
                file: planned.name, line: nil,
                message: "changed since the plan was made (size \(now.size ?? 0), was \(size)); make a new plan")
        }
    }

    /// Maps one segment's rows to `output` and returns its map receipt.
    private func map(_ segment: DocumentSegment, split: PlanSplit, receiptID: String, output: BufferedWriter) throws
        -> (DocumentStream, MapReceipt)
    {
        let ledger = MapLedger(splits: [(receiptID, split)])
        let stream = DocumentStream(
            segments: [segment],
            onDocument: { ledger.read(file: $0.file, offset: $0.offset, bytes: $0.bytes.count) })
        guard let mapper = build.mapper(rejects: ledger, progress: nil) else {
            preconditionFailure("the map stage loads the tokenizer")
        }
        let runner = LocalRunner(workers: workers)
        let textField = build.config.fields.content
        do {
            try runner.run(
                MapLineTransform(mapper: mapper, ledger: ledger), input: stream,
                prepare: { ParsedDocument($0, textField: textField) }, emit: { try output.write($0) })
        } catch let MapReduceError.map(_, underlying) {
            throw stream.failure ?? underlying
        }
        if let failure = stream.failure { throw failure }
        try output.flush()
        guard let receipt = ledger.receipts(locator: build.locator).first else { preconditionFailure("one split") }
        return (stream, receipt)
    }
}

/// The build's map as a map-only transform to streaming lines.
struct MapLineTransform: MapTransform {
    let mapper: DocumentMapper
    let ledger: MapLedger

    func map(_ document: ParsedDocument, emit: ([UInt8]) throws -> Void) throws {
        var line: [UInt8] = []
        var scratch = ByteWriter(reservingCapacity: 1024)
        var emitIndex: UInt64 = 0
        _ = try mapper.map(document) { key, row in
            ledger.emitted(file: document.file, offset: document.offset, group: key.index)
            let position = InputPosition(file: UInt64(document.file), offset: UInt64(document.offset), emit: emitIndex)
            StreamingLine.append(key: GroupKey.text(key.index), position: position, value: row, to: &line, scratch: &scratch)
            emitIndex += 1
        }
        if !line.isEmpty { try emit(line) }
    }
}

/// The build's `KEY` field: the reduce group as 10 zero-padded digits, so
/// bytewise order is group order (`num_reduce_chunks` is at most 65536).
enum GroupKey {
    static let width = 10

    static func text(_ group: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        InputPosition.appendDigits(UInt64(group), width: width, to: &bytes)
        return bytes
    }

    /// The group a `KEY` names, or nil for anything but 10 digits.
    static func parse<C: Collection>(_ text: C) -> Int? where C.Element == UInt8 {
        guard text.count == width else { return nil }
        var value = 0
        for byte in text {
            guard (0x30...0x39).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }
}
