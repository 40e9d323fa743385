internal import CXXHash
internal import Synchronization
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Append-only interned byte strings shared by every version of a `ComplianceStore`: ids are
/// dense from 1 (0 means "none") and strings compare by their UTF-8 bytes, not by Unicode
/// canonical equivalence ("é" precomposed and decomposed are two strings here).
///
/// One writer thread interns and truncates; any number of reader threads read concurrently,
/// each through a `count` it received from the writer by a release/acquire synchronisation
/// (a `Mutex` that hands out published versions). Invariants that make this safe:
/// - Bytes live in 1 MiB chunks that never move; the chunk directory has a fixed capacity and is
///   allocated once, so appending never relocates anything a reader reads.
/// - Each id's location lives in blocks of a fixed directory as well; the writer writes the
///   location and bytes of id `n` before `count` becomes `n`, and never rewrites them while a
///   version that can see `n` exists (truncation only removes ids no live version sees).
/// - The hash table's slots are atomics. A reader skips slots whose id exceeds its count and
///   keeps probing. Growth builds a new `SlotTable` object and the writer never writes the old
///   one again; a reader probes the table object captured with its version (`View`).
/// - Strings are at most 1 MiB (`maxStringBytes`); there are at most `UInt32.max - 1` ids and
///   64 GiB of bytes.
public final class StringTable: @unchecked Sendable {
    // Safe to send: see the invariants above; writer-only state is touched by the writer alone.

    /// The longest string the table accepts, in bytes.
    public static let maxStringBytes = 1 << 20
    static let chunkBytes = 1 << 20
    static let chunkLimit = 1 << 16
    static let blockShift = 16
    static let blockSize = 1 << blockShift
    static let blockLimit = 1 << 16

    /// Chunk base addresses; entries below `chunksAllocated` are set.
    let chunks: UnsafeMutablePointer<UnsafeMutableRawPointer>
    /// Location blocks: `chunk << 41 | offset << 21 | length` for each id.
    let locationBlocks: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>>
    /// One atomic word per id that the owner may use (`ComplianceStore` keeps the first resource
    /// type a resource id string was used with). Readers may see a newer value than their count.
    let tagBlocks: UnsafeMutablePointer<UnsafeMutablePointer<Atomic<UInt32>>>
    var chunksAllocated = 0
    var blocksAllocated = 0
    /// Writer-only: the chunk and offset where the next string's bytes go.
    var writeChunk = 0
    var writeOffset = 0

    /// The number of interned strings (writer only; readers use their version's count).
    public internal(set) var count = 0
    /// The current hash table (writer only; readers use the one captured in their `View`).
    var slots: SlotTable

    /// An empty table.
    public init() {
        chunks = .allocate(capacity: Self.chunkLimit)
        locationBlocks = .allocate(capacity: Self.blockLimit)
        tagBlocks = .allocate(capacity: Self.blockLimit)
        slots = SlotTable(capacity: 64)
    }

    deinit {
        for index in 0..<chunksAllocated { chunks[index].deallocate() }
        for index in 0..<blocksAllocated {
            locationBlocks[index].deallocate()
            tagBlocks[index].deinitialize(count: Self.blockSize)
            tagBlocks[index].deallocate()
        }
        chunks.deallocate()
        locationBlocks.deallocate()
        tagBlocks.deallocate()
    }

    // MARK: Reading (any thread, for ids its version can see)

    @inline(__always)
    func location(_ id: UInt32) -> UInt64 {
        let index = Int(id)
        return locationBlocks[index >> Self.blockShift][index & (Self.blockSize - 1)]
    }

    /// Calls `body` with the bytes of string `id`.
    ///
    /// - Precondition: `1 ≤ id ≤` the caller's visible count (not checked: a reader's count is
    ///   not known here; `View.withBytes` checks it).
    /// - Complexity: O(1).
    public func withBytes<R>(_ id: UInt32, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let location = location(id)
        let chunk = Int(location >> 41)
        let offset = Int((location >> 21) & 0xF_FFFF)
        let length = Int(location & 0x1F_FFFF)
        return try body(UnsafeRawBufferPointer(start: chunks[chunk] + offset, count: length))
    }

    /// The string `id` (bytes that are not valid UTF-8 are repaired with U+FFFD).
    ///
    /// - Precondition: as for `withBytes`.
    /// - Complexity: O(length).
    public func string(_ id: UInt32) -> String {
        withBytes(id) { String(decoding: $0, as: UTF8.self) }
    }

    /// The owner's tag of string `id` (0 until set).
    @inline(__always)
    func tag(_ id: UInt32) -> UInt32 {
        let index = Int(id)
        return tagBlocks[index >> Self.blockShift][index & (Self.blockSize - 1)].load(ordering: .relaxed)
    }

    /// Sets the owner's tag of string `id` (writer only).
    @inline(__always)
    func setTag(_ tag: UInt32, for id: UInt32) {
        let index = Int(id)
        tagBlocks[index >> Self.blockShift][index & (Self.blockSize - 1)].store(tag, ordering: .relaxed)
    }

    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        XXH3_64bits(bytes.baseAddress, bytes.count)
    }

    /// The id of `bytes` among the first `visibleCount` ids of `table`, if interned.
    ///
    /// - Complexity: O(1) expected.
    func find(_ bytes: UnsafeRawBufferPointer, hash: UInt64, visibleCount: Int, in table: SlotTable) -> UInt32? {
        var index = Int(truncatingIfNeeded: hash) & table.mask
        // Bounded: the table is never full, so a probe meets an empty slot within capacity steps.
        for _ in 0...table.mask {
            let id = table.load(index)
            if id == 0 { return nil }
            if Int(id) <= visibleCount && equals(id, bytes) { return id }
            index = (index + 1) & table.mask
        }
        return nil
    }

    @inline(__always)
    func equals(_ id: UInt32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        withBytes(id) { stored in
            guard stored.count == bytes.count else { return false }
            guard let a = stored.baseAddress, let b = bytes.baseAddress else { return true }
            return memcmp(a, b, bytes.count) == 0
        }
    }

    /// Heap bytes allocated: byte chunks, per-id blocks and the current hash table (writer only;
    /// `View.byteCount` is the reader's measure).
    public var byteCount: Int {
        chunksAllocated * Self.chunkBytes + blocksAllocated * Self.blockSize * 12 + slots.capacity * 4
    }
}
