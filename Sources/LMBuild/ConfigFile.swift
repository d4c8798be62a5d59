import Foundation
import LMIO
import LMJSON
import Yams

/// Reads a `--config` file (JSON, or YAML by extension `.yaml`/`.yml`) into a
/// `JSONValue`, so both formats go through the same Codable decoding and give
/// the same field-path errors. YAML scalars keep YAML 1.1 core typing: `42`
/// is an int, `true` a bool, `~` null, quoted text a string.
public enum ConfigFile {
    public struct LoadError: Error, CustomStringConvertible {
        public let file: String
        public let reason: String
        public var description: String { "\(file): \(reason)" }
    }

    /// The largest config file read: settings are a few hundred bytes.
    public static let maximumFileSize = 16 << 20

    /// Reads and parses `path`.
    ///
    /// - Throws: `FileError` (missing, not a regular file, too large),
    ///   `LoadError` for invalid JSON or YAML.
    public static func load(_ path: String) throws -> JSONValue {
        let data = try FileSystem.readFile(path, limit: maximumFileSize)
        let lower = path.lowercased()
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") {
            guard let text = String(validating: data, as: UTF8.self) else {
                throw LoadError(file: path, reason: "not valid UTF-8")
            }
            do {
                guard let node = try Yams.compose(yaml: text) else { return .object(JSONObject()) }
                return try json(from: node, file: path)
            } catch let error as LoadError {
                throw error
            } catch {
                throw LoadError(file: path, reason: "invalid YAML: \(error)")
            }
        }
        do {
            return try JSONParser.parse(data)
        } catch {
            throw LoadError(file: path, reason: "invalid JSON: \(error)")
        }
    }

    static func json(from node: Node, file: String) throws -> JSONValue {
        switch node {
        case let .scalar(scalar):
            // Quoted scalars are always strings; plain ones resolve like YAML's core schema.
            guard scalar.style == .plain else { return .string(scalar.string) }
            if node.null != nil { return .null }
            if let b = node.bool { return .bool(b) }
            if let i = node.int { return .int(Int64(i)) }
            if let d = node.float { return .double(d) }
            return .string(scalar.string)
        case let .sequence(seq):
            return .array(try seq.map { try json(from: $0, file: file) })
        case let .mapping(mapping):
            var object = JSONObject()
            for (key, value) in mapping {
                guard let name = key.string else {
                    let line = key.mark.map { " at line \($0.line)" } ?? ""
                    throw LoadError(file: file, reason: "mapping keys must be strings\(line)")
                }
                object[name] = try json(from: value, file: file)
            }
            return .object(object)
        case .alias:
            throw LoadError(file: file, reason: "YAML aliases are not supported in configs")
        }
    }
}
