// JSON parse benchmark: LMJSON against Foundation's JSONSerialization,
// measured in the same run and printed as ratios.
//
// Build and run (from the package root):
//   tools/bench/json/run.sh [tokenizer.json] [rows.jsonl]
// The script compiles this file together with Sources/LMJSON in one
// optimized module, so no package change is needed.
import Foundation

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
}

func best(of n: Int, _ body: () throws -> Void) rethrows -> Double {
    var b = Double.infinity
    for _ in 0..<n { b = min(b, try seconds(body)) }
    return b
}

let args = CommandLine.arguments
guard args.count >= 2 else {
    print("usage: bench-json FILE.json [ROWS.jsonl]")
    exit(2)
}
let data = try Data(contentsOf: URL(fileURLWithPath: args[1]))
let mb = Double(data.count) / 1e6
let ours = try best(of: 5) { _ = try JSONParser.parse(data) }
let foundation = try best(of: 2) { _ = try JSONSerialization.jsonObject(with: data) }
print(String(format: "document %.1f MB: LMJSON %.3f s (%.0f MB/s), JSONSerialization %.3f s; ratio %.1fx",
             mb, ours, mb / ours, foundation, foundation / ours))

// JSONL rows: either the given file or synthetic pretraining-like rows.
var rows: [UInt8]
if args.count >= 3 {
    rows = [UInt8](try Data(contentsOf: URL(fileURLWithPath: args[2])))
} else {
    rows = []
    let words = ["the", "quick", "brown", "fox", "jumps", "über", "lazy", "dög", "\\n", "\\\"quoted\\\""]
    var n = 0
    while rows.count < 50_000_000 {
        var text = ""
        for k in 0..<(200 + n % 300) { text += words[(n &+ k &* 7) % words.count] + " " }
        let line = "{\"id\":\(n),\"text\":\"\(text)\",\"meta\":{\"score\":0.\(n % 997),\"lang\":\"en\"}}\n"
        rows.append(contentsOf: line.utf8)
        n += 1
    }
}
let rowMB = Double(rows.count) / 1e6
func splitLines(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
    try rows.withUnsafeBytes { all in
        var start = 0
        for k in 0..<all.count where all[k] == 0x0A {
            if k > start { try body(UnsafeRawBufferPointer(rebasing: all[start..<k])) }
            start = k + 1
        }
    }
}
let oursRows = try best(of: 3) { try splitLines { _ = try JSONParser.parse($0) } }
let fRows = try best(of: 1) {
    try splitLines { _ = try JSONSerialization.jsonObject(with: Data($0)) }
}
print(String(format: "jsonl %.1f MB: LMJSON %.3f s (%.0f MB/s), JSONSerialization %.3f s (%.0f MB/s); ratio %.1fx",
             rowMB, oursRows, rowMB / oursRows, fRows, rowMB / fRows, fRows / oursRows))

// Writer: 4M token ids as one JSON array, fast path vs. through JSONValue.
let ids = (0..<4_000_000).map { UInt32(truncatingIfNeeded: $0 &* 2_654_435_761) % 128_256 }
var sink = 0
let fast = best(of: 3) {
    var w = JSONWriter(capacity: ids.count * 7)
    ids.withUnsafeBufferPointer { w.writeIntArray($0) }
    sink &+= w.bytes.count
}
let slow = best(of: 1) {
    sink &+= JSONValue.array(ids.map { .int(Int64($0)) }).serializedBytes().count
}
print(String(format: "write 4M ids: writeIntArray %.3f s, via JSONValue %.3f s (%.1fx)",
             fast, slow, slow / fast))

// Rows serialized back (parse result of the JSONL rows), compact.
var parsedRows: [JSONValue] = []
try splitLines { parsedRows.append(try JSONParser.parse($0)) }
let writeRows = best(of: 3) {
    var w = JSONWriter(capacity: rows.count)
    for r in parsedRows {
        w.write(r)
        w.bytes.append(0x0A)
    }
    sink &+= w.bytes.count
}
print(String(format: "write jsonl rows back: %.3f s (%.0f MB/s)", writeRows, rowMB / writeRows))

// (Line splitting is LMIO's now: `lmshard-bench lines` measures it.)
if sink == 42 { print("") }
