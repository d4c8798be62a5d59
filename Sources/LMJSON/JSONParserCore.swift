/// The recursive-descent core of `JSONParser`: a cursor over borrowed bytes.
///
/// Everything here reads through `base`, which is valid only for the duration
/// of `JSONParser.parse`; the type never escapes that call.
///
/// Measured (release build, Llama-3 `tokenizer.json`, 17.2 MB, 128k vocab
/// entries and 280k merges): see tools/bench/json for the current numbers;
/// Foundation's `JSONSerialization` takes about 1.3 s on the same file.
struct JSONParserCore {
    let base: UnsafePointer<UInt8>
    let end: Int
    let raw: UnsafeRawBufferPointer
    var i = 0
    var depth = 0
    /// Reused buffer for strings that contain escapes.
    var scratch: [UInt8] = []

    init(base: UnsafePointer<UInt8>, count: Int, raw: UnsafeRawBufferPointer) {
        self.base = base
        self.end = count
        self.raw = raw
    }

    // MARK: errors

    func fail(_ kind: JSONParseError.Kind, _ message: String, at offset: Int? = nil) -> JSONParseError {
        JSONParseError.at(offset ?? i, in: raw, kind, message)
    }

    /// `'x'` for printable ASCII, `byte 0xNN` otherwise.
    static func describe(_ b: UInt8) -> String {
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        let hex = String(b, radix: 16, uppercase: true)
        return "byte 0x" + (hex.count == 1 ? "0" + hex : hex)
    }

    // MARK: document and values

    mutating func parseDocument() throws -> JSONValue {
        if end >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF {
            throw fail(.unexpectedCharacter, "unexpected UTF-8 byte order mark", at: 0)
        }
        let value = try parseValue()
        skipWhitespace()
        if i < end {
            throw fail(
                .trailingCharacters,
                "unexpected \(Self.describe(base[i])) after the JSON value")
        }
        return value
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while i < end {
            let b = base[i]
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            i += 1
        }
    }

    mutating func parseValue() throws -> JSONValue {
        skipWhitespace()
        guard i < end else { throw fail(.unexpectedEnd, "unexpected end of input, expected a value") }
        switch base[i] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        default:
            throw fail(.unexpectedCharacter, "unexpected \(Self.describe(base[i])), expected a value")
        }
    }

    mutating func expectLiteral(_ word: StaticString) throws {
        let start = i
        let w = word.utf8Start
        for k in 0..<word.utf8CodeUnitCount {
            guard i < end else {
                throw fail(.unexpectedEnd, "unexpected end of input inside '\(word)'")
            }
            guard base[i] == w[k] else {
                throw fail(
                    .unexpectedCharacter,
                    "unexpected \(Self.describe(base[i])) in literal starting at column of '\(word)'",
                    at: k == 0 ? start : i)
            }
            i += 1
        }
    }

    mutating func enter() throws {
        depth += 1
        if depth > JSONParser.maximumDepth {
            throw fail(.tooDeep, "nesting deeper than \(JSONParser.maximumDepth) levels")
        }
    }

    mutating func parseArray() throws -> JSONValue {
        try enter()
        i += 1  // '['
        skipWhitespace()
        var items: [JSONValue] = []
        if i < end && base[i] == UInt8(ascii: "]") {
            i += 1
            depth -= 1
            return .array(items)
        }
        while true {
            items.append(try parseValue())
            skipWhitespace()
            guard i < end else {
                throw fail(.unexpectedEnd, "unexpected end of input, expected ',' or ']' after array element")
            }
            let b = base[i]
            if b == UInt8(ascii: "]") {
                i += 1
                break
            }
            guard b == UInt8(ascii: ",") else {
                throw fail(.unexpectedCharacter, "expected ',' or ']' after array element")
            }
            i += 1
            skipWhitespace()
            if i < end && base[i] == UInt8(ascii: "]") {
                throw fail(.unexpectedCharacter, "trailing comma before ']'")
            }
        }
        depth -= 1
        return .array(items)
    }

    mutating func parseObject() throws -> JSONValue {
        try enter()
        i += 1  // '{'
        skipWhitespace()
        var members = ObjectBuilder()
        if i < end && base[i] == UInt8(ascii: "}") {
            i += 1
            depth -= 1
            return .object(JSONObject(members.entries))
        }
        while true {
            guard i < end else {
                throw fail(.unexpectedEnd, "unexpected end of input, expected an object key")
            }
            guard base[i] == UInt8(ascii: "\"") else {
                throw fail(.unexpectedCharacter, "expected '\"' to start an object key")
            }
            let key = try parseString()
            skipWhitespace()
            guard i < end else {
                throw fail(.unexpectedEnd, "unexpected end of input, expected ':' after object key")
            }
            guard base[i] == UInt8(ascii: ":") else {
                throw fail(.unexpectedCharacter, "expected ':' after object key")
            }
            i += 1
            let value = try parseValue()
            members.insert(key, value)
            skipWhitespace()
            guard i < end else {
                throw fail(.unexpectedEnd, "unexpected end of input, expected ',' or '}' after object member")
            }
            let b = base[i]
            if b == UInt8(ascii: "}") {
                i += 1
                break
            }
            guard b == UInt8(ascii: ",") else {
                throw fail(.unexpectedCharacter, "expected ',' or '}' after object member")
            }
            i += 1
            skipWhitespace()
            if i < end && base[i] == UInt8(ascii: "}") {
                throw fail(.unexpectedCharacter, "trailing comma before '}'")
            }
        }
        depth -= 1
        return .object(JSONObject(members.entries))
    }
}

/// Builds an object's entries with Python's duplicate-key rule: the last
/// value wins, at the first occurrence's position.
///
/// Small objects (rows, tokenizer components) check duplicates by a linear
/// scan; past `indexThreshold` keys a hash index over the keys' UTF-8 bytes
/// takes over, so a 128k-key vocabulary costs one hash per key instead of a
/// quadratic scan.
struct ObjectBuilder {
    static let indexThreshold = 16
    var entries: [(key: String, value: JSONValue)] = []
    var index: [UTF8Key: Int]? = nil

    mutating func insert(_ key: String, _ value: JSONValue) {
        if var idx = index {
            index = nil  // keep the dictionary uniquely referenced while mutating it
            if let at = idx[UTF8Key(key)] {
                entries[at].value = value
            } else {
                idx[UTF8Key(key)] = entries.count
                entries.append((key, value))
            }
            index = idx
            return
        }
        let n = key.utf8.count
        for j in entries.indices where entries[j].key.utf8.count == n {
            if entries[j].key.utf8.elementsEqual(key.utf8) {
                entries[j].value = value
                return
            }
        }
        entries.append((key, value))
        if entries.count == Self.indexThreshold {
            var idx = [UTF8Key: Int](minimumCapacity: 64)
            for (j, e) in entries.enumerated() { idx[UTF8Key(e.key)] = j }
            index = idx
        }
    }
}

/// A `String` hashed and compared by its UTF-8 bytes (Python's notion of key
/// equality), not by Unicode canonical equivalence.
struct UTF8Key: Hashable {
    var string: String
    init(_ s: String) { string = s }

    static func == (a: UTF8Key, b: UTF8Key) -> Bool {
        a.string.utf8.count == b.string.utf8.count && a.string.utf8.elementsEqual(b.string.utf8)
    }

    func hash(into hasher: inout Hasher) {
        var s = string
        s.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
