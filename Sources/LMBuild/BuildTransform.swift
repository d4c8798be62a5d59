import Foundation
import LMJSON
import LMPrep
import LMTokenizer
import MapReduce

/// A document after parsing on a map worker: the JSON row, or why it could
/// not be read, with where it came from either way.
struct ParsedDocument: Sendable {
    enum Content: Sendable {
        case row(JSONValue)
        case bad(String)
    }
    let file: Int
    let line: Int
    let content: Content

    /// Parses a JSONL line, or wraps a text file's UTF-8 content as
    /// `{textField: content}`. Never throws: a bad document becomes `.bad`
    /// so the map step decides whether to stop or skip.
    init(_ raw: RawDocument, textField: String) {
        file = raw.file
        switch raw.kind {
        case .jsonLine:
            line = raw.line
            do {
                content = .row(try JSONParser.parse(raw.bytes))
            } catch let e as JSONParseError {
                content = .bad("invalid JSON at column \(e.column): \(e.message)")
            } catch {
                content = .bad("invalid JSON: \(error)")
            }
        case .textFile:
            if let text = String(validating: raw.bytes, as: UTF8.self) {
                line = 1
                var object = JSONObject()
                object[textField] = .string(text)
                content = .row(.object(object))
            } else {
                let (badLine, offset) = Self.firstInvalidUTF8(raw.bytes)
                line = badLine
                content = .bad("invalid UTF-8 at byte \(offset) of the file")
            }
        }
    }

    /// The 1-based line and 0-based byte offset of the first byte that does
    /// not decode as UTF-8.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> (line: Int, offset: Int) {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var offset = 0
        var line = 1
        while true {
            switch decoder.decode(&iterator) {
            case let .scalarValue(s):
                if s == "\n" { line += 1 }
                offset += UTF8.width(s)
            case .emptyInput:
                return (line, offset)
            case .error:
                return (line, offset)
            }
        }
    }
}

/// A packed sequence tagged with its reduce group, so the writer can start a
/// new shard when the group changes (one shard per group).
struct GroupedSequence: ShuffleCodable {
    let group: Int
    let row: TokenizedRow

    func encode(to writer: inout ByteWriter) {
        writer.writeVarint(UInt64(group))
        row.encode(to: &writer)
    }

    static func decode(from reader: inout ByteReader) throws -> GroupedSequence {
        GroupedSequence(group: Int(try reader.readVarint()), row: try TokenizedRow.decode(from: &reader))
    }
}

/// Rows the build skipped (with `--skip-bad-rows`): a count and the first
/// few reasons. Shared by the map workers: `@unchecked Sendable` because
/// every access takes its lock.
public final class RejectLog: @unchecked Sendable {
    public struct Entry: Sendable, Equatable {
        public let file: String
        public let line: Int
        public let reason: String
        /// Position of `file` in the build's input list: input order, which
        /// the path's spelling does not give.
        let fileIndex: Int
        public var description: String { "\(file):\(line): \(reason)" }
    }
    private let lock = NSLock()
    private var entries: [Entry] = []
    private var total = 0
    let keep: Int

    init(keep: Int = 5) { self.keep = keep }

    func add(_ entry: Entry) {
        lock.lock()
        defer { lock.unlock() }
        total += 1
        entries.append(entry)
        // Workers finish out of order: keep the earliest rows, not the first to arrive.
        if entries.count > keep * 4 { trim() }
    }

    private func trim() {
        entries.sort { ($0.fileIndex, $0.line) < ($1.fileIndex, $1.line) }
        entries.removeSubrange(min(keep, entries.count)...)
    }

    /// How many rows were skipped, and the first few by input order.
    var snapshot: (count: Int, first: [Entry]) {
        lock.lock()
        defer { lock.unlock() }
        trim()
        return (total, entries)
    }
}

/// `prepare_for_training` as the build runs it: bad rows are located
/// (`file:line`) and either stop the build or are skipped and logged; each
/// packed sequence comes out tagged with its group.
struct BuildTransform: MapReduceTransform {
    typealias Input = ParsedDocument
    typealias Key = ReduceChunkKey
    typealias Value = TokenizedRow
    typealias Output = GroupedSequence

    let base: PrepareForTrainingTransform
    let fileNames: [String]
    /// nil: stop at the first bad row.
    let rejects: RejectLog?
    let progress: ProgressReporter?

    func map(_ document: ParsedDocument, emit: (ReduceChunkKey, TokenizedRow) throws -> Void) throws {
        let reason: String
        switch document.content {
        case let .bad(message):
            reason = message
        case let .row(value):
            do {
                var tokens = 0
                try base.map(value) { key, row in
                    tokens += row.count
                    try emit(key, row)
                }
                progress?.add(documents: 0, bytes: 0, tokens: tokens)
                return
            } catch let error as PrepError {
                reason = error.description
            } catch let error as TokenizerError {
                // A row the tokenizer cannot encode (a Split / Replace regex
                // hitting Oniguruma's retry limit, where HF raises too).
                reason = error.description
            }
        }
        let entry = RejectLog.Entry(
            file: fileNames[document.file], line: document.line, reason: reason, fileIndex: document.file)
        guard let rejects else { throw BuildError.input(file: entry.file, line: entry.line, message: reason) }
        rejects.add(entry)
    }

    func reduce<S: ValueStream>(key: ReduceChunkKey, values: inout S, emit: (GroupedSequence) throws -> Void) throws
    where S.Element == TokenizedRow {
        try base.reduce(key: key, values: &values) { try emit(GroupedSequence(group: key.index, row: $0)) }
    }
}
