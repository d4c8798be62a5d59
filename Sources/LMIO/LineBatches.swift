#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a byte source into lines: lmshard's one line splitter. This face
/// hands out batches of lines over large read blocks (the local runner,
/// `tokenize`); `LineReader` is the line-at-a-time face over it (streaming
/// stages, build inputs).
///
/// Lines: split on `\n`, the `\n` not included and a `\r` right before it
/// dropped (CRLF files read like LF files); empty lines kept; a last line
/// without `\n` returned when it is not empty.
///
/// Why batches over blocks: the bytes are read in large blocks and a batch
/// is the block plus the ranges of its lines, so a line costs no
/// allocation and no copy on the reading thread. With one array per line,
/// the runner's reader thread spent ~3% of the CPU of a 2-worker
/// count_chars run allocating and copying lines, and the workers then freed
/// 1.6 million arrays per GiB that another thread had allocated. Here
/// reading costs one `read` per 4 MiB and a `memchr` per line (memchr
/// splits 50 MB of rows in 7 ms, 3.5x a Swift byte loop).
///
/// A batch never spans two blocks; a line longer than a block gets a bigger
/// block of its own, up to `maximumLineLength`. Blocks are reused once no
/// batch holds them any more (at most three spare).
public struct LineBatches<Source: ByteSource & ~Copyable>: ~Copyable {
    private var source: Source
    /// The block being split: `block.bytes[scan..<end]` is not consumed yet.
    private var block: ByteBlock
    private var scan = 0
    private var end = 0
    private var eof = false
    /// Offset in the source's bytes of `block.bytes[0]`, so each line knows
    /// where it starts (the distributed build orders rows by byte offset).
    private var blockStart = 0
    /// Earlier blocks, reused once no batch holds them any more.
    private var spare: [ByteBlock] = []
    /// Bytes per read block.
    public let blockSize: Int
    /// Longer lines throw `LineTooLongError` instead of growing a block
    /// without bound.
    public let maximumLineLength: Int
    /// A refill keeps reading after a short read (a pipe that had less
    /// ready) until it holds this many bytes or the block is full; 0 reads
    /// once per refill (files, whose reads fill the block).
    public let minimumFill: Int
    /// Lines handed out so far.
    public private(set) var linesRead = 0
    /// The source's name, for errors.
    public let name: String

    /// Splits `source`.
    ///
    /// - Parameters:
    ///   - blockSize: bytes per read (4 MiB by default).
    ///   - maximumLineLength: longest accepted line (1 GiB by default).
    ///   - minimumFill: see the property; 0 by default.
    public init(
        _ source: consuming Source, blockSize: Int = 4 << 20, maximumLineLength: Int = 1 << 30, minimumFill: Int = 0
    ) {
        precondition(blockSize > 0 && maximumLineLength > 0 && minimumFill >= 0, "sizes must be positive")
        name = source.name
        self.source = source
        self.blockSize = blockSize
        self.maximumLineLength = maximumLineLength
        self.minimumFill = min(minimumFill, blockSize)
        block = ByteBlock(capacity: blockSize)
    }

    /// The next batch of at least one and at most `maxRows` lines, or nil
    /// at the end of the input.
    ///
    /// - Throws: the source's errors, or `LineTooLongError`.
    public mutating func nextBatch(maxRows: Int) throws -> LineBatch? {
        precondition(maxRows > 0, "maxRows must be positive")
        var lines: [Range<Int>] = []
        lines.reserveCapacity(Swift.min(maxRows, 4096))
        while lines.count < maxRows {
            if let newline = findNewline() {
                lines.append(scan..<withoutCarriageReturn(newline))
                scan = newline + 1
                continue
            }
            // No complete line left in this block: hand out what the batch
            // has, so it never spans two blocks.
            if !lines.isEmpty { break }
            if eof {
                if scan < end {
                    lines.append(scan..<withoutCarriageReturn(end))
                    scan = end
                }
                break
            }
            try refill()
        }
        guard !lines.isEmpty else { return nil }
        let batch = LineBatch(block: block, lines: lines, firstLineNumber: linesRead + 1, blockOffset: blockStart)
        linesRead += lines.count
        return batch
    }

    /// Index of the next `\n` in `scan..<end`.
    @inline(__always)
    private func findNewline() -> Int? {
        guard scan < end, let base = block.bytes.baseAddress,
            let hit = memchr(base + scan, Int32(UInt8(ascii: "\n")), end - scan)
        else { return nil }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
    }

    /// `stop`, moved before a `\r` that ends the line.
    @inline(__always)
    private func withoutCarriageReturn(_ stop: Int) -> Int {
        stop > scan && block.bytes[stop - 1] == UInt8(ascii: "\r") ? stop - 1 : stop
    }

    /// Moves the unconsumed tail (a partial line) to the start of a block
    /// no batch holds (the current one is usually still being mapped) and
    /// reads after it.
    private mutating func refill() throws {
        let rest = end - scan
        guard rest <= maximumLineLength else {
            throw LineTooLongError(source: name, line: linesRead + 1, limit: maximumLineLength)
        }
        // Room for at least as much again as the partial line (a line longer
        // than a block gets a bigger block), up to the line limit.
        let capacity = Swift.max(blockSize, Swift.min(2 * rest, maximumLineLength + 1))
        var free: Int?
        for i in spare.indices where spare[i].bytes.count >= capacity && isKnownUniquelyReferenced(&spare[i]) {
            free = i
            break
        }
        let next: ByteBlock
        if isKnownUniquelyReferenced(&block), block.bytes.count >= capacity {
            next = block
        } else if let free {
            next = spare.remove(at: free)
        } else {
            next = ByteBlock(capacity: capacity)
        }
        if rest > 0, let to = next.bytes.baseAddress, let from = block.bytes.baseAddress {
            memmove(to, from + scan, rest)  // may overlap when the block is reused
        }
        if next !== block {
            spare.append(block)
            if spare.count > 3 { spare.removeFirst() }
        }
        block = next
        blockStart += scan
        scan = 0
        end = rest
        let room = block.bytes.count
        while end < room {
            let want = room - end
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: block.bytes[end...]))
            end += n
            if n == 0 {
                eof = true
                break
            }
            if n == want || end >= minimumFill { break }
        }
    }
}
