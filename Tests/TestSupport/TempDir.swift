import Foundation

/// A fresh directory under the system temporary directory for one test.
/// Tests remove it in a `defer { dir.remove() }` so nothing is left behind
/// whether they pass or fail.
public struct TempDir {
    /// The directory.
    public let url: URL

    /// Creates `$TMPDIR/PREFIX-<uuid>`.
    public init(prefix: String = "lmshard-test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The directory's path.
    public var path: String { url.path }

    /// The path of `name` inside the directory.
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `data` to `name` (creating subdirectories); returns its path.
    @discardableResult
    public func write(_ name: String, _ data: Data) throws -> String {
        let p = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: p.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: p)
        return p.path
    }

    /// Writes `text` as UTF-8 to `name`; returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String { try write(name, Data(text.utf8)) }

    /// Writes `bytes` to `name`; returns its path.
    @discardableResult
    public func write(_ name: String, _ bytes: [UInt8]) throws -> String { try write(name, Data(bytes)) }

    /// Deletes the directory and everything in it.
    public func remove() { try? FileManager.default.removeItem(at: url) }
}
