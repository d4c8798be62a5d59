import Foundation
import LMIO

/// The build's progress line on stderr.
///
/// On a terminal it rewrites one line in place a few times a second; when
/// stderr is a file or pipe (CI logs, `nohup`) it prints a plain line every
/// `plainInterval` seconds instead, so logs stay readable. Workers report in
/// batches (`add`), never per token, so the lock here is uncontended.
/// `@unchecked Sendable` because every access to its state takes that lock.
public final class ProgressReporter: @unchecked Sendable {
    public enum Mode: Sendable { case live, plain, quiet }

    private let lock = NSLock()
    private let mode: Mode
    private let totalBytes: Int64?
    private let start = Date()
    private lazy var lastPrint = start
    private var documents = 0
    private var bytes: Int64 = 0
    private var tokens = 0
    private var phase = "map"
    private let plainInterval: TimeInterval
    private var printedLive = false

    /// `totalBytes` (the inputs' sizes on disk, nil for stdin) drives the ETA.
    public init(mode: Mode? = nil, totalBytes: Int64?, plainInterval: TimeInterval = 10) {
        self.mode = mode ?? (isatty(STDERR_FILENO) == 1 ? .live : .plain)
        self.totalBytes = totalBytes
        self.plainInterval = plainInterval
    }

    public func setPhase(_ name: String) {
        lock.lock()
        phase = name
        lock.unlock()
        tick(force: true)
    }

    public func add(documents d: Int, bytes b: Int64, tokens t: Int) {
        lock.lock()
        documents += d
        bytes += b
        tokens += t
        lock.unlock()
        tick(force: false)
    }

    /// Ends the live line so the summary starts on a fresh one.
    public func finish() {
        guard mode == .live else { return }
        lock.lock()
        defer { lock.unlock() }
        if printedLive { StandardError.write("\n") }
    }

    private func tick(force: Bool) {
        guard mode != .quiet else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        let interval = mode == .live ? 0.25 : plainInterval
        // Plain lines (logs) come only every `plainInterval`, phase changes included:
        // a short build should log its summary, not a burst of progress lines.
        guard (force && mode == .live) || now.timeIntervalSince(lastPrint) >= interval else { return }
        lastPrint = now
        let line = render(elapsed: now.timeIntervalSince(start))
        if mode == .live {
            StandardError.write("\r\u{1B}[K\(line)")
            printedLive = true
        } else {
            StandardError.write("\(line)\n")
        }
    }

    private func render(elapsed: TimeInterval) -> String {
        let secs = max(elapsed, 1e-3)
        var parts = [
            "[\(phase)]",
            "\(documents) docs",
            String(format: "%.0f docs/s", Double(documents) / secs),
            String(format: "%.1f MB/s", Double(bytes) / secs / 1e6),
            "\(Format.count(tokens)) tokens",
        ]
        if let total = totalBytes, total > 0, bytes > 0, phase == "map" {
            let fraction = min(1, Double(bytes) / Double(total))
            let eta = elapsed * (1 - fraction) / fraction
            parts.append(String(format: "%.0f%%", fraction * 100))
            parts.append("ETA \(Format.duration(eta))")
        }
        return parts.joined(separator: "  ")
    }
}

/// Human-readable numbers for progress lines, summaries and `inspect`.
public enum Format {
    /// 1234567 -> "1.23M".
    public static func count(_ n: Int) -> String {
        let v = Double(n)
        switch abs(v) {
        case 1e9...: return String(format: "%.2fG", v / 1e9)
        case 1e6...: return String(format: "%.2fM", v / 1e6)
        case 1e4...: return String(format: "%.1fk", v / 1e3)
        default: return String(n)
        }
    }

    public static func bytes(_ n: Int64) -> String {
        let v = Double(n)
        switch v {
        case Double(1 << 30)...: return String(format: "%.2f GiB", v / Double(1 << 30))
        case Double(1 << 20)...: return String(format: "%.2f MiB", v / Double(1 << 20))
        case Double(1 << 10)...: return String(format: "%.1f KiB", v / Double(1 << 10))
        default: return "\(n) B"
        }
    }

    public static func duration(_ seconds: TimeInterval) -> String {
        guard seconds.isFinite else { return "?" }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let s = Int(seconds)
        if s < 3600 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s / 3600)h\(String(format: "%02d", (s % 3600) / 60))m"
    }
}
