#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a lock file says about its holder: who (PID, host, start time,
/// command) for messages, and what it has created or is about to do, so
/// that whoever takes the lock after a kill knows which leftovers are
/// provably the holder's.
///
/// Text, one `key=value` per line, between a version line and an `end`
/// line (a record cut short by a kill mid-write has no `end` and is not a
/// record; bytes after `end`, the tail of a longer record written over, are
/// ignored):
///
/// ```
/// lmshard-lock 1
/// pid=4711
/// host=node-3
/// started=1718000000
/// command=build
/// staging=.data.build-9c1e2f0a7b3d4c55
/// end
/// ```
///
/// Keys are lowercase letters and `_`; values are one line. Unknown keys
/// are kept, so a newer writer's record survives an older reader.
public struct LockRecord: Equatable, Sendable {
    /// The holder's process id.
    public var pid: Int32
    /// The holder's host name.
    public var host: String
    /// When the holder started, in seconds since 1970 (UTC).
    public var started: Int64
    /// What holds it: `build`, `run`, `finalize`, ...
    public var command: String
    /// Everything else, in the order written.
    public private(set) var fields: [(key: String, value: String)] = []

    public init(pid: Int32, host: String, started: Int64, command: String) {
        self.pid = pid
        self.host = host
        self.started = started
        self.command = command
    }

    /// A record for this process.
    public static func current(command: String) -> LockRecord {
        LockRecord(pid: getpid(), host: hostName(), started: Int64(time(nil)), command: command)
    }

    /// The value of `key`, or nil.
    public subscript(key: String) -> String? {
        get { fields.first { $0.key == key }?.value }
        set {
            precondition(Self.isKey(key) && !Self.ownKeys.contains(key), "bad key \(key)")
            let index = fields.firstIndex { $0.key == key }
            switch (index, newValue) {
            case let (i?, value?): fields[i].value = Self.oneLine(value)
            case let (i?, nil): fields.remove(at: i)
            case let (nil, value?): fields.append((key, Self.oneLine(value)))
            case (nil, nil): break
            }
        }
    }

    public static func == (a: LockRecord, b: LockRecord) -> Bool {
        a.pid == b.pid && a.host == b.host && a.started == b.started && a.command == b.command
            && a.fields.map(\.key) == b.fields.map(\.key) && a.fields.map(\.value) == b.fields.map(\.value)
    }

    /// `lmshard build (pid 4711 on node-3, started 2024-06-10 06:13:20 UTC)`.
    public var holderDescription: String {
        "lmshard \(command) (pid \(pid) on \(host), started \(Self.utc(started)))"
    }

    // MARK: - Encoding

    /// The record as the lock file holds it.
    public func serialized() -> [UInt8] {
        var text = "\(Self.magic)\npid=\(pid)\nhost=\(Self.oneLine(host))\nstarted=\(started)\ncommand=\(Self.oneLine(command))\n"
        for (key, value) in fields { text += "\(key)=\(value)\n" }
        text += "end\n"
        return Array(text.utf8)
    }

    /// Parses a lock file's bytes up to the first `end` line: nil for
    /// anything but a whole record (empty, cut short, another program's
    /// file, invalid UTF-8).
    public static func parse(_ bytes: [UInt8]) -> LockRecord? {
        guard let end = bytes.firstRange(of: Array("\nend\n".utf8)),
            let text = String(validating: bytes[..<end.lowerBound], as: UTF8.self)
        else { return nil }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 2, lines.removeFirst() == magic else { return nil }
        var values: [(String, String)] = []
        for line in lines {
            guard let eq = line.firstIndex(of: "="), isKey(String(line[..<eq])) else { return nil }
            values.append((String(line[..<eq]), String(line[line.index(after: eq)...])))
        }
        func take(_ key: String) -> String? {
            guard let i = values.firstIndex(where: { $0.0 == key }) else { return nil }
            return values.remove(at: i).1
        }
        guard let pid = take("pid").flatMap({ Int32($0) }), let host = take("host"),
            let started = take("started").flatMap({ Int64($0) }), let command = take("command")
        else { return nil }
        var record = LockRecord(pid: pid, host: host, started: started, command: command)
        // A repeated key keeps its first value; a repeated `pid=` (or
        // another of the holder's own keys) among the fields would trap
        // the first time a holder set a field of the record.
        for (key, value) in values where record[key] == nil && !ownKeys.contains(key) {
            record.fields.append((key, value))
        }
        return record
    }

    static let magic = "lmshard-lock 1"

    /// The keys of the holder's own properties, never among `fields`.
    static let ownKeys: Set<String> = ["pid", "host", "started", "command"]

    static func isKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.count <= 64 && key.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || $0 == 95 }
    }

    /// Line breaks in a value would end the record's line early.
    static func oneLine(_ value: String) -> String {
        String(value.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }

    /// `2024-06-10 06:13:20 UTC`.
    static func utc(_ seconds: Int64) -> String {
        var t = time_t(seconds)
        var parts = tm()
        guard gmtime_r(&t, &parts) != nil else { return "\(seconds)" }
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) UTC"
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown host" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
