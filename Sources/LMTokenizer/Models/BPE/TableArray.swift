/// The elements of a lookup table (`PairTable`): a Swift array while the
/// table is built from JSON, or a section of a mapped compiled file
/// adopted in place, read where it lies.
///
/// Copying Llama 3's merge table (9.5 MB) out of the map into arrays was a
/// third of the CPU of a process that loads it from the compiled cache and
/// encodes one line (`perf`: the copy, and a page fault for every 4 KB of
/// fresh array); adopted, its pages are shared with the page cache and
/// faulted in a 64 KB run at a time.
///
/// A mapped table is only adopted after `CompiledTables` has checked it,
/// and its geometry (count, mask) is fixed then; readers that index with a
/// value read from the table itself check that index, because a file
/// written in place after the check (lmshard never does: a compiled file is
/// renamed into place whole) could change what it holds.
struct TableArray<Element: BitwiseCopyable>: @unchecked Sendable {
    // @unchecked: a mapped table is never written (the map is read-only)
    // and `owner`, which keeps it mapped, is never used; an array is a value.
    private var array: [Element]
    /// The adopted elements, nil for an array.
    private let mapped: UnsafeBufferPointer<Element>?
    /// Keeps `mapped` mapped (a `MappedFile`).
    private let owner: AnyObject?

    /// A table over `array`.
    init(_ array: [Element] = []) {
        self.array = array
        mapped = nil
        owner = nil
    }

    init(repeating value: Element, count: Int) { self.init([Element](repeating: value, count: count)) }

    /// Adopts the elements at `bytes` (aligned for `Element`, a multiple of
    /// its size) where they lie. `owner` must keep them mapped and
    /// unchanged for the table's life; the caller has checked them.
    static func unsafeAdopting(_ bytes: UnsafeRawBufferPointer, owner: AnyObject) -> TableArray {
        precondition(Int(bitPattern: bytes.baseAddress) % MemoryLayout<Element>.alignment == 0, "misaligned table")
        let typed = bytes.count == 0 ? UnsafeBufferPointer<Element>(start: nil, count: 0) : bytes.bindMemory(to: Element.self)
        return TableArray(mapped: typed, owner: owner)
    }

    private init(mapped: UnsafeBufferPointer<Element>, owner: AnyObject) {
        array = []
        self.mapped = mapped
        self.owner = owner
    }

    var count: Int { mapped?.count ?? array.count }

    /// Bounds-checked, like an array's.
    subscript(i: Int) -> Element {
        get {
            guard let mapped else { return array[i] }
            precondition(i >= 0 && i < mapped.count, "TableArray index out of range")
            return mapped[i]
        }
        set {
            precondition(mapped == nil, "a mapped table is read-only")
            array[i] = newValue
        }
    }

    /// The elements, for loops that check their own indices.
    @inline(__always)
    func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        if let mapped { return try body(mapped) }
        return try array.withUnsafeBufferPointer(body)
    }

    /// A copy as an array (what `CompiledWriter` writes).
    var elements: [Element] { mapped.map { Array($0) } ?? array }
}
