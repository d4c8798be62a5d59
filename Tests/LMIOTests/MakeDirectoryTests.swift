import Foundation
import TestSupport
import Testing

@testable import LMIO

/// `FileSystem.makeDirectory` is `mkdir -p` whose failures say which
/// component could not be made and why, in the system's words.
@Suite struct MakeDirectoryTests {
    @Test func makesMissingParentsAndAcceptsAnExistingDirectory() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let deep = dir.path("a/b/c")
        try FileSystem.makeDirectory(deep + "/")
        #expect(FileSystem.kind(of: deep) == .directory)
        try FileSystem.makeDirectory(deep)
        try FileSystem.makeDirectory(dir.path("a//b/d"))
        #expect(FileSystem.kind(of: dir.path("a/b/d")) == .directory)
    }

    @Test func aFileInTheWayIsNamedWithTheSystemsReason() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let file = dir.path("not-a-folder")
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        #expect(throws: FileError(path: file, operation: "create directory", code: ENOTDIR)) {
            try FileSystem.makeDirectory(file + "/cache/tokenizers")
        }
        #expect(throws: FileError(path: file, operation: "create directory", code: ENOTDIR)) {
            try FileSystem.makeDirectory(file)
        }
        let blocked = dir.path("ro")
        try FileSystem.makeDirectory(blocked)
        #expect(chmod(blocked, 0o500) == 0)
        defer { chmod(blocked, 0o700) }
        if getuid() != 0 {  // root ignores the mode
            #expect(throws: FileError(path: blocked + "/x", operation: "create directory", code: EACCES)) {
                try FileSystem.makeDirectory(blocked + "/x/y")
            }
        }
    }
}
