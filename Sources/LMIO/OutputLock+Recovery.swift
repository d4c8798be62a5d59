/// Putting right what a holder of an output's lock left when it was killed
/// or failed, from what its record says (see `OutputLock`).
///
/// Every step is idempotent: a recovery that is itself killed leaves the
/// old record in place (the new holder writes its own only afterwards), and
/// the next one repeats what is left of it.
extension OutputLock {
    /// Recovers from `stale`'s leftovers next to `output` and returns one
    /// line per thing done or deliberately left.
    static func recover(
        _ stale: LockRecord, output: String, reusing: Set<String>, isReplaceable: (String) -> Bool
    ) throws -> [String] {
        var notes: [String] = []
        let by = "left by \(stale.holderDescription)"
        let publishing = stale["publishing"]
        let published = publishing != nil && identity(of: output) == publishing

        // A fallback exchange (three renames) cut short: the old output is
        // at the aside name.
        if let aside = ownedSibling(stale["aside"], of: output), FileSystem.exists(aside) {
            let name = FileSystem.lastComponent(of: aside)
            if !FileSystem.exists(output) {
                try FileSystem.renameNoReplace(aside, to: output)
                notes.append("put \(name) back at \(output), where a publish cut short had moved it from")
            } else if published && isReplaceable(aside) {
                try FileSystem.removeTree(aside)
                notes.append("removed \(name), the dataset a publish had just replaced, \(by)")
            } else {
                notes.append("left \(name) in place: it cannot be told what it holds (\(by))")
            }
        }

        if let staging = ownedSibling(stale["staging"], of: output), FileSystem.exists(staging) {
            let name = FileSystem.lastComponent(of: staging)
            var unpublished = true
            if published {
                // The exchange happened: `staging` names what was at the output.
                if isReplaceable(staging) {
                    try FileSystem.removeTree(staging)
                    notes.append("removed \(name), the dataset a publish had just replaced, \(by)")
                    unpublished = false
                } else {
                    try FileSystem.exchange(staging, output)
                    notes.append("put back \(output) (not an lmshard dataset), which a publish cut short had swapped out")
                }
            }
            if unpublished {
                if reusing.contains(name) {
                    notes.append("resuming from \(name), \(by)")
                } else {
                    try FileSystem.removeTree(staging)
                    notes.append("removed \(name), \(by)")
                }
            }
        }

        if let temporary = ownedSibling(stale["temporary"], of: output), FileSystem.exists(temporary),
            !reusing.contains(FileSystem.lastComponent(of: temporary))
        {
            try FileSystem.remove(temporary)
            notes.append("removed \(FileSystem.lastComponent(of: temporary)), \(by)")
        }

        if let job = stale["job"], job.hasPrefix("/"), !reusing.contains(job), FileSystem.exists(job) {
            if try LockedDirectory.removeIfAbandoned(job) {
                notes.append("removed the work directory \(job), \(by)")
            } else {
                notes.append("left the work directory \(job) in place: it is in use or not lmshard's")
            }
        }
        try FileSystem.syncDirectory(FileSystem.parentDirectory(of: output))
        return notes
    }
}
