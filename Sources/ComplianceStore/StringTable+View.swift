extension StringTable {
    /// What one version of a store sees of the shared table: the first `count` ids, probed
    /// through the hash table that was current when the version was made.
    ///
    /// Any thread may use a view that reached it through a release/acquire synchronisation
    /// (a published version), concurrently with the writer.
    public struct View: Sendable {
        /// The shared table.
        public let table: StringTable
        let slots: SlotTable
        /// The ids this view sees: 1...count.
        public let count: Int

        /// The id of `string`'s UTF-8 bytes, if this view sees it.
        ///
        /// - Complexity: O(length) expected.
        public func find(_ string: String) -> UInt32? {
            if let id = string.utf8.withContiguousStorageIfAvailable({ find(bytes: UnsafeRawBufferPointer($0)) }) {
                return id
            }
            return Array(string.utf8).withUnsafeBytes { find(bytes: $0) }
        }

        /// The id of `bytes`, if this view sees it.
        ///
        /// - Complexity: O(length) expected.
        public func find(bytes: UnsafeRawBufferPointer) -> UInt32? {
            table.find(bytes, hash: StringTable.hash(bytes), visibleCount: count, in: slots)
        }

        /// Whether this view sees `id`.
        @inline(__always)
        public func contains(_ id: UInt32) -> Bool { id != 0 && Int(id) <= count }

        /// The string `id`, or nil when this view does not see it.
        ///
        /// - Complexity: O(length).
        public func string(_ id: UInt32) -> String? {
            contains(id) ? table.string(id) : nil
        }

        /// Calls `body` with the bytes of `id`, or returns nil when this view does not see it.
        ///
        /// - Complexity: O(1) plus `body`.
        public func withBytes<R>(_ id: UInt32, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R? {
            contains(id) ? try table.withBytes(id, body) : nil
        }

        /// Bytes of string storage up to this view's last string, plus its per-id arrays and
        /// hash table: what this view costs in memory.
        public var byteCount: Int {
            guard count > 0 else { return slots.capacity * 4 }
            let location = table.location(UInt32(count))
            let used = Int(location >> 41) * StringTable.chunkBytes + Int((location >> 21) & 0xF_FFFF) + Int(location & 0x1F_FFFF)
            return used + count * 12 + slots.capacity * 4
        }

        /// Bytes of the strings themselves, without the per-id arrays and the hash table.
        public var stringBytes: Int {
            var total = 0
            for id in stride(from: 1, through: count, by: 1) { total += table.withBytes(UInt32(id)) { $0.count } }
            return total
        }
    }
}
