/// Where a store version's memory goes, for benchmarks and capacity planning.
public struct MemoryReport: Sendable {
    /// Results stored.
    public var results: Int
    /// Strings the version sees.
    public var strings: Int
    /// Bytes of the strings themselves.
    public var stringBytes: Int
    /// Bytes of the string table: bytes, per-id location and tag arrays, and the hash table.
    public var stringTableBytes: Int
    /// Approximate heap bytes of every tree node (leaves and inner nodes).
    public var treeNodeBytes: Int
    /// Entry slots allocated in leaves (results / slots is the fill).
    public var leafSlots: Int

    /// Bytes per result of each leaf column (allocated slots, so the fill is included):
    /// key, orderingTimestamp, recordedTime, annotation.
    public var columnBytesPerResult: (key: Double, orderingTimestamp: Double, recordedTime: Double, annotation: Double) {
        let perSlot = results == 0 ? 0 : Double(leafSlots) / Double(results)
        return (8 * perSlot, 8 * perSlot, 8 * perSlot, 4 * perSlot)
    }

    /// Tree bytes per result that are not column slots: node headers, inner nodes, allocator.
    public var treeOverheadPerResult: Double {
        results == 0 ? 0 : Double(treeNodeBytes - 28 * leafSlots) / Double(results)
    }

    /// String table bytes per result.
    public var stringBytesPerResult: Double {
        results == 0 ? 0 : Double(stringTableBytes) / Double(results)
    }

    /// All accounted bytes per result.
    public var bytesPerResult: Double {
        results == 0 ? 0 : Double(treeNodeBytes + stringTableBytes) / Double(results)
    }

    /// The fraction of leaf slots in use.
    public var leafFill: Double { leafSlots == 0 ? 1 : Double(results) / Double(leafSlots) }

}
