import LMIO
import LMJSON

extension LocalRunner {
    /// Runs a JSON-row transform from a JSONL file into a JSONL file.
    ///
    /// The output is written under a temporary name next to `outputPath`,
    /// synced and renamed into place only on success (`AtomicFileWriter`);
    /// on failure the temporary file is removed, so a reader never sees a
    /// partial output.
    ///
    /// - Parameter temporaryPath: the temporary name (by default a unique
    ///   hidden sibling); a caller that records it first (`OutputLock`) can
    ///   remove it after a kill.
    /// - Throws: `MapReduceError` (`.input`/`.map` rows are line numbers of
    ///   `inputPath`), `FileError` naming the file.
    public func run(
        jsonTransform transform: any JSONRowTransform, inputPath: String, outputPath: String,
        temporaryPath: String? = nil, jobIdentity: String? = nil
    ) throws {
        let lines = LineBatches(try FileDescriptor.openForReading(inputPath))
        let output = try AtomicFileWriter(path: outputPath, temporaryPath: temporaryPath)
        var rows = JSONLinesWriter(output.output)
        try transform.runLocal(self, file: lines, jobIdentity: jobIdentity) { try rows.write($0) }
        try output.commit()
    }
}
