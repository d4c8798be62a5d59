import Foundation
import LMJSON
import LMTokenizer
import MapReduce

/// `prepare_for_training` over JSON rows, as the transform registry runs it:
/// the typed transform with each packed sequence written as
/// `{"input_ids": [...], "position_ids": [...], "loss_mask": [...]}`.
public struct PrepareForTrainingJSONTransform: MapReduceTransform, JSONRowTransform {
    /// The typed transform doing the work.
    public let base: PrepareForTrainingTransform

    /// Wraps `base`.
    public init(_ base: PrepareForTrainingTransform) { self.base = base }

    /// See `PrepareForTrainingTransform.map(_:emit:)`.
    public func map(_ row: JSONValue, emit: (ReduceChunkKey, TokenizedRow) throws -> Void) throws {
        try base.map(row, emit: emit)
    }

    /// Packs the group and emits each sequence as a JSON object.
    public func reduce<S: ValueStream>(key: ReduceChunkKey, values: inout S, emit: (JSONValue) throws -> Void) throws
    where S.Element == TokenizedRow {
        try base.reduce(key: key, values: &values) { try emit($0.jsonValue) }
    }
}

extension PrepareForTrainingConfig {
    /// Every key the config accepts besides `type`.
    public static var fieldNames: Set<String> { knownKeys.subtracting(["type"]) }

    /// Decodes a config object with LMJSON's decoder.
    ///
    /// - Throws: `PrepError.invalidConfig` naming the field.
    public init(json: JSONValue) throws {
        self = try JSONValueDecoder().decode(PrepareForTrainingConfig.self, from: json)
    }
}

extension TransformRegistry {
    /// Loads the tokenizer a config's `tokenizer_name` names.
    public typealias TokenizerLoader = @Sendable (String) throws -> any TextEncoder

    /// Loads `tokenizer_name` as `HubResolver` resolves it: a `tokenizer.json`
    /// file, a folder holding one (with an optional `tokenizer_config.json`),
    /// or a hub id such as `JetBrains/Mellum-4b-base` (hub cache first).
    public static let loadTokenizerByName: TokenizerLoader = { name in
        try Tokenizer.fromPretrained(name)
    }

    /// Registers `prepare_for_training`.
    ///
    /// - Parameters:
    ///   - stats: where each reduce group's packing counters are added, so the
    ///     caller can report packing efficiency after the run.
    ///   - loadTokenizer: turns `tokenizer_name` into a tokenizer; pass a hub
    ///     resolver to accept hub ids.
    /// Config problems come out as MapReduce's `ConfigError` naming the
    /// field; a tokenizer that lacks a needed token as a `ConfigError` on
    /// `tokenizer_name` saying which token.
    public mutating func registerPrepareForTraining(
        stats: PackingStatsAccumulator? = nil, loadTokenizer: @escaping TokenizerLoader = loadTokenizerByName
    ) {
        let typeName = PrepareForTrainingConfig.typeName
        register(typeName: typeName) { json in
            let config: PrepareForTrainingConfig
            do {
                config = try PrepareForTrainingConfig(json: json)
            } catch let PrepError.invalidConfig(field, reason) {
                throw ConfigError(transform: typeName, field: field, message: reason)
            }
            let encoder: any TextEncoder
            do {
                encoder = try loadTokenizer(config.tokenizerName)
            } catch {
                throw ConfigError(transform: typeName, field: "tokenizer_name", message: "cannot load tokenizer: \(error)")
            }
            do {
                return PrepareForTrainingJSONTransform(
                    try PrepareForTrainingTransform(config: config, encoder: encoder, stats: stats))
            } catch let error as PrepError {
                throw ConfigError(transform: typeName, field: "tokenizer_name", message: error.description)
            }
        }
    }

    /// `standard` plus `prepare_for_training` (tokenizers by path or hub id).
    public static var withPreparation: TransformRegistry {
        var registry = TransformRegistry.standard
        registry.registerPrepareForTraining()
        return registry
    }
}
