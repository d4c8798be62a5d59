#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LMJSON
import Testing
import TestSupport
@testable import LMTokenizer

/// The compiled, cached form of BPE tokenizers: a load from it gives the
/// JSON load's ids, and a missing, stale, damaged or unwritable cache only
/// ever means a JSON load.
struct CompiledTokenizerTests {
    static let layouts: [(name: String, json: @Sendable () -> String)] = [
        ("byte-level", { CompiledFixtures.byteLevel() }),
        ("byte-level ignore_merges", { CompiledFixtures.byteLevel(ignoreMerges: true) }),
        ("byte fallback", { CompiledFixtures.byteFallback() }),
        ("subword prefix", { CompiledFixtures.subwordPrefix() }),
    ]

    /// A cache in `dir` that covers files of any size.
    static func cache(_ dir: TempDir) -> TokenizerCache {
        TokenizerCache(directory: dir.path("cache/tokenizers"), minimumSourceSize: 0)
    }

    /// Everything a user can observe of a tokenizer, on `texts`.
    static func expectSame(_ a: Tokenizer, _ b: Tokenizer, _ texts: [String], _ what: String) throws {
        for text in texts {
            #expect(try a.encodeChecked(text) == b.encodeChecked(text), "\(what): \(text.debugDescription)")
            #expect(a.encode(text, addSpecialTokens: true) == b.encode(text, addSpecialTokens: true), "\(what)")
        }
        #expect(a.vocabSize == b.vocabSize, "\(what)")
        #expect(a.specialTokens == b.specialTokens, "\(what)")
        #expect(a.eosTokenId == b.eosTokenId && a.bosTokenId == b.bosTokenId && a.padTokenId == b.padTokenId, "\(what)")
        for id in 0..<UInt32(a.vocabSize + 2) {
            #expect(a.idToToken(id) == b.idToToken(id), "\(what): id \(id)")
            if let token = a.idToToken(id) { #expect(a.tokenToId(token) == b.tokenToId(token), "\(what): \(token)") }
        }
        let ids = texts.prefix(20).map { a.encode($0) }
        #expect(ids.map { a.decode($0) } == ids.map { b.decode($0) }, "\(what)")
    }

    @Test(arguments: layouts.indices)
    func compiledLoadGivesTheJSONLoadsIds(layout: Int) throws {
        let (name, make) = Self.layouts[layout]
        let dir = try TempDir()
        defer { dir.remove() }
        let file = URL(fileURLWithPath: try dir.write("tok/tokenizer.json", make()))
        let cache = Self.cache(dir)
        let fromJSON = try Tokenizer(contentsOf: file, cache: .disabled)

        // First load: nothing cached, so JSON, and the compiled file is written.
        let first = try Tokenizer.loadSource(file: file, cache: cache)
        #expect(first.compiledModel == nil, "\(name)")
        let written = try Tokenizer(contentsOf: file, computingSHA256: true, cache: cache)
        let sha = try #require(written.sourceSHA256)
        let compiledPath = dir.path("cache/tokenizers/\(sha).lmtok")
        #expect(FileManager.default.fileExists(atPath: compiledPath), "\(name)")

        // Second load: from the compiled file, with the same behaviour.
        let second = try Tokenizer.loadSource(file: file, cache: cache)
        #expect(second.compiledModel != nil, "\(name): \(String(describing: second.rejection))")
        let compiled = try Tokenizer(contentsOf: file, computingSHA256: true, cache: cache)
        #expect(compiled.bpe != nil)
        #expect(compiled.sourceSHA256 == sha)
        try Self.expectSame(fromJSON, compiled, CompiledFixtures.texts(), name)
        #expect((compiled.directSplit == nil) == (fromJSON.directSplit == nil))
    }

    /// A changed tokenizer.json is never served the old compiled tables:
    /// its hash names another file; a compiled file put under the wrong
    /// name is refused by its recorded SHA-256 and replaced.
    @Test func staleCompiledFilesAreNeverUsed() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let cache = Self.cache(dir)
        let path = try dir.write("tokenizer.json", CompiledFixtures.byteLevel(merges: 300))
        let file = URL(fileURLWithPath: path)
        let old = try Tokenizer(contentsOf: file, computingSHA256: true, cache: cache)
        let oldSHA = try #require(old.sourceSHA256)

        // Edited in place: fewer merges, so different ids for some texts.
        try dir.write("tokenizer.json", CompiledFixtures.byteLevel(merges: 120))
        let edited = try Tokenizer(contentsOf: file, computingSHA256: true, cache: cache)
        let newSHA = try #require(edited.sourceSHA256)
        #expect(newSHA != oldSHA)
        let reference = try Tokenizer(contentsOf: file, cache: .disabled)
        let texts = CompiledFixtures.texts(count: 50)
        #expect(texts.contains { old.encode($0) != reference.encode($0) }, "the edit must change some ids")
        try Self.expectSame(reference, edited, texts, "edited, first load")
        try Self.expectSame(reference, try Tokenizer(contentsOf: file, cache: cache), texts, "edited, compiled")

        // The old compiled file copied over the new one's name: rejected, rebuilt.
        let cacheDir = dir.path("cache/tokenizers")
        try FileManager.default.removeItem(atPath: "\(cacheDir)/\(newSHA).lmtok")
        try FileManager.default.copyItem(atPath: "\(cacheDir)/\(oldSHA).lmtok", toPath: "\(cacheDir)/\(newSHA).lmtok")
        let source = try Tokenizer.loadSource(file: file, cache: cache)
        #expect(source.compiledModel == nil)
        guard case let .rejected(_, offset, _)? = source.rejection else { Issue.record("not rejected"); return }
        #expect(offset == 16 || offset == 24)  // recorded size or SHA-256
        try Self.expectSame(reference, try Tokenizer(contentsOf: file, cache: cache), texts, "after a swapped file")
        #expect(try Tokenizer.loadSource(file: file, cache: cache).compiledModel != nil)
    }

    /// The stat record skips hashing only for a file unchanged since it was
    /// hashed: an in-place edit of the same size (same inode) moves ctime,
    /// so the next load hashes again and gets the edited file's ids; a
    /// file changed within the racy window gets no record.
    @Test func inPlaceEditsAreSeenDespiteTheStatRecord() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        // The window is an hour wherever the test needs "too recent to
        // record", whatever the machine's load, and 0.3 s (slept past)
        // where it needs a record.
        var cache = Self.cache(dir)
        cache.racyWindow = 3600
        let path = try dir.write("tokenizer.json", CompiledFixtures.byteLevel())
        let file = URL(fileURLWithPath: path)
        let original = try Tokenizer(contentsOf: file, cache: .disabled)  // also: no record, no file
        let recordedTooEarly = try Tokenizer.loadSource(file: file, cache: cache).viaStatKey  // no record yet
        #expect(!recordedTooEarly)
        cache.racyWindow = 0.3
        Thread.sleep(forTimeInterval: 0.4)  // past the racy window
        _ = try Tokenizer(contentsOf: file, cache: cache)  // JSON load, compiled file written
        _ = try Tokenizer(contentsOf: file, cache: cache)  // hashed, compiled, stat recorded
        let recorded = try Tokenizer.loadSource(file: file, cache: cache)
        let usedRecord = recorded.viaStatKey && recorded.compiledModel != nil
        #expect(usedRecord)
        let texts = CompiledFixtures.texts(count: 60)
        try Self.expectSame(original, try Tokenizer(contentsOf: file, cache: cache), texts, "via the stat record")

        // Same size, same inode, different tokenizer: the special token's
        // content changes, so texts holding "<|endoftext|>" encode otherwise.
        var bytes = [UInt8](try Data(contentsOf: file))
        let old = Array("\"<|endoftext|>\"".utf8)
        let at = try #require((0...(bytes.count - old.count)).first { bytes[$0..<($0 + old.count)].elementsEqual(old) })
        bytes.replaceSubrange(at..<(at + old.count), with: Array("\"<|endoftexT|>\"".utf8))
        let before = try #require(FileStatKey(path: path))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.write(contentsOf: Data(bytes))
        try handle.close()
        // Put the mtime back, as `touch -d` or a careful copy would: only
        // ctime (which no call can set) still tells the change.
        var times = [timespec(tv_sec: before.mtime.seconds, tv_nsec: before.mtime.nanoseconds),
                     timespec(tv_sec: before.mtime.seconds, tv_nsec: before.mtime.nanoseconds)]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        let now = try #require(FileStatKey(path: path))
        #expect(now.mtime == before.mtime && now.size == before.size && now.inode == before.inode)
        cache.racyWindow = 3600
        let edited = try Tokenizer(contentsOf: file, cache: .disabled)
        #expect(texts.contains { original.encode($0) != edited.encode($0) }, "the edit must change some ids")
        let usedRecordAfterEdit = try Tokenizer.loadSource(file: file, cache: cache).viaStatKey
        #expect(!usedRecordAfterEdit)
        try Self.expectSame(edited, try Tokenizer(contentsOf: file, cache: cache), texts, "after an in-place edit")
        try Self.expectSame(edited, try Tokenizer(contentsOf: file, cache: cache), texts, "compiled after the edit")
        // Changed just now: inside the racy window, so still not recorded.
        let recordedInsideWindow = try Tokenizer.loadSource(file: file, cache: cache).viaStatKey
        #expect(!recordedInsideWindow)
    }

    /// A stat record naming another file's SHA-256, or garbage, is not
    /// trusted beyond what the compiled file's own checks allow.
    @Test func statRecordsAreParsedStrictly() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = try dir.write("f", "x")
        let key = try #require(FileStatKey(path: path))
        let sha = [UInt8](repeating: 0xAB, count: 32)
        #expect(key.sha256(fromRecord: key.record(sha256: sha)) == sha)
        var other = key
        other.ctime.nanoseconds += 1
        #expect(other.sha256(fromRecord: key.record(sha256: sha)) == nil)
        other = key
        other.size += 1
        #expect(other.sha256(fromRecord: key.record(sha256: sha)) == nil)
        #expect(key.sha256(fromRecord: String(key.record(sha256: sha).dropLast())) == nil)
        #expect(key.sha256(fromRecord: key.record(sha256: sha).replacingOccurrences(of: "v1", with: "v2")) == nil)
        #expect(key.sha256(fromRecord: "") == nil)
    }

    /// Every truncation and random bit flips of a compiled file, read as a
    /// whole: either refused, or the JSON load's ids (the checksum makes
    /// it always refused). Then hostile section tables and tables with a
    /// recomputed checksum: refused or loaded, never a crash or a hang.
    @Test(arguments: [0, 2])
    func damagedCompiledFilesAreRefused(layout: Int) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let file = URL(fileURLWithPath: try dir.write("tokenizer.json", Self.layouts[layout].json()))
        let cache = Self.cache(dir)
        let reference = try Tokenizer(contentsOf: file, computingSHA256: true, cache: cache)
        let data = try Data(contentsOf: file)
        let sha = try #require(reference.sourceSHA256)
        let shaBytes = stride(from: 0, to: 64, by: 2).map { i -> UInt8 in
            let s = sha.utf8.dropFirst(i).prefix(2)
            return UInt8(String(decoding: s, as: UTF8.self), radix: 16)!
        }
        let compiledPath = dir.path("cache/tokenizers/\(sha).lmtok")
        let good = [UInt8](try Data(contentsOf: URL(fileURLWithPath: compiledPath)))
        let texts = CompiledFixtures.texts(count: 60)
        let expected = texts.map { reference.encode($0) }

        func decode(_ bytes: [UInt8], prefix: Int? = nil) -> Result<BPEModel, CompiledTokenizerError> {
            // The model keeps reading its merge table from these bytes, as
            // from a map, so they live as long as it does.
            let owned = OwnedBytes(bytes.prefix(prefix ?? bytes.count))
            return Result { () throws(CompiledTokenizerError) -> BPEModel in
                try CompiledReader.decode(
                    unsafeBytes: owned.bytes, owner: owned, file: "t", sourceSize: data.count, sourceSHA256: shaBytes
                ).model
            }
        }
        /// Ids with `model` swapped into the reference tokenizer's pipeline.
        func ids(_ model: BPEModel) throws -> [[UInt32]] {
            let root = try JSONParser.parse(data)
            let t = try Tokenizer(json: root, source: "t", config: nil, compiledModel: model)
            return texts.map { t.encode($0) }
        }
        guard case let .success(intact) = decode(good) else { Issue.record("intact file refused"); return }
        #expect(try ids(intact) == expected)

        for length in 0..<good.count {
            if case .success = decode(good, prefix: length) { Issue.record("truncation to \(length) accepted") }
        }
        var rng = SplitMix64(seed: 7)
        for _ in 0..<2000 {
            var bytes = good
            let bit = Int.random(in: 0..<(bytes.count * 8), using: &rng)
            bytes[bit / 8] ^= 1 << UInt8(bit % 8)
            switch decode(bytes) {
            case .failure: break
            case let .success(model): #expect(try ids(model) == expected, "bit \(bit) flipped")
            }
        }

        // Checksum recomputed after the damage: only the structural checks
        // stand between the file and the encoder.
        func resealed(_ bytes: [UInt8]) -> [UInt8] {
            var b = bytes
            let sum = b.withUnsafeBytes { CompiledFormat.checksum(UnsafeRawBufferPointer(rebasing: $0[CompiledFormat.headerSize...])) }
            b.withUnsafeMutableBytes { $0.storeBytes(of: sum.littleEndian, toByteOffset: 64, as: UInt64.self) }
            return b
        }
        let hostile: [UInt64] = [0, 1, 7, 8, UInt64(good.count), UInt64(good.count - 8), UInt64(good.count + 8),
                                 UInt64(Int32.max), UInt64.max, UInt64.max - 7, 1 << 62]
        let sections = CompiledFormat.Section.allCases.count
        for s in 0..<sections {
            for field in [8, 16] {
                for value in hostile {
                    var bytes = good
                    let at = CompiledFormat.headerSize + s * CompiledFormat.sectionEntrySize + field
                    bytes.withUnsafeMutableBytes { $0.storeBytes(of: value.littleEndian, toByteOffset: at, as: UInt64.self) }
                    if case let .success(model) = decode(resealed(bytes)) { _ = try ids(model) }
                }
            }
        }
        for _ in 0..<800 {
            var bytes = good
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let at = Int.random(in: CompiledFormat.headerSize..<bytes.count, using: &rng)
                bytes[at] = [0, 0xFF, 0x80, 0x7F, UInt8.random(in: 0...255, using: &rng)].randomElement(using: &rng)!
            }
            if case let .success(model) = decode(resealed(bytes)) { _ = try ids(model) }
        }

        // Through the cache: a damaged file on disk is ignored and rewritten.
        for length in stride(from: 0, to: good.count, by: max(1, good.count / 40)) + [good.count - 1] {
            try Data(good[..<length]).write(to: URL(fileURLWithPath: compiledPath))
            let t = try Tokenizer(contentsOf: file, cache: cache)
            #expect(texts.map { t.encode($0) } == expected, "truncated to \(length)")
            #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: compiledPath))) == good, "rewritten after \(length)")
        }
    }

    /// A cache folder that cannot be created costs a warning, not a load.
    @Test func unwritableCacheFolderOnlyCostsSpeed() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let file = URL(fileURLWithPath: try dir.write("tokenizer.json", CompiledFixtures.byteLevel()))
        try dir.write("not-a-folder", "x")
        let cache = TokenizerCache(directory: dir.path("not-a-folder/tokenizers"), minimumSourceSize: 0)
        let reference = try Tokenizer(contentsOf: file, cache: .disabled)
        for _ in 0..<2 {
            try Self.expectSame(reference, try Tokenizer(contentsOf: file, cache: cache), CompiledFixtures.texts(count: 30), "unwritable")
        }
    }

    @Test func disabledCacheWritesNothing() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let file = URL(fileURLWithPath: try dir.write("tokenizer.json", CompiledFixtures.byteLevel()))
        let env = ["LMSHARD_NO_CACHE": "1", "LMSHARD_CACHE_DIR": dir.path("cache")]
        let cache = TokenizerCache.fromEnvironment(env)
        #expect(cache.directory == nil)
        var small = cache
        small.minimumSourceSize = 0
        let reference = try Tokenizer(contentsOf: file, cache: .disabled)
        try Self.expectSame(reference, try Tokenizer(contentsOf: file, cache: small), CompiledFixtures.texts(count: 30), "disabled")
        #expect(!FileManager.default.fileExists(atPath: dir.path("cache")))
    }

    /// The string-list section: a round trip with nil, empty and non-ASCII
    /// entries, its exact bytes, and malformed lists refused.
    @Test func stringListRoundTripsAndRefusesMalformedLists() {
        let strings: [String?] = ["a", nil, "", "é"]
        let bytes = StringList.encode(strings)
        // count 4; lengths 1, absent, 0, 2; then "a" and "é" (C3 A9).
        #expect(bytes == [4, 0, 0, 0, 1, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0, 2, 0, 0, 0, 0x61, 0xC3, 0xA9])
        bytes.withUnsafeBytes { #expect(StringList.decode(unsafeBytes: $0) == strings) }
        for bad in [Array(bytes.dropLast()), bytes + [0], [UInt8](), [255, 255, 255, 255], [1, 0, 0, 0, 9, 0, 0, 0, 0x61]] {
            bad.withUnsafeBytes { #expect(StringList.decode(unsafeBytes: $0) == nil, "\(bad)") }
            #expect(TokenNames(list: bad) == nil, "\(bad)")
        }
        // The same list read lazily, id by id, as the BPE model keeps it.
        let names = TokenNames(list: bytes)
        #expect(names?.count == 4)
        #expect((-1...4).map { names?[$0] } == [nil, "a", nil, "", "é", nil])
        #expect(TokenNames(strings).list == bytes)
    }

    /// A table adopted in place reads the bytes where they lie, as an
    /// array holding the same values does.
    @Test func tableArrayAdoptsBytesInPlace() {
        let values: [UInt64] = [0, 1, UInt64.max, 42]
        let owned = OwnedBytes(values.withUnsafeBytes { Array($0) })
        let adopted = TableArray<UInt64>.unsafeAdopting(owned.bytes, owner: owned)
        #expect(adopted.count == 4 && adopted[2] == UInt64.max && adopted.elements == values)
        #expect(adopted.withUnsafeBufferPointer { Array($0) } == TableArray(values).elements)
        #expect(TableArray<UInt32>.unsafeAdopting(UnsafeRawBufferPointer(rebasing: owned.bytes[0..<0]), owner: owned).count == 0)
    }

    /// Where the cache lives, by environment (hand-written cases).
    @Test func cacheFolderFromEnvironment() {
        #expect(TokenizerCache.fromEnvironment(["LMSHARD_CACHE_DIR": "/c", "XDG_CACHE_HOME": "/x", "HOME": "/h"]).directory == "/c/tokenizers")
        #expect(TokenizerCache.fromEnvironment(["XDG_CACHE_HOME": "/x", "HOME": "/h"]).directory == "/x/lmshard/tokenizers")
        #expect(TokenizerCache.fromEnvironment(["XDG_CACHE_HOME": "rel", "HOME": "/h"]).directory == "/h/.cache/lmshard/tokenizers")
        #expect(TokenizerCache.fromEnvironment(["HOME": "/h"]).directory == "/h/.cache/lmshard/tokenizers")
        #expect(TokenizerCache.fromEnvironment([:]).directory == nil)
        #expect(TokenizerCache.fromEnvironment(["LMSHARD_NO_CACHE": "1", "HOME": "/h"]).directory == nil)
        #expect(TokenizerCache.fromEnvironment(["LMSHARD_NO_CACHE": "0", "HOME": "/h"]).directory == "/h/.cache/lmshard/tokenizers")
        #expect(TokenizerCache.fromEnvironment(["HOME": "/h"]).minimumSourceSize == 1 << 20)
    }

    /// Models other than BPE load from JSON; nothing is written for them.
    @Test func otherModelsAreNotCompiled() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let json = #"{"model": {"type": "WordLevel", "vocab": {"<unk>": 0, "a": 1, "b": 2}, "unk_token": "<unk>"}, "pre_tokenizer": {"type": "Whitespace"}}"#
        let file = URL(fileURLWithPath: try dir.write("tokenizer.json", json))
        for _ in 0..<2 {
            #expect(try Tokenizer(contentsOf: file, cache: Self.cache(dir)).encode("a b c") == [1, 2, 0])
        }
        #expect((try? FileManager.default.contentsOfDirectory(atPath: dir.path("cache/tokenizers")))?.isEmpty ?? true)
    }

    /// Loads racing on one cold cache: all correct, the file valid after.
    @Test func concurrentFirstLoadsAgree() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let file = URL(fileURLWithPath: try dir.write("tokenizer.json", CompiledFixtures.byteLevel()))
        let cache = Self.cache(dir)
        let texts = CompiledFixtures.texts(count: 30)
        let expected = try Tokenizer(contentsOf: file, cache: .disabled).encodeBatch(texts, threads: 1)
        let results = try await withThrowingTaskGroup(of: [[UInt32]].self) { group in
            for _ in 0..<6 {
                group.addTask { try Tokenizer(contentsOf: file, cache: cache).encodeBatch(texts, threads: 1) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 6 && results.allSatisfy { $0 == expected })
        let source = try Tokenizer.loadSource(file: file, cache: cache)
        #expect(source.compiledModel != nil)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path("cache/tokenizers"))
        // One compiled file, maybe a stat record, no temporary file left.
        #expect(names.filter { $0.hasSuffix(".lmtok") }.count == 1, "\(names)")
        #expect(names.allSatisfy { $0.hasSuffix(".lmtok") || $0.hasPrefix("stat-") }, "\(names)")
    }

    /// The shared real tokenizers: compiled loads give the golden ids and
    /// the JSON load's vocabulary.
    @Test(.enabled(if: CoreSharedTokenizerTests.shared != nil, "set LMSHARD_SHARED to the shared test-data folder"),
          arguments: CoreSharedTokenizerTests.names)
    func sharedTokenizersLoadCompiled(name: String) throws {
        let root = try #require(CoreSharedTokenizerTests.shared)
        let dir = try TempDir()
        defer { dir.remove() }
        let file = URL(fileURLWithPath: root + "/tokenizers/" + name + "/tokenizer.json")
        let cache = Self.cache(dir)
        let fromJSON = try Tokenizer(contentsOf: file, cache: cache)  // empty cache: from JSON, then compiled
        let source = try Tokenizer.loadSource(file: file, cache: cache)
        #expect(source.compiledModel != nil, "\(name): \(String(describing: source.rejection))")
        let compiled = try Tokenizer(contentsOf: file, cache: cache)
        let texts = try CoreSharedTokenizerTests.inputs(root) + CompiledFixtures.texts(count: 100)
        try Self.expectSame(fromJSON, compiled, texts, name)
    }
}

/// Bytes at a fixed, 8-aligned address for the life of the object, as a
/// mapped compiled file's are (`CompiledReader.decode` adopts tables in place).
final class OwnedBytes {
    let bytes: UnsafeRawBufferPointer

    init(_ source: some Collection<UInt8>) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(source.count, 1), alignment: 16)
        buffer.copyBytes(from: source)
        bytes = UnsafeRawBufferPointer(rebasing: buffer[..<source.count])
    }

    deinit { bytes.baseAddress.map { UnsafeMutableRawPointer(mutating: $0).deallocate() } }
}
