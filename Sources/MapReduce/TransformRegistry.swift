import LMJSON

/// A typed transform config that the registry can decode and check.
public protocol TransformConfig: Decodable, Sendable {
    /// The value of the config's `type` key.
    static var typeName: String { get }
    /// Every key the config accepts besides `type`; others are rejected, so a
    /// misspelt optional field (`"to_lowr"`) is an error, not a silent default.
    static var fieldNames: Set<String> { get }
}

/// A config that does not describe a runnable transform.
public struct ConfigError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The `type` of the transform being configured, when known.
    public let transform: String?
    /// The dotted path of the offending field (`"column"`, `"fim_kwargs.rate"`),
    /// empty for the config as a whole.
    public let field: String
    /// What is wrong.
    public let message: String

    public init(transform: String?, field: String, message: String) {
        self.transform = transform
        self.field = field
        self.message = message
    }

    init(decoding error: DecodingError, transform: String) {
        func path(_ codingPath: [CodingKey], _ last: CodingKey? = nil) -> String {
            (codingPath + (last.map { [$0] } ?? [])).map { $0.intValue.map(String.init) ?? $0.stringValue }
                .joined(separator: ".")
        }
        switch error {
        case let .keyNotFound(key, context):
            self.init(transform: transform, field: path(context.codingPath, key), message: "required field is missing")
        case let .typeMismatch(type, context):
            self.init(transform: transform, field: path(context.codingPath), message: "expected \(type)")
        case let .valueNotFound(type, context):
            self.init(transform: transform, field: path(context.codingPath), message: "expected \(type), found null")
        case let .dataCorrupted(context):
            self.init(transform: transform, field: path(context.codingPath), message: context.debugDescription)
        @unknown default:
            self.init(transform: transform, field: "", message: "\(error)")
        }
    }

    public var description: String {
        let prefix = transform.map { "\($0) config" } ?? "config"
        return field.isEmpty ? "\(prefix): \(message)" : "\(prefix): field \(String(reflecting: field)): \(message)"
    }
}

/// Maps a config's `type` discriminator to a factory that decodes the rest
/// of the config into a typed struct and builds the transform.
///
/// Runners only see `any JSONRowTransform`, so adding a transform never
/// touches a runner. To add one from any module:
///
/// ```swift
/// struct DropEmptyConfig: TransformConfig {
///     static let typeName = "drop_empty"
///     static let fieldNames: Set<String> = ["column"]
///     var column: String
/// }
///
/// struct DropEmpty: MapTransform, JSONRowTransform {
///     let config: DropEmptyConfig
///     func map(_ row: JSONValue, emit: (JSONValue) throws -> Void) throws {
///         if case .object(let o) = row, case .string(let s)? = o[config.column], s.isEmpty { return }
///         try emit(row)
///     }
/// }
///
/// var registry = TransformRegistry.standard
/// registry.register(DropEmptyConfig.self) { DropEmpty(config: $0) }
/// let transform = try registry.makeTransform(config: configJSON)
/// ```
public struct TransformRegistry: Sendable {
    /// Builds a transform from the whole config object (including `type`).
    public typealias Factory = @Sendable (JSONValue) throws -> any JSONRowTransform

    private var factories: [String: Factory] = [:]

    /// An empty registry.
    public init() {}

    /// The transforms MapReduce ships: `change_case` and `count_chars`.
    public static var standard: TransformRegistry {
        var r = TransformRegistry()
        r.register(ChangeCaseConfig.self) { ChangeCaseTransform($0) }
        r.register(CountCharsConfig.self) { CountCharsTransform($0) }
        return r
    }

    /// The registered `type` names, sorted.
    public var typeNames: [String] { factories.keys.sorted() }

    /// Registers `C.typeName`: the config is checked for unknown keys,
    /// decoded into `C` and passed to `make`. Replaces an earlier
    /// registration of the same name.
    public mutating func register<C: TransformConfig>(
        _ config: C.Type, make: @escaping @Sendable (C) throws -> any JSONRowTransform
    ) {
        factories[C.typeName] = { json in
            guard case .object(let object) = json else {
                throw ConfigError(transform: C.typeName, field: "", message: "config must be a JSON object")
            }
            for key in object.keys where key != "type" && !C.fieldNames.contains(key) {
                throw ConfigError(transform: C.typeName, field: key, message: "unknown field")
            }
            let config: C
            do {
                config = try JSONValueDecoder(rejectUnknownKeys: false).decode(C.self, from: json)  // checked above, minus "type"
            } catch let error as JSONDecodeError {
                throw ConfigError(transform: C.typeName, field: error.path, message: error.message)
            } catch let error as DecodingError {
                throw ConfigError(decoding: error, transform: C.typeName)
            }
            return try make(config)
        }
    }

    /// Registers a raw factory for `typeName`, for configs that are not a
    /// `TransformConfig` struct.
    public mutating func register(typeName: String, factory: @escaping Factory) {
        factories[typeName] = factory
    }

    /// Builds the transform a config object describes.
    ///
    /// - Throws: `ConfigError` naming the field: `type` missing, not a
    ///   string or not registered; unknown keys; missing or mistyped fields.
    public func makeTransform(config: JSONValue) throws -> any JSONRowTransform {
        guard case .object(let object) = config else {
            throw ConfigError(transform: nil, field: "", message: "config must be a JSON object")
        }
        guard let typeValue = object["type"] else {
            throw ConfigError(transform: nil, field: "type", message: "required field is missing")
        }
        guard case .string(let type) = typeValue else {
            throw ConfigError(transform: nil, field: "type", message: "expected a string")
        }
        guard let factory = factories[type] else {
            throw ConfigError(
                transform: nil, field: "type",
                message: "unknown transform \(String(reflecting: type)); known: \(typeNames.joined(separator: ", "))")
        }
        return try factory(config)
    }

    /// Parses config JSON text and builds the transform.
    public func makeTransform(configJSON bytes: [UInt8]) throws -> any JSONRowTransform {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch let error as JSONParseError {
            throw ConfigError(transform: nil, field: "", message: "invalid JSON at line \(error.line), column \(error.column): \(error.message)")
        }
        return try makeTransform(config: value)
    }
}
