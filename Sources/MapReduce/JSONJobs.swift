import LMJSON

/// Running registry-made (`any JSONRowTransform`) transforms over JSONL
/// lines: the entry points the CLI calls.

extension LocalRunner {
    /// Runs a JSON-row transform of either kind over JSONL lines; lines are
    /// parsed on the worker threads. Row numbers in errors are line numbers.
    public func run<S: Sequence>(
        jsonTransform transform: any JSONRowTransform, lines: S, jobIdentity: String? = nil,
        emit: @escaping (JSONValue) throws -> Void
    ) throws where S.Element == [UInt8] {
        try transform.accept(LocalVisitor(runner: self, lines: AnySequence(lines), jobIdentity: jobIdentity, emit: emit))
    }
}

private struct LocalVisitor: JSONTransformVisitor {
    let runner: LocalRunner
    let lines: AnySequence<[UInt8]>
    let jobIdentity: String?
    let emit: (JSONValue) throws -> Void

    func visitMap<T: MapTransform>(_ transform: T) throws where T.Input == JSONValue, T.Output == JSONValue {
        try runner.run(transform, input: lines, prepare: { try JSONLines.parse($0) }, emit: emit)
    }

    func visitMapReduce<T: MapReduceTransform>(_ transform: T) throws
    where T.Input == JSONValue, T.Output == JSONValue {
        try runner.run(
            transform, input: lines, prepare: { try JSONLines.parse($0) }, jobIdentity: jobIdentity, emit: emit)
    }
}

extension Streaming {
    /// Which half of a streaming job to run.
    public enum Stage: String, Sendable, CaseIterable {
        case map, reduce
    }

    /// Runs one stage of a JSON-row transform: `map` turns JSONL into
    /// `KEY\tSEQ\tVALUE` lines (or, for a map-only transform, JSONL rows);
    /// `reduce` turns sorted `KEY\tSEQ\tVALUE` lines into JSONL rows.
    ///
    /// - Throws: `ConfigError` for `reduce` of a map-only transform, else
    ///   what `map`/`reduce` throw.
    public static func run<S: Sequence>(
        jsonTransform transform: any JSONRowTransform, stage: Stage, lines: S, output: FileSink
    ) throws where S.Element == [UInt8] {
        try transform.accept(StreamingVisitor(stage: stage, lines: AnySequence(lines), output: output))
    }
}

private struct StreamingVisitor: JSONTransformVisitor {
    let stage: Streaming.Stage
    let lines: AnySequence<[UInt8]>
    let output: FileSink

    func visitMap<T: MapTransform>(_ transform: T) throws where T.Input == JSONValue, T.Output == JSONValue {
        guard stage == .map else {
            throw ConfigError(
                transform: nil, field: "type", message: "\(T.self) is map-only; run it with --stage map and no reducer")
        }
        try Streaming.mapOnly(transform, lines: lines, output: output)
    }

    func visitMapReduce<T: MapReduceTransform>(_ transform: T) throws
    where T.Input == JSONValue, T.Output == JSONValue {
        switch stage {
        case .map: try Streaming.map(transform, lines: lines, output: output)
        case .reduce: try Streaming.reduce(transform, lines: lines, output: output)
        }
    }
}
