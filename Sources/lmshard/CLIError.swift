import ArgumentParser
import Foundation
import LMIO

/// Turns library errors into one clear line on stderr and exit status 1.
///
/// Library errors already carry their context (`file:line: what is wrong`);
/// printing them through ArgumentParser would add usage text that has nothing
/// to do with a bad row or a corrupt shard.
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
