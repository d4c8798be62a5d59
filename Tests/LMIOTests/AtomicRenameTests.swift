import Foundation
import TestSupport
import Testing

@testable import LMIO

/// Publishing with `renameat2`: a no-replace rename refuses whatever
/// appeared at the target; an exchange swaps two names. The fallbacks (for
/// file systems without the flags) keep the same contract, and are run here
/// directly.
@Suite struct AtomicRenameTests {
    typealias Rename = @Sendable (String, String) throws -> Void
    static let noReplace: [(String, Rename)] = [
        ("renameat2", { try FileSystem.renameNoReplace($0, to: $1) }),
        ("fallback", { try FileSystem.renameNoReplaceFallback($0, to: $1) }),
    ]

    /// A finished staging directory with one file in it.
    func staging(_ dir: TempDir) throws -> String {
        try dir.write(".out.partial/manifest.json", "{}")
        return dir.path(".out.partial")
    }

    @Test(arguments: [0, 1])
    func noReplaceRefusesWhatAppearedAtTheTarget(_ which: Int) throws {
        let (name, rename) = Self.noReplace[which]
        for appeared in ["file", "directory with a file"] {
            let dir = try TempDir()
            defer { dir.remove() }
            let from = try staging(dir)
            if appeared == "file" {
                try dir.write("out", "someone else's")
            } else {
                try dir.write("out/theirs.txt", "someone else's")
            }
            #expect(throws: FileError.self, "\(name), \(appeared)") { try rename(from, dir.path("out")) }
            do { try rename(from, dir.path("out")) } catch let error as FileError {
                #expect(error.isAlreadyExists || error.code == ENOTDIR, "\(name): \(error)")
            }
            // Nothing was replaced or moved.
            #expect(FileSystem.exists(from + "/manifest.json"))
            let kept = appeared == "file" ? dir.path("out") : dir.path("out/theirs.txt")
            #expect(FileSystem.kind(of: kept) == .regularFile)
        }
        // With nothing at the target, it renames.
        let dir = try TempDir()
        defer { dir.remove() }
        let from = try staging(dir)
        try rename(from, dir.path("out"))
        #expect(FileSystem.exists(dir.path("out/manifest.json")) && !FileSystem.exists(from))
    }

    @Test func theKernelCallRefusesEvenAnEmptyDirectory() throws {
        // rename(2) would replace an empty directory; RENAME_NOREPLACE does not.
        let dir = try TempDir()
        defer { dir.remove() }
        let from = try staging(dir)
        try FileManager.default.createDirectory(atPath: dir.path("out"), withIntermediateDirectories: false)
        #expect { try FileSystem.renameNoReplace(from, to: dir.path("out")) } throws: {
            ($0 as? FileError)?.isAlreadyExists == true
        }
    }

    static let exchanges: [(String, Rename)] = [
        ("renameat2", { try FileSystem.exchange($0, $1) }),
        ("fallback", { try FileSystem.exchangeFallback($0, $1) }),
    ]

    @Test(arguments: [0, 1])
    func exchangeSwapsTwoDirectories(_ which: Int) throws {
        let (name, exchange) = Self.exchanges[which]
        let dir = try TempDir()
        defer { dir.remove() }
        try dir.write("new/manifest.json", "new")
        try dir.write("data/manifest.json", "old")
        try exchange(dir.path("new"), dir.path("data"))
        #expect(try String(contentsOfFile: dir.path("data/manifest.json"), encoding: .utf8) == "new", "\(name)")
        #expect(try String(contentsOfFile: dir.path("new/manifest.json"), encoding: .utf8) == "old", "\(name)")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)) == ["new", "data"], "\(name)")
        // Both names must exist.
        #expect(throws: FileError.self, "\(name)") { try exchange(dir.path("new"), dir.path("missing")) }
        #expect(throws: FileError.self, "\(name)") { try exchange(dir.path("missing"), dir.path("data")) }
        #expect(try String(contentsOfFile: dir.path("data/manifest.json"), encoding: .utf8) == "new", "\(name)")
    }
}
