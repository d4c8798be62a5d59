import LMJSON
import LMPrep

/// The one way a `--config` file and flags become settings, for
/// `lmshard build` (every stage) and `lmshard run`: the file (JSON, or YAML
/// by extension) is read by `ConfigFile`, flags given on the command line
/// override it field by field (one level deep into objects, so
/// `--fim-format` replaces only `fim_kwargs.fim_format`), and a config
/// without `type` is a `prepare_for_training` config.
public enum ConfigResolver {
    /// The merged config object with its `type` set, and where it came from
    /// (the file, or `command line`) for messages.
    ///
    /// - Throws: `FileError`/`ConfigFile.LoadError` for an unreadable file,
    ///   `BuildError.config` when the file is not an object of settings.
    public static func merged(configFile: String?, overrides: JSONObject) throws -> (config: JSONObject, source: String) {
        var object = JSONObject()
        let source = configFile ?? "command line"
        if let path = configFile {
            guard case let .object(fileObject) = try ConfigFile.load(path) else {
                throw BuildError.config(source: path, field: "$", message: "the config must be an object of settings")
            }
            object = fileObject
        }
        for (key, value) in overrides.entries {
            if case let .object(inner) = value, case var .object(merged)? = object[key] {
                for (k, v) in inner.entries { merged[k] = v }
                object[key] = .object(merged)
            } else {
                object[key] = value
            }
        }
        if object["type"] == nil {
            var typed = JSONObject()
            typed["type"] = .string(PrepareForTrainingConfig.typeName)
            for (k, v) in object.entries { typed[k] = v }
            object = typed
        }
        return (object, source)
    }

    /// `lmshard build`'s settings: the merged config decoded and validated
    /// as `prepare_for_training`, and the merged JSON the manifest records.
    ///
    /// - Throws: `BuildError.config` naming the source and the field (with
    ///   the flag that sets it, for missing settings).
    public static func preparation(configFile: String?, overrides: JSONObject) throws
        -> (config: PrepareForTrainingConfig, json: JSONValue)
    {
        let (object, source) = try merged(configFile: configFile, overrides: overrides)
        let typeName = PrepareForTrainingConfig.typeName
        if let type = object["type"], type != .string(typeName) {
            throw BuildError.config(
                source: source, field: "type", message: "lmshard build runs \(typeName), not \(type.serialized())")
        }
        let json = JSONValue.object(object)
        return (try preparation(json: json, source: source), json)
    }

    /// Decodes and validates a merged `prepare_for_training` config (as a
    /// plan records it).
    public static func preparation(json: JSONValue, source: String) throws -> PrepareForTrainingConfig {
        do {
            return try PrepareForTrainingConfig(json: json)
        } catch let PrepError.invalidConfig(field, reason) {
            throw BuildError.config(source: source, field: field, message: reason + flagHint(field))
        } catch let error as JSONDecodeError {
            throw BuildError.config(source: source, field: error.path, message: error.message + flagHint(error.path))
        }
    }

    /// Which flag sets a config field, for messages about missing settings.
    static func flagHint(_ field: String) -> String {
        let flags = [
            "tokenizer_name": "--tokenizer", "processing_strategy": "--strategy", "packing_strategy": "--packing",
            "seq_len": "--seq-len", "num_reduce_chunks": "--num-reduce-chunks", "pad_token_id": "--pad-token-id",
        ]
        guard let flag = flags[field] else { return "" }
        return " (set \(flag) or `\(field)` in --config)"
    }
}
