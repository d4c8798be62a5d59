import LMIO
import LMJSON

/// Running registry-made (`any JSONRowTransform`) transforms over JSONL
/// lines: the entry points the CLI calls.

extension LocalRunner {
    /// Runs a JSON-row transform of either kind over JSONL lines; lines are
    /// parsed on the worker threads. Row numbers in errors are line numbers.
    public func run<S: Sequence>(
        jsonTransform transform: any JSONRowTransform, lines: S, jobIdentity: String? = nil,
        emit: (JSONValue) throws -> Void
    ) throws where S.Element == [UInt8] {
        try transform.runLocal(self, lines: AnySequence(lines), jobIdentity: jobIdentity, emit: emit)
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
    public static func run<Source: ByteSource & ~Copyable>(
        jsonTransform transform: any JSONRowTransform, stage: Stage, lines: inout LineReader<Source>,
        output: BufferedWriter
    ) throws {
        try transform.runStreaming(stage: stage, lines: &lines, output: output)
    }
}
