import Foundation
import LMIO
import LMJSON

/// A growable byte buffer over raw memory (no per-byte uniqueness checks).
/// One thread uses a buffer at a time, hence `@exclusivity(unchecked)`.
final class ByteBuffer {
    @exclusivity(unchecked) private(set) var start: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private(set) var capacity: Int
    @exclusivity(unchecked) var count = 0

    init(capacity: Int = 1 << 16) {
        self.capacity = capacity
        start = .allocate(capacity: capacity)
    }

    deinit { start.deallocate() }

    var end: UnsafeMutablePointer<UInt8> { start + count }

    /// Makes room for `n` bytes in all, keeping the contents.
    func reserve(_ n: Int) {
        guard n > capacity else { return }
        let c = max(n, capacity * 2)
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        fresh.update(from: start, count: count)
        start.deallocate()
        start = fresh
        capacity = c
    }

    func removeAll() { count = 0 }

    func removeFirst(_ k: Int) {
        if k < count { start.update(from: start + k, count: count - k) }
        count -= k
    }

    /// Replaces the contents with the bytes `body` writes into room for
    /// `n` of them (it returns how many it wrote); empty if it throws.
    func overwrite(room n: Int, _ body: (UnsafeMutableBufferPointer<UInt8>) throws -> Int) rethrows {
        count = 0
        reserve(n)
        count = try body(UnsafeMutableBufferPointer(start: start, count: n))
    }

    /// Appends `{"ids":[...]}` and a newline, the digits written in place
    /// by LMJSON's id writer.
    func appendIdsLine(_ ids: [UInt32]) {
        let head: StaticString = #"{"ids":"#
        let tail: StaticString = "}\n"
        reserve(count + head.utf8CodeUnitCount + JSONWriter.idArrayCapacity(ids.count) + tail.utf8CodeUnitCount)
        (start + count).update(from: head.utf8Start, count: head.utf8CodeUnitCount)
        count += head.utf8CodeUnitCount
        count += ids.withUnsafeBufferPointer { JSONWriter.unsafeWriteIdArray($0, to: start + count) }
        (start + count).update(from: tail.utf8Start, count: tail.utf8CodeUnitCount)
        count += tail.utf8CodeUnitCount
    }

    func lastIndex(of b: UInt8) -> Int? {
        var i = count - 1
        while i >= 0 {
            if start[i] == b { return i }
            i -= 1
        }
        return nil
    }

    func withBytes<R>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: start + range.lowerBound, count: range.count))
    }

    /// One `read`; returns the bytes read (0 at EOF, -1 on error).
    func readAppending(fd: Int32, max: Int) -> Int {
        while true {
            let n = read(fd, start + count, max)
            if n < 0 && errno == EINTR { continue }
            if n > 0 { count += n }
            return n
        }
    }

    func writeAll(to output: borrowing FileDescriptor) throws {
        try output.writeAll(UnsafeRawBufferPointer(start: start, count: count))
    }
}
