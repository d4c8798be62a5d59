import Foundation
import TestSupport
import Testing

/// Runs the real `lmshard` binary the way a user does and captures what it says.
///
/// The binary is the one `swift build` put next to the test bundle, or
/// `$LMSHARD_BIN` when set (CI points it at a release build).
struct CLI {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        /// The process ran past its deadline and was killed.
        var timedOut = false
    }

    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["LMSHARD_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        // The test runner lives in the products directory (.build/<config>/).
        var dir = Bundle.main.bundleURL
        if dir.pathExtension == "xctest" { dir.deleteLastPathComponent() }
        return dir.appendingPathComponent("lmshard")
    }

    /// The repository root, found from this source file's path.
    static var repoRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static var sampleTokenizer: String { repoRoot.appendingPathComponent("sample/tokenizer").path }

    /// Runs `lmshard arguments`. `stdoutFile` sends standard output to a
    /// file (e.g. `/dev/full`) instead of capturing it. A process still
    /// running after `deadline` seconds is killed and reported `timedOut`,
    /// so a regression that blocks (a FIFO opened for reading) fails the
    /// test instead of hanging CI.
    @discardableResult
    static func run(
        _ arguments: [String], stdin: Data? = nil, cwd: URL? = nil, stdoutFile: String? = nil, deadline: Double = 300
    ) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let cwd { process.currentDirectoryURL = cwd }
        let out = Pipe()
        let err = Pipe()
        let inPipe = Pipe()
        if let stdoutFile {
            process.standardOutput = FileHandle(forWritingAtPath: stdoutFile)
            try? out.fileHandleForWriting.close()
        } else {
            process.standardOutput = out
        }
        process.standardError = err
        process.standardInput = inPipe
        try process.run()
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + deadline, execute: watchdog)
        defer { watchdog.cancel() }
        // Write stdin and drain both pipes concurrently so large outputs cannot deadlock.
        let writer = Thread {
            if let stdin { inPipe.fileHandleForWriting.write(stdin) }
            try? inPipe.fileHandleForWriting.close()
        }
        writer.start()
        let errReader = err.fileHandleForReading
        let errRead = Background { errReader.readDataToEndOfFile() }
        let outData = stdoutFile == nil ? out.fileHandleForReading.readDataToEndOfFile() : Data()
        let errData = (try? errRead.wait()?.get()) ?? Data()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self),
            timedOut: process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGTERM)
    }
}
