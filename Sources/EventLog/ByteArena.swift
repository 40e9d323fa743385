/// A growable, manually managed byte buffer: the pending-records buffer and the writer's and
/// readers' scratch space. It grows by doubling and is replaced by a small one after a burst, so
/// steady-state appends and reads allocate nothing.
struct ByteArena: ~Copyable, @unchecked Sendable {
    // Safe to send: the arena is uniquely owned (~Copyable) and only touched by its owner.
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    /// Bytes in use, from `base`.
    var count: Int = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        self.base = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    /// Makes room for `extra` more bytes past `count`, keeping the contents.
    mutating func reserve(extra: Int) {
        let needed = count + extra
        guard needed > capacity else { return }
        var newCapacity = capacity
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        newBase.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    /// Makes the capacity at least `total` bytes, discarding the contents.
    mutating func ensureCapacity(_ total: Int) {
        guard total > capacity else { return }
        base.deallocate()
        var newCapacity = capacity
        while newCapacity < total { newCapacity *= 2 }
        base = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        capacity = newCapacity
        count = 0
    }

    /// The bytes in use.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Appends one record in its on-disk form; the caller reserved room first.
    @inline(__always)
    mutating func appendRecord(_ record: EventRecord) {
        let p = base + count
        p.storeLE(record.type, at: 0)
        p.storeBytes(of: record.schemaVersion, toByteOffset: 2, as: UInt8.self)
        let n = Varint.write(UInt32(truncatingIfNeeded: record.payload.count), to: p + 3)
        record.payload.withUnsafeBytes { payload in
            if let src = payload.baseAddress { (p + 3 + n).copyMemory(from: src, byteCount: payload.count) }
        }
        count += 3 + n + record.payload.count
    }

    /// The encoded size of `record`.
    @inline(__always)
    static func encodedSize(_ record: EventRecord) -> Int {
        3 + Varint.size(UInt32(truncatingIfNeeded: record.payload.count)) + record.payload.count
    }
}
