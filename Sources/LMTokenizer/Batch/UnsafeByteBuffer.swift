import LMJSON

/// A growable byte buffer over raw memory, for the JSONL encoder's per-chunk
/// text and output: no per-byte uniqueness or bounds checks, which an
/// `[UInt8]` pays on every append. `Unsafe`: `start` and the closures hand
/// out raw pointers valid until the next growth. One thread uses a buffer
/// at a time (each belongs to one chunk), hence `@exclusivity(unchecked)`.
final class UnsafeByteBuffer {
    @exclusivity(unchecked) private(set) var start: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private(set) var capacity: Int
    @exclusivity(unchecked) var count = 0

    init(capacity: Int = 1 << 16) {
        self.capacity = capacity
        start = .allocate(capacity: capacity)
    }

    deinit { start.deallocate() }

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

    /// The contents, valid until the buffer changes.
    var unsafeBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: start, count: count) }
}
