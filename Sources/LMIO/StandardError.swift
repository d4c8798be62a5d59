/// Diagnostics on standard error: progress lines and error messages.
/// Unbuffered (a message must appear before the process exits) and never
/// failing: when standard error itself cannot be written there is nowhere
/// left to report that, so the failure is dropped (unlike standard output,
/// whose loss `BufferedWriter` reports).
public enum StandardError {
    /// Writes `text` as it is (add the newline yourself).
    public static func write(_ text: String) {
        var text = text
        let stderr = FileDescriptor.standardError()
        text.withUTF8 { try? stderr.writeAll(UnsafeRawBufferPointer($0)) }
    }
}
