import Foundation
import LMFuzz

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs one target's cases in worker processes (this executable's `worker`
/// subcommand) and turns their deaths into findings: a worker killed by a
/// signal or exiting non-zero crashed on the case it last announced; one
/// silent for `timeout` seconds hung on it and is killed. Either way its
/// scratch directory (that case's input) is saved under `out`, and a new
/// worker continues with the next case.
struct Supervisor {
    struct Tally {
        var cases = 0
        var crashes = 0
        var hangs = 0
        var violations = 0
        var seconds = 0.0
        /// Largest resident set of any worker so far, MiB (`RUSAGE_CHILDREN`).
        var peakMemoryMB = 0
        var findings: [String] = []
    }

    let target: FuzzTarget
    let seed: UInt64
    let workerArguments: [String]
    let scratchRoot: URL
    let out: URL
    let timeout: Double
    let batch: Int

    func run(cases: Int, deadline: Date, report: (String) -> Void) throws -> Tally {
        var tally = Tally()
        try FileManager.default.createDirectory(at: scratchRoot, withIntermediateDirectories: true)
        let start = Date()
        var next = 0
        var lastReport = start
        while next < cases, Date() < deadline {
            let to = min(cases, next + batch)
            let scratch = scratchRoot.appendingPathComponent("worker-\(target.rawValue)-\(next)")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
            if !FileManager.default.isExecutableFile(atPath: process.executableURL!.path) {
                process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            }
            process.arguments = ["worker", "--target", target.rawValue, "--seed", "\(seed)", "--from", "\(next)", "--to", "\(to)",
                                 "--deadline", "\(deadline.timeIntervalSince1970)", "--scratch", scratch.path, "--out", out.path]
                + workerArguments
            let pipe = Pipe()
            process.standardOutput = pipe
            let errPath = scratchRoot.appendingPathComponent("worker-\(target.rawValue).stderr")
            guard FileManager.default.createFile(atPath: errPath.path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: errPath.path])
            }
            process.standardError = try FileHandle(forWritingTo: errPath)
            try process.run()
            let fd = pipe.fileHandleForReading.fileDescriptor
            let pid = process.processIdentifier
            var last = next - 1, buffer = [UInt8](), hung = false
            // A hang is a case that burns `timeout` seconds of CPU without
            // finishing (on a loaded machine wall time says little), or one
            // blocked `wallTimeout` seconds without using any (a FIFO).
            // Sampled once a second, not per case (reading /proc per case cost
            // the supervisor a tenth of a core at 2000 cases/s): the case
            // announced last is charged from the first sample that saw it.
            var cpuAtCase = Self.cpuSeconds(pid) ?? 0, wallAtCase = Date(), caseAtSample = last, lastSample = Date()
            let wallTimeout = max(120, 10 * timeout)
            reading: while true {
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&p, 1, 1000)
                if ready < 0 { if errno == EINTR { continue }; break }
                if ready > 0 {
                    var chunk = [UInt8](repeating: 0, count: 1 << 16)
                    let n = read(fd, &chunk, chunk.count)
                    if n <= 0 { break }
                    buffer += chunk[0..<n]
                }
                while let nl = buffer.firstIndex(of: 0x0A) {
                    let line = String(decoding: buffer[..<nl], as: UTF8.self)
                    buffer.removeSubrange(...nl)
                    if line.hasPrefix("c "), let i = Int(line.dropFirst(2)) {
                        last = i
                    } else if line.hasPrefix("v ") {
                        tally.violations += 1
                        tally.findings.append("violation: " + line.dropFirst(2))
                        report("violation: " + line.dropFirst(2))
                    }
                }
                if Date().timeIntervalSince(lastSample) >= 1, let cpu = Self.cpuSeconds(pid) {
                    lastSample = Date()
                    if last != caseAtSample {
                        caseAtSample = last
                        cpuAtCase = cpu
                        wallAtCase = lastSample
                    } else if last >= next,  // before its first case the worker is loading seeds
                              cpu - cpuAtCase > timeout || lastSample.timeIntervalSince(wallAtCase) > wallTimeout {
                        hung = true
                        break
                    }
                }
                if Date().timeIntervalSince(lastReport) >= 30 {
                    lastReport = Date()
                    report("\(target.rawValue): \(tally.cases + (last - next + 1)) cases, "
                           + "\(Int(Double(tally.cases + last - next + 1) / Date().timeIntervalSince(start)))/s")
                }
            }
            if hung { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            let crashed = !hung && (process.terminationReason == .uncaughtSignal || process.terminationStatus != 0)
            tally.cases += last - next + 1
            if (hung || crashed) && last < next {
                let stderr = String(decoding: (try? Data(contentsOf: errPath)) ?? Data(), as: UTF8.self)
                throw SupervisorError(message: "the worker failed before its first case:\n\(stderr.prefix(4000))")
            }
            if hung || crashed {
                let kind = hung ? "hang (case still running after \(timeout) CPU seconds)" : "crash (\(process.terminationReason == .uncaughtSignal ? "signal" : "exit") \(process.terminationStatus))"
                let stderr = String(decoding: (try? Data(contentsOf: errPath)) ?? Data(), as: UTF8.self)
                let dir = try FuzzWorker.saveScratch(scratch, to: out, name: "\(target.rawValue)-\(seed)-\(last)", kind: kind,
                                                     detail: String(stderr.prefix(20_000)))
                if hung { tally.hangs += 1 } else { tally.crashes += 1 }
                tally.findings.append("\(kind): case \(last), saved in \(dir.path)")
                report("\(kind): case \(last), saved in \(dir.path)")
                next = last + 1
            } else {
                next = last + 1
                if next < to { break }  // the worker stopped at the deadline
            }
            try? FileManager.default.removeItem(at: scratch)
            try? FileManager.default.removeItem(at: errPath)
        }
        tally.seconds = Date().timeIntervalSince(start)
        var usage = rusage()
        #if canImport(Glibc)
        let who = __rusage_who_t(RUSAGE_CHILDREN.rawValue)
        #else
        let who = RUSAGE_CHILDREN
        #endif
        // Linux reports ru_maxrss in KiB.
        if getrusage(who, &usage) == 0 { tally.peakMemoryMB = usage.ru_maxrss / 1024 }
        return tally
    }
}

extension Supervisor {
    /// User + system CPU seconds of process `pid` (Linux `/proc/PID/stat`
    /// fields 14 and 15); nil when it cannot be read.
    static func cpuSeconds(_ pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // Fields after the parenthesised command name start at field 3.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

struct SupervisorError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
