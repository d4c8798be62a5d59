import LMPrep
import ArgumentParser
import Foundation
import LMIO
import LMJSON
import MapReduce

/// `lmshard run`: runs one configured transform over a JSONL file with the
/// local runner, or one stage of it as a Hadoop Streaming program.
///
/// Errors are printed as `FILE:LINE: message` (the config file for config
/// errors, the input for row errors) and exit with status 1; the output is
/// written to a temporary name next to it and renamed only on success.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a map or map-reduce transform over JSONL rows.",
        discussion: """
            Local:     lmshard run --config c.json --input in.jsonl --output out.jsonl
            Streaming: lmshard run --config c.json --stage map < in.jsonl | LC_ALL=C sort -t$'\\t' -k1,1 -s \\
                         | lmshard run --config c.json --stage reduce > out.jsonl
            """)

    @Option(help: "Transform config (JSON object with a \"type\" key).")
    var config: String

    @Option(help: "Input JSONL file (local mode).")
    var input: String?

    @Option(help: "Output JSONL file (local mode).")
    var output: String?

    @Option(help: "Worker threads (default: all cores).")
    var workers: Int?

    @Option(name: .customLong("work-dir"), help: "Directory for spill files; makes the job resumable.")
    var workDir: String?

    @Option(name: .customLong("memory-mb"), help: "Shuffle memory budget in MiB.")
    var memoryMB: Int = 256

    @Option(help: "Streaming stage, map or reduce: stdin to stdout.")
    var stage: String?

    func validate() throws {
        if let stage {
            guard Streaming.Stage(rawValue: stage) != nil else { throw ValidationError("--stage must be map or reduce") }
            guard input == nil, output == nil else {
                throw ValidationError("--stage reads stdin and writes stdout; drop --input/--output")
            }
        } else {
            guard input != nil, output != nil else { throw ValidationError("--input and --output are required") }
        }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
        guard memoryMB >= 1 else { throw ValidationError("--memory-mb must be at least 1") }
    }

    func run() throws {
        let registry = TransformRegistry.withPreparation
        let configBytes: [UInt8]
        let transform: any JSONRowTransform
        do {
            guard let data = FileManager.default.contents(atPath: config) else {
                throw RunFailure(file: config, line: nil, message: "cannot read the config file")
            }
            configBytes = [UInt8](data)
            transform = try registry.makeTransform(configJSON: configBytes)
        } catch let error as ConfigError {
            fail(RunFailure(file: config, line: lineOfField(error.field, in: readConfigBytes(config)), message: "\(error)"))
        } catch let error as RunFailure {
            fail(error)
        } catch {
            fail(RunFailure(file: config, line: 1, message: "\(error)"))
        }
        if let stage, let s = Streaming.Stage(rawValue: stage) {
            runStage(transform, s)
        } else if let input, let output {
            runLocal(transform, configBytes: configBytes, input: input, output: output)
        }
    }

    private func runStage(_ transform: any JSONRowTransform, _ stage: Streaming.Stage) {
        var lines = LineReader(FileDescriptor.standardInput())
        do {
            try Streaming.run(jsonTransform: transform, stage: stage, lines: &lines, output: .standardOutput())
        } catch {
            fail(failure(error, input: "<stdin>"))
        }
    }

    private func runLocal(_ transform: any JSONRowTransform, configBytes: [UInt8], input: String, output: String) {
        let runner = LocalRunner(
            workers: workers ?? ProcessInfo.processInfo.activeProcessorCount,
            memoryBudget: memoryMB << 20, workDirectory: workDir)
        do {
            try runner.run(
                jsonTransform: transform, inputPath: input, outputPath: output,
                jobIdentity: workDir == nil ? nil : jobIdentity(configBytes: configBytes, input: input))
        } catch {
            fail(failure(error, input: input))
        }
    }

    /// What a resumable job is: the config bytes and the input's path, size
    /// and modification time, so a changed input or config starts afresh.
    private func jobIdentity(configBytes: [UInt8], input: String) -> String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: input)
        let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
        let mtime = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let path = URL(fileURLWithPath: input).standardizedFileURL.path
        return "config=\(String(decoding: configBytes, as: UTF8.self))\ninput=\(path)\nsize=\(size)\nmtime=\(mtime)"
    }

    private func readConfigBytes(_ path: String) -> [UInt8] {
        FileManager.default.contents(atPath: path).map { [UInt8]($0) } ?? []
    }

    private func failure(_ error: any Error, input: String) -> RunFailure {
        if let f = error as? RunFailure { return f }
        if let e = error as? MapReduceError {
            switch e {
            case let .map(row, underlying), let .input(row, underlying):
                return RunFailure(file: input, line: row, message: "\(underlying)")
            case let .streamingLine(line, message):
                return RunFailure(file: input, line: line, message: message)
            default:
                return RunFailure(file: input, line: nil, message: "\(e)")
            }
        }
        return RunFailure(file: input, line: nil, message: "\(error)")
    }

    private func fail(_ failure: RunFailure) -> Never {
        FileHandle.standardError.write(Data((failure.description + "\n").utf8))
        Foundation.exit(1)
    }
}

/// A located failure, printed as `FILE:LINE: message`.
struct RunFailure: Error, CustomStringConvertible {
    let file: String
    let line: Int?
    let message: String

    var description: String { line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)" }
}

/// The 1-based line where `"field"` first appears as a key, or 1: config
/// errors name a field, and pointing at its line is what an editor needs.
func lineOfField(_ field: String, in bytes: [UInt8]) -> Int {
    guard let last = field.split(separator: ".").last else { return 1 }
    let needle = Array("\"\(last)\"".utf8)
    guard needle.count <= bytes.count else { return 1 }
    for i in 0...(bytes.count - needle.count) where bytes[i..<(i + needle.count)].elementsEqual(needle) {
        return 1 + bytes[0..<i].reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
    }
    return 1
}
