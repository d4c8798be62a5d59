/// The recursive-descent core of `JSONParser`: a cursor over borrowed bytes.
///
/// Everything here reads through `base`, which is valid only for the duration
/// of `JSONParser.parse`; the type never escapes that call.
///
/// Measured with tools/bench/json (release, whole-module, best of 5, on a
/// 2-core machine shared with other builds, load average 6-8, so absolute
/// times vary 2x between runs; the ratios are steadier):
/// - Llama-3 `tokenizer.json` (17.2 MB, 128k vocab keys, 280k merges):
///   0.08-0.12 s to a `JSONValue` tree; `JSONSerialization` took
///   0.32-0.50 s in the same runs (4.2-4.3x slower).
/// - 50 MB of JSONL rows (prose with escapes and non-ASCII): 260-348 MB/s,
///   against 48-55 MB/s for `JSONSerialization` (5.4-6.3x).
/// Instruction counts (callgrind, one Llama-3 parse) guided the tuning:
/// 923M -> 776M from reserving four slots per array (merge pairs no longer
/// regrow), -> 756M from hashing keys eight bytes at a time.
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
                    .unexpectedCharacter, "unexpected \(Self.describe(base[i])), expected '\(word)'",
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
        // Most arrays in tokenizer files are merge pairs: reserving room for
        // four elements up front saves the regrowth that appending one at a
        // time from zero capacity costs.
        items.reserveCapacity(4)
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
/// scan; past `indexThreshold` keys an open-addressing table of entry indices
/// keyed by a hash of the key's UTF-8 bytes takes over, so a
/// 128k-key vocabulary costs one cheap hash per key instead of a quadratic
/// scan. A `Dictionary<String, Int>` here cost 21% of the Llama-3 parse
/// (mostly seeding SipHash per key); this table costs about 4%.
struct ObjectBuilder {
    static let indexThreshold = 16
    var entries: [(key: String, value: JSONValue)] = []
    /// Hash of each entry's key (only once the table exists).
    var hashes: [UInt64] = []
    /// Entry index + 1 per slot, 0 for empty; power-of-two size.
    var slots: [Int32] = []

    mutating func insert(_ key: String, _ value: JSONValue) {
        if slots.isEmpty {
            let n = key.utf8.count
            for j in entries.indices where entries[j].key.utf8.count == n {
                if entries[j].key.utf8.elementsEqual(key.utf8) {
                    entries[j].value = value
                    return
                }
            }
            entries.append((key, value))
            if entries.count == Self.indexThreshold { buildTable() }
            return
        }
        let h = Self.hash(key)
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: h) & mask
        while slots[s] != 0 {
            let j = Int(slots[s]) - 1
            if hashes[j] == h && entries[j].key.utf8.elementsEqual(key.utf8) {
                entries[j].value = value
                return
            }
            s = (s + 1) & mask
        }
        slots[s] = Int32(truncatingIfNeeded: entries.count + 1)
        entries.append((key, value))
        hashes.append(h)
        if entries.count * 2 > slots.count { rehash(slots.count * 2) }
    }

    mutating func buildTable() {
        hashes = entries.map { Self.hash($0.key) }
        rehash(64)
    }

    mutating func rehash(_ size: Int) {
        slots = [Int32](repeating: 0, count: size)
        let mask = size - 1
        for j in hashes.indices {
            var s = Int(truncatingIfNeeded: hashes[j]) & mask
            while slots[s] != 0 { s = (s + 1) & mask }
            slots[s] = Int32(truncatingIfNeeded: j + 1)
        }
    }

    /// A multiply-xorshift hash over the key's UTF-8 bytes, eight at a
    /// time (byte-at-a-time FNV-1a was 5% of the Llama-3 parse), with a
    /// final mix so the low bits used for the slot depend on every byte.
    static func hash(_ key: String) -> UInt64 {
        var k = key
        return k.withUTF8 { buf -> UInt64 in
            let m: UInt64 = 0xFF51_AFD7_ED55_8CCD
            var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(buf.count)
            guard let p = buf.baseAddress else { return h }
            var i = 0
            while i + 8 <= buf.count {
                h = (h ^ UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)) &* m
                h ^= h >> 32
                i += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < buf.count {
                tail |= UInt64(p[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ tail) &* m
            h ^= h >> 29
            h &*= 0xBF58_476D_1CE4_E5B9
            return h ^ (h >> 32)
        }
    }
}
