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
