import LMJSON
import Testing
@testable import MapReduce

@Suite struct RegistryTests {
    func config(_ text: String) throws -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    @Test func buildsSeedTransformFromConfig() throws {
        let t = try TransformRegistry.standard.makeTransform(
            config: try config(#"{"type":"count_chars","column":"content","lowercase":true}"#))
        let out = try InMemoryRunner().run(jsonTransform: t, rows: seedInput)
        #expect(out.count == 11)  // the seed's 11 distinct lowercased characters
        #expect(out.first == row(("letter", .string(" ")), ("cnt", .int(1))))
    }

    @Test func defaultsApply() throws {
        let t = try TransformRegistry.standard.makeTransform(config: try config(#"{"type":"change_case","column":"content"}"#))
        // to_lower defaults to false: uppercase.
        #expect(try InMemoryRunner().run(jsonTransform: t, rows: [seedInput[1]]) == [row(("content", .string("ABCC")))])
    }

    @Test(arguments: [
        (#"{"type":"change_case"}"#, "column", "missing required field"),
        (#"{"type":"change_case","column":3}"#, "column", ""),
        (#"{"type":"change_case","column":"c","to_lowr":true}"#, "to_lowr", "unknown field"),
        (#"{"type":"change_case","column":"c","to_lower":"yes"}"#, "to_lower", ""),
        (#"{"column":"c"}"#, "type", "required field is missing"),
        (#"{"type":"nope"}"#, "type", ""),
    ])
    func badConfigNamesField(text: String, field: String, message: String) throws {
        let value = try config(text)
        #expect {
            _ = try TransformRegistry.standard.makeTransform(config: value)
        } throws: { error in
            guard let e = error as? ConfigError else { return false }
            return e.field == field && (message.isEmpty || e.message == message)
        }
    }

    struct TagConfig: TransformConfig {
        static let typeName = "tag"
        static let fieldNames: Set<String> = ["value"]
        var value: String
    }

    struct Tag: MapTransform, JSONRowTransform {
        let config: TagConfig
        func map(_ row: JSONValue, emit: (JSONValue) throws -> Void) throws {
            guard case .object(var o) = row else { throw RowError.notAnObject(found: row.kindName) }
            o["tag"] = .string(config.value)
            try emit(.object(o))
        }
    }

    @Test func userTransformsRegisterWithoutRunnerChanges() throws {
        var registry = TransformRegistry.standard
        registry.register(TagConfig.self) { Tag(config: $0) }
        let t = try registry.makeTransform(config: try config(#"{"type":"tag","value":"x"}"#))
        #expect(try InMemoryRunner().run(jsonTransform: t, rows: [row(("a", .int(1)))]) == [row(("a", .int(1)), ("tag", .string("x")))])
        #expect(registry.typeNames == ["change_case", "count_chars", "tag"])
    }
}
