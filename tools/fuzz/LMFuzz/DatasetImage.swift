import Foundation
import LMShard

/// A dataset held in memory: `manifest.json` plus every shard file, by name.
/// Fuzz cases mutate images and write them to a scratch directory; seeds are
/// loaded from directories `lmshard build` (or a `ShardWriter`) produced.
public struct DatasetImage: Equatable, Sendable {
    /// File name -> contents, for every non-hidden file of the directory.
    public var files: [String: [UInt8]]
    /// A short label for reports (the seed's origin).
    public var label: String

    public init(files: [String: [UInt8]], label: String) {
        self.files = files
        self.label = label
    }

    /// Reads every regular, non-hidden file of `directory` (a dataset has no
    /// subdirectories).
    public static func load(_ directory: URL, label: String? = nil) throws -> DatasetImage {
        var files: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where !name.hasPrefix(".") {
            let url = directory.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            files[name] = Array(try Data(contentsOf: url))
        }
        guard files[Format.manifestFileName] != nil else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: directory.appendingPathComponent(Format.manifestFileName).path])
        }
        return DatasetImage(files: files, label: label ?? directory.lastPathComponent)
    }

    /// Empties `directory` (created if needed) and writes every file into it.
    public func write(to directory: URL) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: directory.path) {
            for name in try fm.contentsOfDirectory(atPath: directory.path) {
                try fm.removeItem(at: directory.appendingPathComponent(name))
            }
        } else {
            try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        for (name, bytes) in files {
            guard fm.createFile(atPath: directory.appendingPathComponent(name).path, contents: Data(bytes)) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: directory.appendingPathComponent(name).path])
            }
        }
    }

    /// Names of the shard files (everything but the manifest), sorted.
    public var shardFiles: [String] { files.keys.filter { $0 != Format.manifestFileName }.sorted() }

    /// Which part of a shard `name` is (`nil` for the manifest or a stray file).
    public static func part(of name: String) -> ShardFile? {
        guard let dot = name.lastIndex(of: ".") else { return nil }
        return ShardFile(rawValue: String(name[name.index(after: dot)...]))
    }
}
