import ArgumentParser
import Foundation
import LMIO

/// Turns a library error into one line on stderr and exit status 1, the
/// same for every command: `lmshard: error: FILE:LINE: message`.
///
/// Library errors already carry their context (the file, the line or byte
/// offset, the bad value) in their description; printing them through
/// ArgumentParser would add usage text that has nothing to do with a bad
/// row or a corrupt shard.
enum CLIError {
    static func reporting<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ExitCode {
            throw error
        } catch {
            StandardError.write("lmshard: error: \(error)\n")
            throw ExitCode.failure
        }
    }
}
