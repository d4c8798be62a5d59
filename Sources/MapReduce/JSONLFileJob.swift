import Foundation
import LMJSON

extension LocalRunner {
    /// Runs a JSON-row transform from a JSONL file into a JSONL file.
    ///
    /// The output is written to `outputPath.tmp-<pid>`, synced, and renamed
    /// to `outputPath` only on success; on failure the temporary file is
    /// removed, so a reader never sees a partial output.
    ///
    /// - Throws: `MapReduceError` (`.input`/`.map` rows are line numbers of
    ///   `inputPath`; `.io` names the file).
    public func run(
        jsonTransform transform: any JSONRowTransform, inputPath: String, outputPath: String,
        jobIdentity: String? = nil
    ) throws {
        let inFD = open(inputPath, O_RDONLY)
        guard inFD >= 0 else { throw MapReduceError.io(path: inputPath, message: "cannot open: \(errnoText())") }
        defer { close(inFD) }
        let tmp = outputPath + ".tmp-\(getpid())"
        let outFD = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard outFD >= 0 else { throw MapReduceError.io(path: tmp, message: "cannot create: \(errnoText())") }
        var closed = false
        var renamed = false
        defer {
            if !closed { close(outFD) }
            if !renamed { unlink(tmp) }
        }
        let sink = FileSink(fileDescriptor: outFD, name: tmp)
        let lines = FileLineBatches(fileDescriptor: inFD, name: inputPath)
        try transform.runLocal(self, file: lines, jobIdentity: jobIdentity) { row in
            JSONLines.append(row, to: &sink.buffer)
            try sink.flushIfNeeded()
        }
        try sink.flush()
        guard fsync(outFD) == 0 else { throw MapReduceError.io(path: tmp, message: "fsync: \(errnoText())") }
        closed = true
        guard close(outFD) == 0 else { throw MapReduceError.io(path: tmp, message: "close: \(errnoText())") }
        try renameFile(tmp, outputPath)
        renamed = true
    }
}
