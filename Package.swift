// swift-tools-version: 6.1
//
// lmshard: raw text -> tokenized, masked, packed, sharded LLM training data.
//
// Data flows one way through one module per pipeline stage:
//   (LMJSON) -> LMTokenizer -> MapReduce -> LMPrep -> LMShard -> LMBuild -> lmshard (CLI)
// CZstd / CXXHash / CZlib / COniguruma are thin shims over the Debian system
// libraries (libzstd-dev, libxxhash-dev, zlib1g-dev, libonig-dev); CBatchCopy holds the reader's C copy
// kernels (a prefetch hint, SIMD widening picked by CPU at run time), CWriteback
// the shard writer's early-writeback call.
import PackageDescription

let package = Package(
    name: "lmshard",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lmshard", targets: ["lmshard"]),
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
        // Early writeback for the shard writer (Linux sync_file_range).
        .target(name: "CWriteback"),

        // Shared by every stage: a fast JSON parser and writer over UTF-8 bytes.
        .target(name: "LMJSON"),

        // Pipeline stages.
        .target(
            name: "LMTokenizer",
            dependencies: ["LMJSON", "COniguruma", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "MapReduce", dependencies: ["LMJSON", "CZstd"]),
        .target(
            name: "LMPrep",
            dependencies: [
                "LMJSON", "LMTokenizer", "MapReduce",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(name: "LMShard", dependencies: ["LMJSON", "CXXHash", "CBatchCopy", "CWriteback"]),
        .target(
            name: "LMBuild",
            dependencies: [
                "LMJSON", "LMTokenizer", "MapReduce", "LMPrep", "LMShard", "CZstd", "CZlib",
                .product(name: "Yams", package: "Yams"),
            ]),
        .executableTarget(
            name: "lmshard",
            dependencies: [
                "LMJSON", "LMTokenizer", "MapReduce", "LMPrep", "LMShard", "LMBuild",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Tests (Swift Testing). Heavy parity and benchmark work lives in tools/.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "LMJSONTests", dependencies: ["LMJSON", "TestSupport"]),
        .testTarget(name: "LMTokenizerTests", dependencies: ["LMTokenizer"], exclude: ["Fixtures"]),
        .testTarget(name: "MapReduceTests", dependencies: ["MapReduce", "LMJSON", "TestSupport"]),
        .testTarget(name: "LMPrepTests", dependencies: ["LMPrep", "LMJSON", "LMTokenizer", "MapReduce", "TestSupport"]),
        .testTarget(name: "LMShardTests", dependencies: ["LMShard", "CBatchCopy", "LMJSON", "TestSupport"]),
        .testTarget(name: "LMBuildTests", dependencies: ["LMBuild", "LMShard", "LMPrep", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["lmshard", "TestSupport"]),
    ],
    // Swift 5 language mode: the hot loops share preallocated buffers across
    // DispatchQueue.concurrentPerform workers, which Swift 6's strict checking
    // rejects without adding locks that would cost throughput.
    swiftLanguageModes: [.v5]
)
