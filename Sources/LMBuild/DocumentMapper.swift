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
    /// The 1-based line (nil when the reader did not know it, see `RawDocument`).
    let line: Int?
    let offset: Int
    let content: Content

    /// Parses a JSONL line, or wraps a text file's UTF-8 content as
    /// `{textField: content}`. Never throws: a bad document becomes `.bad`
    /// so the map step decides whether to stop or skip.
    init(_ raw: RawDocument, textField: String) {
        file = raw.file
        offset = raw.offset
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

/// `prepare_for_training`'s map as every build stage runs it: a parsed
/// document in, its tokenized example under its reduce group out; a bad row
/// is located (`file:line`) and either stops the build or is skipped and
/// logged. The local build and the distributed map stage both map through
/// this, so they emit the same pairs for the same rows.
struct DocumentMapper: Sendable {
    let base: PrepareForTrainingTransform
    let locator: RowLocator
    /// nil: stop at the first bad row.
    let rejects: (any RejectRecorder)?
    let progress: ProgressReporter?

    /// Maps `document`, passing each pair to `emit`; returns false when the
    /// row was bad and skipped.
    ///
    /// - Throws: `BuildError.input` for a bad row without `--skip-bad-rows`,
    ///   and what `emit` throws.
    func map(_ document: ParsedDocument, emit: (ReduceChunkKey, TokenizedRow) throws -> Void) throws -> Bool {
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
                return true
            } catch let error as PrepError {
                reason = error.description
            } catch let error as TokenizerError {
                // A row the tokenizer cannot encode (a Split / Replace regex
                // hitting Oniguruma's retry limit, where HF raises too).
                reason = error.description
            }
        }
        guard let rejects else {
            throw locator.error(file: document.file, line: document.line, offset: document.offset, message: reason)
        }
        // The line, when unknown, is counted only for the few entries kept (`RejectLog.located`).
        rejects.add(
            RejectLog.Entry(
                file: locator.names[document.file], line: document.line, reason: reason, fileIndex: document.file,
                offset: document.offset))
        return false
    }
}
