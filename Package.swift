// swift-tools-version: 6.1
//
// lmshard: raw text -> tokenized, masked, packed, sharded LLM training data.
//
// Modules, each depending only on those above it:
//   LMIO         files: reading (regular files only), zstd/gzip, line splitting,
//                memory maps, buffered writes that report every error, atomic
//                durable writes and renameat2 publishing
//   LMJSON       JSON parser/writer over UTF-8 bytes (no I/O)
//   LMTokenizer  tokenizer.json loading, HF-exact encoding, compiled-tokenizer
//                cache                (LMIO, LMJSON, COniguruma, CXXHash)
//   MapReduce    transforms and the in-memory, local, streaming runners
//                                                    (LMIO, LMJSON, CXXHash)
//   LMPrep       pretrain/FIM/SFT processing and packing (LMTokenizer, MapReduce)
//   LMShard      the shard format: writer, reader, verify       (LMIO, LMJSON)
//   LMBuild      `lmshard build` (plan/map/reduce/finalize stages, receipts,
//                resume, publishing) and `inspect`            (all of the above)
//   lmshard      the command line
// CZstd / CXXHash / CZlib / COniguruma are thin shims over the Debian system
// libraries (libzstd-dev, libxxhash-dev, zlib1g-dev, libonig-dev); CBatchCopy holds the reader's C copy
// kernels (a prefetch hint, SIMD widening picked by CPU at run time), CSysCalls
// the Linux calls LMIO needs that Swift's Glibc module does not export,
// CCurlLoader the hub download through libcurl, opened only when one is made.
import PackageDescription

// Supported: Linux (Debian/Ubuntu, x86_64), which is what is built and tested
// (tools/test.sh, .ci/run). The macOS minimum below only sets a deployment
// target for whoever tries; nothing builds or tests lmshard on macOS, and LMIO's
// renameat2 shim has an untested macOS branch.
let package = Package(
    name: "lmshard",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lmshard", targets: ["lmshard"]),
        .library(name: "LMIO", targets: ["LMIO"]),
        .library(name: "LMJSON", targets: ["LMJSON"]),
        .library(name: "LMTokenizer", targets: ["LMTokenizer"]),
        .library(name: "MapReduce", targets: ["MapReduce"]),
        .library(name: "LMPrep", targets: ["LMPrep"]),
        .library(name: "LMShard", targets: ["LMShard"]),
        .library(name: "LMBuild", targets: ["LMBuild"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // System-library shims.
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // The regex engine HF tokenizers uses, for Split / Replace patterns.
        .systemLibrary(name: "COniguruma", pkgConfig: "oniguruma", providers: [.apt(["libonig-dev"])]),
        // The batch collation's prefetch hint and SIMD widening loops.
        .target(name: "CBatchCopy"),
        // Linux calls Swift's Glibc module does not export (sync_file_range,
        // renameat2, F_SETPIPE_SZ), for LMIO only.
        .target(name: "CSysCalls"),
        // libcurl opened at run time (dlopen) for hub downloads, so it is not
        // linked into every process; LMTokenizer only.
        .target(name: "CCurlLoader"),

        // The bottom of every stage: reading, decompressing, splitting lines,
        // memory-mapping and durably writing files.
        .target(name: "LMIO", dependencies: ["CSysCalls", "CZstd", "CZlib"]),

        // Shared by every stage: a fast JSON parser and writer over UTF-8 bytes.
        .target(name: "LMJSON"),

        // Pipeline stages.
        .target(
            name: "LMTokenizer",
            dependencies: ["LMIO", "LMJSON", "COniguruma", "CXXHash", "CCurlLoader", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "MapReduce", dependencies: ["LMIO", "LMJSON", "CXXHash"]),
        .target(
            name: "LMPrep",
            dependencies: [
                "LMJSON", "LMTokenizer", "MapReduce",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(name: "LMShard", dependencies: ["LMIO", "LMJSON", "CXXHash", "CBatchCopy"]),
        .target(
            name: "LMBuild",
            dependencies: [
                "LMIO", "LMJSON", "LMTokenizer", "MapReduce", "LMPrep", "LMShard",
                .product(name: "Yams", package: "Yams"),
            ]),
        .executableTarget(
            name: "lmshard",
            dependencies: [
                "LMIO", "LMJSON", "LMTokenizer", "MapReduce", "LMPrep", "LMShard", "LMBuild",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // The Swift runtime and Foundation linked into the release binary
            // (what `swift build --static-swift-stdlib` does, for this target
            // alone, so no command needs the flag): a process then resolves
            // ~19k fewer symbols at start. Every map task is a fresh process;
            // with libcurl out of the binary too (`CurlHubDownloader`),
            // `lmshard --help` went from 16-23 to 5-6 ms of CPU and a warm
            // Llama 3 load from 48-60 to 37-44 (`perf stat`, busy machine;
            // tools/bench/README.md). The libraries are compiled against the
            // shared runtime's modules, whose link entries name only
            // `Foundation`, so the static archives that it pulls in are named
            // here. Release only: tests link the debug build with the shared
            // runtime their test libraries use. (SwiftPM refuses unsafe flags
            // in the products a depending package uses; these sit on the
            // executable alone, which such a package does not use; untested
            // here, as nothing depends on lmshard.) The link prints glibc's
            // warning that `mktemp` is dangerous: Foundation's static archive
            // refers to it (FoundationEssentials), not lmshard's code.
            linkerSettings: [
                .unsafeFlags(
                    [
                        "-static-stdlib", "-lCoreFoundation", "-l_FoundationCShims", "-l_FoundationCollections",
                        "-l_FoundationICU", "-lswiftSynchronization",
                    ], .when(platforms: [.linux], configuration: .release))
            ]),

        // Fuzzing (tools/fuzz): case generation, mutators, the damage sweep,
        // and the seeded driver that runs them under a crash/hang watchdog.
        .target(
            name: "LMFuzz", dependencies: ["LMIO", "LMShard", "LMJSON", "LMTokenizer", "LMBuild"], path: "tools/fuzz/LMFuzz"),
        .executableTarget(
            name: "lmshard-fuzz",
            dependencies: ["LMFuzz", "LMShard", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "tools/fuzz/driver"),
        // Coverage-guided entry over the same checks; libFuzzer only when
        // linked with -sanitize=fuzzer (tools/fuzz/libfuzzer.sh), else it says so.
        .target(name: "CLibFuzzer", path: "tools/fuzz/CLibFuzzer"),
        .executableTarget(name: "lmshard-libfuzzer", dependencies: ["LMFuzz", "LMShard", "CLibFuzzer"],
                          path: "tools/fuzz/libfuzzer"),

        // The Swift side of the benchmarks (tools/bench), outside the product.
        .executableTarget(
            name: "lmshard-bench",
            dependencies: [
                "LMIO", "LMJSON", "LMTokenizer", "LMShard",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "tools/bench/LMShardBench"),

        // Tests (Swift Testing). Heavy parity and benchmark work lives in tools/.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "LMIOTests", dependencies: ["LMIO", "TestSupport"]),
        .testTarget(name: "LMJSONTests", dependencies: ["LMJSON", "TestSupport"]),
        .testTarget(name: "LMTokenizerTests", dependencies: ["LMTokenizer", "LMIO", "LMJSON", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "MapReduceTests", dependencies: ["MapReduce", "LMJSON", "TestSupport"]),
        .testTarget(name: "LMPrepTests", dependencies: ["LMPrep", "LMJSON", "LMTokenizer", "MapReduce", "TestSupport"]),
        .testTarget(name: "LMShardTests", dependencies: ["LMShard", "LMIO", "CBatchCopy", "LMJSON", "TestSupport"]),
        .testTarget(name: "LMBuildTests", dependencies: ["LMBuild", "LMShard", "LMPrep", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["lmshard", "LMShard", "TestSupport"]),
        .testTarget(name: "FuzzTests", dependencies: ["LMFuzz", "LMShard", "lmshard-fuzz"]),
    ],
    // Swift 6 language mode: the compiler checks every cross-thread share.
    // The few intentional unsynchronised shares of the hot loops (per-chunk
    // state one worker owns, batches the workers only read) are fenced in
    // small `@unchecked Sendable` types, each with a comment saying why it
    // is safe; that costs nothing at run time, and no hot loop takes a lock.
    swiftLanguageModes: [.v6]
)
