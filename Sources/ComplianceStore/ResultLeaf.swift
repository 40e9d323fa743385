/// The header of every node of a `ResultTree`. A leaf uses `count` (entries in use) and
/// `capacity` (entries its columns are laid out for); an inner node uses `keys` and `children`.
/// Both kinds share it so that a node reference has one concrete class type,
/// `ManagedBuffer<ResultNodeHeader, UInt64>`, on which `isKnownUniquelyReferenced` is exact
/// (through an `AnyObject?` it reported a root held once as shared, so every insert copied it).
/// The two empty arrays cost a leaf 16 bytes.
struct ResultNodeHeader {
    var count: Int32
    let capacity: Int32
    var keys: ContiguousArray<UInt64>
    var children: ContiguousArray<ResultNode>
}

/// A node of a `ResultTree`: a `ResultLeaf` or a `ResultInner`, as the tree's height tells.
typealias ResultNode = ManagedBuffer<ResultNodeHeader, UInt64>

/// A leaf of a `ResultTree`: its entries as four columns in the one allocation of the object,
/// `keys [UInt64] · orderingTimestamp [Int64] · recordedTime [Int64] · annotation [UInt32]`,
/// 28 bytes per entry.
///
/// A leaf is mutated only while the writer holds the one reference to it (the tree checks
/// `isKnownUniquelyReferenced` before it writes); a leaf that a published version can reach is
/// never written again.
final class ResultLeaf: ManagedBuffer<ResultNodeHeader, UInt64> {
    /// The capacity of every leaf but a small root: 64 entries (1,792 bytes of columns) measured
    /// best for ingest and pages at equal memory (BENCHMARKS.md).
    static let maxCapacity = 64
    /// A leaf below this count is merged with or refilled from a sibling.
    static let minFill = maxCapacity / 4

    /// A new empty leaf with room for `capacity` entries.
    static func make(capacity: Int) -> ResultLeaf {
        let words = capacity * 3 + (capacity + 1) / 2
        let buffer = ResultLeaf.create(minimumCapacity: words) { _ in
            ResultNodeHeader(count: 0, capacity: Int32(capacity), keys: [], children: [])
        }
        return unsafeDowncast(buffer, to: ResultLeaf.self)
    }

    /// The four column base addresses of a leaf.
    struct Columns {
        let keys: UnsafeMutablePointer<UInt64>
        let ordering: UnsafeMutablePointer<UInt64>
        let recorded: UnsafeMutablePointer<UInt64>
        /// `UInt32` values, read and written through raw loads and stores.
        let annotation: UnsafeMutableRawPointer

        @inline(__always)
        init(_ elements: UnsafeMutablePointer<UInt64>, capacity: Int) {
            keys = elements
            ordering = elements + capacity
            recorded = elements + 2 * capacity
            annotation = UnsafeMutableRawPointer(elements + 3 * capacity)
        }

        @inline(__always)
        func value(at index: Int) -> ResultValue {
            ResultValue(
                orderingTimestamp: Int64(bitPattern: ordering[index]),
                recordedTime: Int64(bitPattern: recorded[index]),
                annotation: annotation.load(fromByteOffset: index &* 4, as: UInt32.self))
        }

        @inline(__always)
        func set(_ value: ResultValue, at index: Int) {
            ordering[index] = UInt64(bitPattern: value.orderingTimestamp)
            recorded[index] = UInt64(bitPattern: value.recordedTime)
            annotation.storeBytes(of: value.annotation, toByteOffset: index &* 4, as: UInt32.self)
        }

        /// Moves `count` entries from `source` to `target` inside these columns (ranges may overlap).
        @inline(__always)
        func move(from source: Int, to target: Int, count: Int) {
            guard count > 0 else { return }
            (keys + target).update(from: keys + source, count: count)
            (ordering + target).update(from: ordering + source, count: count)
            (recorded + target).update(from: recorded + source, count: count)
            (annotation + target &* 4).copyMemory(from: annotation + source &* 4, byteCount: count &* 4)
        }

        /// Copies `count` entries from `other` at `source` to these columns at `target`.
        @inline(__always)
        func copy(from other: Columns, at source: Int, to target: Int, count: Int) {
            guard count > 0 else { return }
            (keys + target).update(from: other.keys + source, count: count)
            (ordering + target).update(from: other.ordering + source, count: count)
            (recorded + target).update(from: other.recorded + source, count: count)
            (annotation + target &* 4).copyMemory(from: other.annotation + source &* 4, byteCount: count &* 4)
        }
    }

    /// Runs `body` with the header and the columns.
    @inline(__always)
    func withColumns<R>(_ body: (UnsafeMutablePointer<ResultNodeHeader>, Columns) throws -> R) rethrows -> R {
        try withUnsafeMutablePointers { header, elements in
            try body(header, Columns(elements, capacity: Int(header.pointee.capacity)))
        }
    }

    /// Entries in use.
    @inline(__always)
    var count: Int { withUnsafeMutablePointerToHeader { Int($0.pointee.count) } }

    /// The capacity the columns are laid out for.
    @inline(__always)
    var entryCapacity: Int { withUnsafeMutablePointerToHeader { Int($0.pointee.capacity) } }

    @inline(__always)
    func key(at index: Int) -> UInt64 { withUnsafeMutablePointerToElements { $0[index] } }

    @inline(__always)
    func value(at index: Int) -> ResultValue { withColumns { _, columns in columns.value(at: index) } }

    /// The index of the first key ≥ `key` (`count` when there is none).
    ///
    /// - Complexity: O(log capacity).
    @inline(__always)
    func lowerBound(_ key: UInt64) -> Int {
        withUnsafeMutablePointers { header, keys in
            var low = 0
            var high = Int(header.pointee.count)
            while low < high {
                let mid = (low &+ high) >> 1
                if keys[mid] < key { low = mid &+ 1 } else { high = mid }
            }
            return low
        }
    }

    /// Inserts an entry at `index`; the leaf has room.
    func insert(_ key: UInt64, _ value: ResultValue, at index: Int) {
        withColumns { header, columns in
            let count = Int(header.pointee.count)
            assert(count < Int(header.pointee.capacity))
            columns.move(from: index, to: index + 1, count: count - index)
            columns.keys[index] = key
            columns.set(value, at: index)
            header.pointee.count += 1
        }
    }

    /// Replaces the value at `index`, returning the old one.
    func replaceValue(at index: Int, with value: ResultValue) -> ResultValue {
        withColumns { _, columns in
            let old = columns.value(at: index)
            columns.set(value, at: index)
            return old
        }
    }

    /// Removes the entry at `index`, returning its value.
    func remove(at index: Int) -> ResultValue {
        withColumns { header, columns in
            let count = Int(header.pointee.count)
            let old = columns.value(at: index)
            columns.move(from: index + 1, to: index, count: count - index - 1)
            header.pointee.count -= 1
            return old
        }
    }

    /// A copy with room for `capacity` (≥ count) entries.
    func copy(capacity: Int) -> ResultLeaf {
        let copy = ResultLeaf.make(capacity: capacity)
        withColumns { header, columns in
            let count = Int(header.pointee.count)
            copy.withColumns { copyHeader, copyColumns in
                copyColumns.copy(from: columns, at: 0, to: 0, count: count)
                copyHeader.pointee.count = Int32(count)
            }
        }
        return copy
    }

    /// Moves the entries from `index` on to the end of `other`.
    func moveTail(from index: Int, appendingTo other: ResultLeaf) {
        withColumns { header, columns in
            let moving = Int(header.pointee.count) - index
            other.withColumns { otherHeader, otherColumns in
                let start = Int(otherHeader.pointee.count)
                otherColumns.copy(from: columns, at: index, to: start, count: moving)
                otherHeader.pointee.count += Int32(moving)
            }
            header.pointee.count = Int32(index)
        }
    }

    /// Moves the first `moving` entries of `right` to the end of `self`.
    func takeHead(_ moving: Int, from right: ResultLeaf) {
        withColumns { header, columns in
            right.withColumns { rightHeader, rightColumns in
                let start = Int(header.pointee.count)
                columns.copy(from: rightColumns, at: 0, to: start, count: moving)
                rightColumns.move(from: moving, to: 0, count: Int(rightHeader.pointee.count) - moving)
                header.pointee.count += Int32(moving)
                rightHeader.pointee.count -= Int32(moving)
            }
        }
    }

    /// Moves the last `moving` entries of `self` to the front of `right`.
    func giveTail(_ moving: Int, to right: ResultLeaf) {
        withColumns { header, columns in
            right.withColumns { rightHeader, rightColumns in
                let start = Int(header.pointee.count) - moving
                rightColumns.move(from: 0, to: moving, count: Int(rightHeader.pointee.count))
                rightColumns.copy(from: columns, at: start, to: 0, count: moving)
                header.pointee.count -= Int32(moving)
                rightHeader.pointee.count += Int32(moving)
            }
        }
    }

    /// Approximate heap bytes: object header, leaf header, columns, allocator overhead.
    var heapBytes: Int { 16 + 24 + (entryCapacity * 3 + (entryCapacity + 1) / 2) * 8 + 8 }
}
