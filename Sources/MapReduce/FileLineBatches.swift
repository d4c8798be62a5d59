import Foundation

/// A file's lines in batches, for `LocalRunner`: the bytes are read in
/// large blocks and a batch is the block plus the ranges of its lines, so
/// a line costs no allocation and no copy on the reader thread.
///
/// Why not `FileLines` (one array per line): its reader thread spent ~3%
/// of the CPU of a 2-worker count_chars run allocating and copying lines,
/// the workers then freed 1.6 million arrays per GiB that another thread
/// had allocated, and `--workers 1` got that thread's work for free on the
/// other core. Here the reader does one `read` per 4 MiB and a `memchr`
/// per line.
///
/// Lines are exactly `FileLines`' (so line numbers agree): split on `\n`,
/// the `\n` not included, empty lines kept, and a last line without `\n`
/// returned when it is not empty. A batch never spans two blocks; a line
/// longer than a block gets a bigger block of its own.
public struct FileLineBatches: BatchSource {
    private let fd: Int32
    private let name: String
    /// The block being split: `block.bytes[scan..<end]` is not consumed yet.
    private var block: ByteBlock
    private var scan = 0
    private var end = 0
    private var eof = false
    /// Earlier blocks, reused once no batch holds them any more.
    private var spare: [ByteBlock] = []
    let blockSize: Int

    /// Reads from `fd` (not closed by this type); `name` is used in errors.
    public init(fileDescriptor fd: Int32, name: String) {
        self.init(fileDescriptor: fd, name: name, blockSize: 4 << 20)
    }

    init(fileDescriptor fd: Int32, name: String, blockSize: Int) {
        precondition(blockSize > 0)
        self.fd = fd
        self.name = name
        self.blockSize = blockSize
        self.block = ByteBlock(capacity: blockSize)
    }

    /// - Throws: `MapReduceError.io` naming the file when a read fails.
    public mutating func nextBatch(maxRows: Int) throws -> LineBatch? {
        var lines: [Range<Int>] = []
        lines.reserveCapacity(Swift.min(maxRows, 4096))
        while lines.count < maxRows {
            if let nl = firstNewline(in: UnsafeRawBufferPointer(rebasing: block.bytes[..<end]), from: scan) {
                lines.append(scan..<nl)
                scan = nl + 1
                continue
            }
            // No complete line left in this block: hand out what the batch
            // has, so it never spans two blocks.
            if !lines.isEmpty { break }
            if eof {
                if scan < end {
                    lines.append(scan..<end)
                    scan = end
                }
                break
            }
            try refill()
        }
        return lines.isEmpty ? nil : LineBatch(block: block, lines: lines)
    }

    /// Moves the unconsumed tail (a partial line) to the start of a block
    /// no batch holds (the current one is usually still being mapped) and
    /// reads after it.
    private mutating func refill() throws {
        let rest = end - scan
        let capacity = Swift.max(blockSize, 2 * rest)
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
        if rest > 0 {
            // May overlap when the block is reused.
            memmove(next.bytes.baseAddress!, block.bytes.baseAddress! + scan, rest)
        }
        if next !== block {
            spare.append(block)
            if spare.count > 3 { spare.removeFirst() }
        }
        block = next
        scan = 0
        end = rest
        let n = try posixReadSome(fd, into: UnsafeMutableRawBufferPointer(rebasing: block.bytes[end...]), path: name)
        if n == 0 { eof = true }
        end += n
    }
}

/// Whole lines of one read block: element `i` is line `i`'s bytes, without
/// its `\n`.
///
/// An element points into the block, which the batch keeps alive: it is
/// valid as long as the batch is, and must not be kept beyond that (parse
/// or copy it). The runner holds each batch until its rows are mapped.
public struct LineBatch: RandomAccessCollection {
    let block: ByteBlock
    let lines: [Range<Int>]

    public var startIndex: Int { 0 }
    public var endIndex: Int { lines.count }

    public subscript(i: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: block.bytes[lines[i]])
    }
}

/// A heap block of bytes whose address never moves, freed with the last
/// batch that refers to it.
final class ByteBlock: @unchecked Sendable {
    let bytes: UnsafeMutableRawBufferPointer

    init(capacity: Int) {
        bytes = .allocate(byteCount: capacity, alignment: 64)
    }

    deinit { bytes.deallocate() }
}
