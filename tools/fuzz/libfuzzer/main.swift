import CLibFuzzer
import Foundation
import LMFuzz
import LMShard

/// `lmshard-libfuzzer`: coverage-guided fuzzing of the same targets and
/// checks as `lmshard-fuzz` (see `CaseRunner`), for builds linked with
/// `-sanitize=fuzzer` (tools/fuzz/libfuzzer.sh). libFuzzer owns the input;
/// its first byte picks what the rest is:
///
///     s % 8 == 0   manifest.json bytes
///     s % 8 == 1   tokenizer.json bytes
///     s % 8 == 2-7 the .idx, .pos, .mask, .sum, manifest.json or .bin of
///                  hand-built seed `(s >> 5) % 4`, resealed per `(s >> 3) % 3`
///                  (none, every checksum, the manifest's only)
///
/// A violation becomes a crash, so libFuzzer saves the input.
///
///     lmshard-libfuzzer --write-seeds DIR [tokenizer.json ...]   # initial corpus
///     lmshard-libfuzzer CORPUS -timeout=10 -rss_limit_mb=4096    # libFuzzer flags

let scratch = URL(fileURLWithPath: FileManager.default.isWritableFile(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
    .appendingPathComponent("lmshard-libfuzzer-\(getpid())")
let seeds: [DatasetImage]
do {
    seeds = try Seeds.handBuilt(scratch: scratch)
} catch {
    FileHandle.standardError.write(Data("lmshard-libfuzzer: cannot build the seed datasets in \(scratch.path): \(error)\n".utf8))
    exit(2)
}
let datasetParts = ["idx", "pos", "mask", "sum", Format.manifestFileName, "bin"]

/// The file of `image` that selector `mode` (2-7) replaces.
func fileName(_ image: DatasetImage, mode: Int) -> String? {
    let want = datasetParts[mode - 2]
    if want == Format.manifestFileName { return want }
    return image.shardFiles.first { $0.hasSuffix("." + want) && (image.files[$0]?.isEmpty == false) }
        ?? image.shardFiles.first { $0.hasSuffix("." + want) }
}

func runCase(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let selector = Int(data[0])
    let rest = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let mode = selector % 8
    let input: FuzzCase
    switch mode {
    case 0: input = FuzzCase(target: .manifest, index: 0, input: .bytes(rest), log: [])
    case 1: input = FuzzCase(target: .tokenizer, index: 0, input: .bytes(rest), log: [])
    default:
        var image = seeds[(selector >> 5) % seeds.count]
        guard let name = fileName(image, mode: mode) else { return 0 }
        image.files[name] = rest
        let seal: SealMode = mode == 6 ? .none : [.none, .all, .manifestOnly][(selector >> 3) % 3]
        input = FuzzCase(target: .dataset, index: 0, input: .dataset(image, seal: seal), log: [])
    }
    let violations = CaseRunner(scratch: scratch.appendingPathComponent("case")).run(input)
    if !violations.isEmpty { fatalError("violation: \(violations.joined(separator: "; "))") }
    return 0
}

var arguments = CommandLine.arguments
if arguments.count >= 3, arguments[1] == "--write-seeds" {
    let dir = URL(fileURLWithPath: arguments[2])
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    var n = 0
    func write(_ selector: Int, _ bytes: [UInt8]) throws {
        try Data([UInt8(selector)] + bytes).write(to: dir.appendingPathComponent(String(format: "seed-%03d", n)))
        n += 1
    }
    for (k, image) in seeds.enumerated() {
        try write(0, image.files[Format.manifestFileName] ?? [])
        for mode in 2...7 {
            guard let name = fileName(image, mode: mode), let bytes = image.files[name] else { continue }
            try write(mode | (k << 5), bytes)
        }
    }
    for path in arguments.dropFirst(3) { try write(1, Array(try Data(contentsOf: URL(fileURLWithPath: path)))) }
    print("wrote \(n) seeds to \(dir.path)")
    exit(0)
}

var argc = CInt(arguments.count)
var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
let status = cArguments.withUnsafeMutableBufferPointer { buffer -> CInt in
    var argv = buffer.baseAddress
    return lmshard_run_libfuzzer(&argc, &argv, runCase)
}
try? FileManager.default.removeItem(at: scratch)
if status == -1 {
    FileHandle.standardError.write(Data("lmshard-libfuzzer: not linked with libFuzzer; build it with tools/fuzz/libfuzzer.sh\n".utf8))
    exit(2)
}
exit(status)
