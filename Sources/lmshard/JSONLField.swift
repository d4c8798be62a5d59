import Foundation

/// Reads one string field from a JSONL line.
enum JSONLField {
    struct Failure: Error { let message: String }

    static func string(_ field: String, in line: String) throws -> String {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(line.utf8), options: [])
        } catch {
            throw Failure(message: "not valid JSON")
        }
        guard let dict = object as? [String: Any] else { throw Failure(message: "expected a JSON object") }
        guard let value = dict[field] else { throw Failure(message: "missing field \"\(field)\"") }
        guard let text = value as? String else { throw Failure(message: "field \"\(field)\" is not a string") }
        return text
    }
}
