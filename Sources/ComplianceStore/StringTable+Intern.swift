internal import Synchronization

extension StringTable {
    /// The id of `string`'s UTF-8 bytes, interning them if new (writer only).
    ///
    /// - Precondition: at most `maxStringBytes` bytes, and fewer than `UInt32.max - 1` ids.
    /// - Complexity: O(length) expected; growing the hash table is O(count), amortized O(1).
    @discardableResult
    public func intern(_ string: String) -> UInt32 {
        if let id = string.utf8.withContiguousStorageIfAvailable({ intern(bytes: UnsafeRawBufferPointer($0)) }) {
            return id
        }
        return Array(string.utf8).withUnsafeBytes { intern(bytes: $0) }
    }

    /// The id of `bytes`, interning them if new (writer only).
    ///
    /// - Precondition: as for `intern(_:)`.
    /// - Complexity: as for `intern(_:)`.
    @discardableResult
    public func intern(bytes: UnsafeRawBufferPointer) -> UInt32 {
        let hash = Self.hash(bytes)
        if let id = find(bytes, hash: hash, visibleCount: count, in: slots) { return id }
        precondition(bytes.count <= Self.maxStringBytes, "StringTable: a string is limited to 1 MiB")
        precondition(count < Int(UInt32.max) - 1, "StringTable: out of ids")
        if count + 1 > SlotTable.maxLoad(capacity: slots.capacity) { grow() }
        let id = UInt32(count + 1)
        store(bytes, as: id)
        insertSlot(id, hash: hash, into: slots)
        count += 1
        return id
    }

    /// The id of `string` if interned (writer only: it probes the current table).
    ///
    /// - Complexity: O(length) expected.
    public func find(_ string: String) -> UInt32? {
        var copy = string
        return copy.withUTF8 { find(UnsafeRawBufferPointer($0), hash: Self.hash(UnsafeRawBufferPointer($0)), visibleCount: count, in: slots) }
    }

    /// Whether one more string of `byteCount` bytes fits in the byte chunks and the id space
    /// (the deserializer checks this rather than trapping on a hostile stream).
    func canStore(byteCount: Int) -> Bool {
        guard byteCount <= Self.maxStringBytes, count < Int(UInt32.max) - 1 else { return false }
        return chunksAllocated == 0 || writeOffset + byteCount <= Self.chunkBytes || writeChunk + 1 < Self.chunkLimit
    }

    /// Writes the bytes and location of the next id (its tag starts at 0).
    func store(_ bytes: UnsafeRawBufferPointer, as id: UInt32) {
        if writeOffset + bytes.count > Self.chunkBytes || chunksAllocated == 0 {
            let next = chunksAllocated == 0 ? 0 : writeChunk + 1
            precondition(next < Self.chunkLimit, "StringTable: out of byte chunks (64 GiB)")
            if next == chunksAllocated {
                chunks[next] = .allocate(byteCount: Self.chunkBytes, alignment: 16)
                chunksAllocated += 1
            }
            writeChunk = next
            writeOffset = 0
        }
        if let source = bytes.baseAddress, bytes.count > 0 {
            (chunks[writeChunk] + writeOffset).copyMemory(from: source, byteCount: bytes.count)
        }
        let index = Int(id)
        let block = index >> Self.blockShift
        if block == blocksAllocated {
            locationBlocks[block] = .allocate(capacity: Self.blockSize)
            let tags = UnsafeMutablePointer<Atomic<UInt32>>.allocate(capacity: Self.blockSize)
            for slot in 0..<Self.blockSize { (tags + slot).initialize(to: Atomic(0)) }
            tagBlocks[block] = tags
            blocksAllocated += 1
        }
        locationBlocks[block][index & (Self.blockSize - 1)] =
            UInt64(writeChunk) << 41 | UInt64(writeOffset) << 21 | UInt64(bytes.count)
        setTag(0, for: id)
        writeOffset += bytes.count
    }

    /// Puts `id` in the first empty slot of its probe sequence.
    func insertSlot(_ id: UInt32, hash: UInt64, into table: SlotTable) {
        var index = Int(truncatingIfNeeded: hash) & table.mask
        while table.load(index) != 0 { index = (index + 1) & table.mask }
        table.store(id, at: index)
    }

    /// Replaces the hash table with one twice as large. Readers holding the old table keep it;
    /// the writer never writes to it again.
    func grow() {
        let larger = SlotTable(capacity: slots.capacity * 2)
        for id in stride(from: 1, through: count, by: 1) {
            let hash = withBytes(UInt32(id)) { Self.hash($0) }
            insertSlot(UInt32(id), hash: hash, into: larger)
        }
        slots = larger
    }

    /// Forgets the ids above `newCount` (writer only): rolls the table back to what an older
    /// version saw. No live version may see an id above `newCount`.
    ///
    /// Clearing the slots of the forgotten ids never breaks the probe chain of a kept id: ids
    /// are inserted in increasing order under linear probing, so when kept id `k` took its slot,
    /// every slot between its home and its slot already held an id older than `k`. Those are
    /// kept too, so `k`'s chain stays unbroken. (A reader probing concurrently that meets a
    /// cleared slot could only be looking for a forgotten id, which it cannot see.)
    ///
    /// - Complexity: O(count - newCount).
    public func truncate(to newCount: Int) {
        precondition(newCount >= 0 && newCount <= count, "StringTable.truncate: count out of range")
        guard newCount < count else { return }
        for id in (newCount + 1)...count {
            let hash = withBytes(UInt32(id)) { Self.hash($0) }
            var index = Int(truncatingIfNeeded: hash) & slots.mask
            while slots.load(index) != UInt32(id) { index = (index + 1) & slots.mask }
            slots.store(0, at: index)
        }
        count = newCount
        if newCount == 0 {
            writeChunk = 0
            writeOffset = 0
        } else {
            let location = location(UInt32(newCount))
            writeChunk = Int(location >> 41)
            writeOffset = Int((location >> 21) & 0xF_FFFF) + Int(location & 0x1F_FFFF)
        }
    }

    /// A reader's view of the strings interned so far: the count and the current hash table
    /// (writer only; the view itself may then go to any thread).
    public func view() -> View { View(table: self, slots: slots, count: count) }
}
