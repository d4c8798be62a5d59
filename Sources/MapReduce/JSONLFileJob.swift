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
    /// - Throws: `MapReduceError` (`.input`/`.map` rows are line numbers of
    ///   `inputPath`), `FileError` naming the file.
    public func run(
        jsonTransform transform: any JSONRowTransform, inputPath: String, outputPath: String,
        jobIdentity: String? = nil
    ) throws {
        let lines = LineBatches(try FileDescriptor.openForReading(inputPath))
        let output = try AtomicFileWriter(path: outputPath)
        var rows = JSONLinesWriter(output.output)
        try transform.runLocal(self, file: lines, jobIdentity: jobIdentity) { try rows.write($0) }
        try output.commit()
    }
}
