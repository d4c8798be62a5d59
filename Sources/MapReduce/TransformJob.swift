import Foundation
import LMIO
import LMJSON

/// `lmshard run`'s local mode as one library call: a transform config,
/// then a local run from a JSONL file to a JSONL file. Every failure names a
/// file (and a line where one is to blame): the config file for config
/// errors, the input for row errors (`JobError`); errors that name their
/// own file (`FileError`, a corrupt spill, a compressed input) pass through
/// as they are. (The streaming stages are `lmshard run --stage`, in LMBuild,
/// which reads configs and inputs the way `lmshard build` does.)
public struct TransformJob: Sendable {
    /// Where the config came from (a path, or `command line`).
    public let configPath: String
    /// The config's bytes, part of a resumable job's identity.
    public let configBytes: [UInt8]
    /// The transform the config describes.
    public let transform: any JSONRowTransform

    /// The largest config file read: a transform config is a few hundred bytes.
    public static let maximumConfigSize = 16 << 20

    /// Reads the JSON file `configPath` and builds its transform with `registry`.
    ///
    /// - Throws: `FileError` when the file cannot be read; `JobError` at the
    ///   line of the offending field for an invalid config.
    public init(configPath: String, registry: TransformRegistry) throws {
        let bytes = try FileSystem.readFile(configPath, limit: Self.maximumConfigSize)
        do {
            try self.init(config: try JSONParser.parse(bytes), source: configPath, sourceBytes: bytes, registry: registry)
        } catch let error as JSONParseError {
            throw JobError(file: configPath, line: error.line, message: "invalid JSON at column \(error.column): \(error.message)")
        }
    }

    /// Builds the transform an already read (and merged) config describes.
    ///
    /// - Parameters:
    ///   - source: the config file's path (or `command line`), for errors.
    ///   - sourceBytes: the file's text, to point errors at a field's line.
    /// - Throws: `JobError` naming `source` (and the field's line when
    ///   `sourceBytes` has it) for an invalid config.
    public init(config: JSONValue, source: String, sourceBytes: [UInt8]? = nil, registry: TransformRegistry) throws {
        configPath = source
        configBytes = Array(config.serialized().utf8)
        do {
            transform = try registry.makeTransform(config: config)
        } catch let error as ConfigError {
            throw JobError(
                file: source, line: sourceBytes.map { Self.line(ofField: error.field, in: $0) }, message: "\(error)")
        }
    }

    /// Runs the transform from the JSONL file `input` to the JSONL file
    /// `output` (written atomically). With `resumable`, the job directory
    /// under `runner.workDirectory` is named by the config and the input's
    /// path, size and modification time, and kept on failure, so a rerun
    /// of the same job resumes where it stopped.
    ///
    /// - Throws: `JobError` at `input:LINE` for a bad row, else the runner's
    ///   and the files' own errors.
    public func runLocal(runner: LocalRunner, input: String, output: String, resumable: Bool) throws {
        try locatingRows(in: input) {
            try runner.run(
                jsonTransform: transform, inputPath: input, outputPath: output,
                jobIdentity: resumable ? jobIdentity(input: input) : nil)
        }
    }

    /// What a resumable job is: the config bytes and the input's path, size
    /// and modification time, so a changed input or config starts afresh.
    func jobIdentity(input: String) -> String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: input)
        let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
        let mtime = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let path = URL(fileURLWithPath: input).standardizedFileURL.path
        return "config=\(String(decoding: configBytes, as: UTF8.self))\ninput=\(path)\nsize=\(size)\nmtime=\(mtime)"
    }

    /// Runs `body`, turning errors about input rows and lines into
    /// `JobError`s naming `file`.
    private func locatingRows(in file: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as MapReduceError {
            switch error {
            case let .map(row, underlying), let .input(row, underlying):
                throw JobError(file: file, line: row, message: "\(underlying)")
            case let .streamingLine(line, message):
                throw JobError(file: file, line: line, message: message)
            case .reduce:
                throw JobError(file: file, line: nil, message: "\(error)")
            case .corruptFile, .workDirectoryInUse:
                throw error
            }
        }
    }

    /// The 1-based line where `"field"` first appears as a key, or 1: config
    /// errors name a field, and pointing at its line is what an editor needs.
    static func line(ofField field: String, in bytes: [UInt8]) -> Int {
        guard let last = field.split(separator: ".").last else { return 1 }
        let needle = Array("\"\(last)\"".utf8)
        guard needle.count <= bytes.count else { return 1 }
        for i in 0...(bytes.count - needle.count) where bytes[i..<(i + needle.count)].elementsEqual(needle) {
            return 1 + bytes[0..<i].reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
        }
        return 1
    }
}

/// A failure located in a file: `FILE:LINE: message` (or `FILE: message`).
public struct JobError: Error, CustomStringConvertible, Equatable, Sendable {
    public let file: String
    public let line: Int?
    public let message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)" }
}
