extension ComplianceStore {
    /// The first bytes of a serialized store: "CFST".
    static let magic: [UInt8] = [0x43, 0x46, 0x53, 0x54]
    /// The format version `serialize` writes and `deserialize` reads.
    public static let formatVersion: UInt8 = 1
    /// Entries per column block: a tree's entries are written 256 at a time, column by column.
    static let blockSize = 256

    /// Writes this version as a canonical, deterministic byte stream, in pieces of at most 1 MiB.
    ///
    /// Equal stores write equal bytes (the state digest relies on it): the stream depends on the
    /// strings, rules, results and groups, never on tree shapes or hash orders. Format version 1,
    /// little-endian, LEB128 varints (zigzag for signed values):
    /// - `"CFST"`, version `1`;
    /// - the string count, then each visible string in id order: length, bytes;
    /// - the rule count, then each rule in slot order: slot, group slot (0 = none), lastChanged,
    ///   and for each compliance (compliant, nonCompliant, notApplicable) its result count and
    ///   its results in key order, in blocks of 256 written column by column: keys (the first
    ///   absolute, then the gap minus one), orderingTimestamp and recordedTime (each the
    ///   difference from the previous result's), annotation ids;
    /// - the group count, then each group in slot order: slot, scoreChanged, its rules per rule
    ///   compliance (compliant, nonCompliant, insufficientData), compliantPairs,
    ///   nonCompliantPairs (redundant: the reader recomputes and checks them);
    /// - the XXH3-64 of all the bytes before it, 8 bytes.
    ///
    /// - Parameter emit: Called with each piece; the bytes are valid only during the call.
    /// - Throws: What `emit` throws.
    /// - Complexity: O(n + string bytes).
    public func serialize<Failure: Error>(_ emit: (UnsafeRawBufferPointer) throws(Failure) -> Void) throws(Failure) {
        var failure: Failure? = nil
        withoutActuallyEscaping(emit) { escapable in
            var sink = ByteSink { piece in
                do throws(Failure) {
                    try escapable(piece)
                    return true
                } catch {
                    failure = error
                    return false
                }
            }
            write(to: &sink)
        }
        if let failure { throw failure }
    }

    /// The serialized bytes in one array (for tests and small stores).
    ///
    /// - Complexity: O(n + string bytes).
    public func serializedBytes() -> [UInt8] {
        var bytes: [UInt8] = []
        serialize { (piece) throws(Never) in bytes.append(contentsOf: piece) }
        return bytes
    }

    func write(to sink: inout ByteSink) {
        for byte in Self.magic { sink.byte(byte) }
        sink.byte(Self.formatVersion)
        sink.varint(view.count)
        for id in stride(from: 1, through: view.count, by: 1) where sink.healthy {
            // Chunks never move, so the bytes stay valid past the closure.
            let bytes = strings.withBytes(UInt32(id)) { $0 }
            sink.varint(bytes.count)
            sink.bytes(bytes)
        }
        let ruleSlots = self.ruleSlots
        sink.varint(ruleSlots.count)
        for slot in ruleSlots where sink.healthy {
            let results = rules[slot]!
            sink.makeRoom()
            sink.varint(UInt64(slot))
            sink.varint(UInt64(results.group))
            sink.signed(results.lastChanged)
            for compliance in ResultCompliance.allCases {
                write(results.tree(compliance), to: &sink)
            }
        }
        let groupSlots = self.groupSlots
        sink.varint(groupSlots.count)
        for slot in groupSlots {
            let state = groups[slot]!
            sink.makeRoom()
            sink.varint(UInt64(slot))
            sink.signed(state.scoreChanged)
            sink.varint(state.rulesIn.0)
            sink.varint(state.rulesIn.1)
            sink.varint(state.rulesIn.2)
            sink.varint(state.compliantPairs)
            sink.varint(state.nonCompliantPairs)
        }
        sink.finish()
    }

    /// Writes one tree: its count, then its entries in column blocks.
    func write(_ tree: ResultTree, to sink: inout ByteSink) {
        sink.varint(tree.count)
        var cursor = tree.cursor()
        var block = ContiguousArray<(UInt64, ResultValue)>()
        block.reserveCapacity(Self.blockSize)
        var previous = (key: UInt64(0), ordering: Int64(0), recorded: Int64(0))
        var first = true
        while sink.healthy {
            block.removeAll(keepingCapacity: true)
            while block.count < Self.blockSize, let entry = cursor.next() { block.append(entry) }
            guard !block.isEmpty else { return }
            sink.makeRoom()
            for (key, _) in block {
                sink.varint(first ? key : key &- previous.key &- 1)
                first = false
                previous.key = key
            }
            for (_, value) in block {
                sink.signed(value.orderingTimestamp &- previous.ordering)
                previous.ordering = value.orderingTimestamp
            }
            for (_, value) in block {
                sink.signed(value.recordedTime &- previous.recorded)
                previous.recorded = value.recordedTime
            }
            for (_, value) in block { sink.varint(UInt64(value.annotation)) }
        }
    }
}
