internal import HashTreeCollections

extension ComplianceStore {
    /// The most results one tree may claim (a bound on counts read from a stream).
    static let maxTreeCount = 1 << 40

    /// Reads a store written by `serialize`, from pieces split at any byte boundary.
    ///
    /// Trees are built bottom-up with full leaves. Group counters are recomputed from the rules
    /// and checked against the stream; nothing is allocated from an unchecked count (every
    /// allocation grows with the bytes actually read).
    ///
    /// - Parameter next: Returns the next piece, or nil at the end of the stream.
    /// - Returns: A new store with its own string table.
    /// - Throws: `ComplianceStoreError` with code `truncated` (the stream ends early), `notAStore`,
    ///   `unsupportedVersion`, `limitExceeded` (a count or length beyond the store's limits),
    ///   `malformed` (ids out of range, keys not increasing or in two trees, counters or checksum
    ///   that do not match, bytes after the end), or `source` (`next` threw).
    /// - Complexity: O(n + string bytes).
    public static func deserialize(_ next: () throws -> [UInt8]?) throws(ComplianceStoreError) -> ComplianceStore {
        try withoutActuallyEscaping(next) { (escapable) throws(ComplianceStoreError) in
            var source = ByteSource(next: escapable)
            return try read(from: &source)
        }
    }

    /// Reads a store from one array of bytes.
    ///
    /// - Throws: As `deserialize(_:)`.
    public static func deserialize(bytes: [UInt8]) throws(ComplianceStoreError) -> ComplianceStore {
        var pending: [UInt8]? = bytes
        return try deserialize { pending.take() }
    }

    static func read(from source: inout ByteSource) throws(ComplianceStoreError) -> ComplianceStore {
        for byte in magic {
            guard try source.byte() == byte else {
                throw source.error(.notAStore, "The bytes are not a serialized compliance store (no CFST magic).")
            }
        }
        let version = try source.byte()
        guard version == formatVersion else {
            throw source.error(.unsupportedVersion, "The serialized store has format version \(version); this build reads version \(formatVersion) only.")
        }
        var store = ComplianceStore()
        let stringCount = try source.count(atMost: Int(UInt32.max) - 1, "The string count")
        var scratch: [UInt8] = []
        for expected in stride(from: 1, through: stringCount, by: 1) {
            let length = try source.count(atMost: StringTable.maxStringBytes, "A string's length")
            guard store.strings.canStore(byteCount: length) else {
                throw source.error(.limitExceeded, "String \(expected) does not fit in the string table's 64 GiB.")
            }
            try source.bytes(length, into: &scratch)
            let id = scratch.withUnsafeBytes { store.strings.intern(bytes: $0) }
            guard Int(id) == expected else {
                throw source.error(.malformed, "String \(expected) repeats string \(id).")
            }
        }
        store.syncStrings()
        let ruleCount = try source.count(atMost: stringCount, "The rule count")
        var previousSlot = 0
        for _ in 0..<ruleCount {
            let slot = try source.count(atMost: stringCount, "A rule slot")
            guard slot > previousSlot else { throw source.error(.malformed, "Rule slot \(slot) does not follow \(previousSlot).") }
            previousSlot = slot
            let group = try source.count(atMost: stringCount, "A rule's group slot")
            var results = RuleResults(lastChanged: try source.signed(), group: UInt32(group))
            results.compliant = try readTree(from: &source, stringCount: stringCount)
            results.nonCompliant = try readTree(from: &source, stringCount: stringCount)
            results.notApplicable = try readTree(from: &source, stringCount: stringCount)
            try store.index(results, rule: slot, source)
            store.rules[UInt32(slot)] = results
        }
        try readGroups(into: &store, from: &source, stringCount: stringCount)
        try source.finish()
        return store
    }

    /// Reads one tree's count and column blocks into a bulk-built tree.
    static func readTree(from source: inout ByteSource, stringCount: Int) throws(ComplianceStoreError) -> ResultTree {
        let count = try source.count(atMost: maxTreeCount, "A tree's result count")
        // Rules without results are common (every rule a pack deploys starts so): no buffers.
        if count == 0 { return ResultTree() }
        var builder = ResultTree.Builder()
        let buffer = min(blockSize, count)
        var keys = ContiguousArray<UInt64>(repeating: 0, count: buffer)
        var values = ContiguousArray<ResultValue>(repeating: ResultValue(orderingTimestamp: 0, recordedTime: 0), count: buffer)
        var previous = (key: UInt64(0), ordering: Int64(0), recorded: Int64(0))
        let maxId = UInt64(stringCount)
        var remaining = count
        while remaining > 0 {
            let size = min(blockSize, remaining)
            for index in 0..<size {
                let raw = try source.varint()
                let key: UInt64
                if builder.count == 0 && index == 0 {
                    key = raw
                } else {
                    let (gap, overflowA) = raw.addingReportingOverflow(1)
                    let (sum, overflowB) = previous.key.addingReportingOverflow(gap)
                    guard !overflowA && !overflowB else { throw source.error(.malformed, "A result key overflows.") }
                    key = sum
                }
                let type = key >> 32
                let id = key & 0xFFFF_FFFF
                guard type >= 1 && type <= maxId && id >= 1 && id <= maxId else {
                    throw source.error(.malformed, "Result key \(key) names a string that does not exist.")
                }
                keys[index] = key
                previous.key = key
            }
            for index in 0..<size {
                previous.ordering = previous.ordering &+ (try source.signed())
                values[index].orderingTimestamp = previous.ordering
            }
            for index in 0..<size {
                previous.recorded = previous.recorded &+ (try source.signed())
                values[index].recordedTime = previous.recorded
            }
            for index in 0..<size {
                let annotation = try source.varint()
                guard annotation <= maxId else {
                    throw source.error(.malformed, "Annotation \(annotation) names a string that does not exist.")
                }
                values[index].annotation = UInt32(annotation)
            }
            for index in 0..<size { builder.append(keys[index], values[index]) }
            remaining -= size
        }
        return builder.finish()
    }

    /// Checks that no key is in two of a rule's trees, and notes each result's resource type.
    mutating func index(_ results: RuleResults, rule: Int, _ source: borrowing ByteSource) throws(ComplianceStoreError) {
        // Rules without results (every rule a pack deploys starts so) need no cursors.
        if results.count == 0 { return }
        var cursors = ResultCompliance.allCases.map { results.tree($0).cursor() }
        var previous: UInt64? = nil
        while true {
            var best = -1
            var bestKey = UInt64.max
            for index in cursors.indices {
                if let key = cursors[index].peekKey, best < 0 || key < bestKey {
                    best = index
                    bestKey = key
                }
            }
            guard best >= 0 else { return }
            guard bestKey != previous else {
                throw source.error(.malformed, "Rule \(rule) has result key \(bestKey) under two compliances.")
            }
            previous = bestKey
            _ = cursors[best].next()
            noteResourceType(UInt32(truncatingIfNeeded: bestKey >> 32), of: UInt32(truncatingIfNeeded: bestKey))
        }
    }

    /// Reads the groups, recomputes their counters from the rules and checks them.
    ///
    /// The counters are computed in a plain array (one hash per rule, mutated in place) and each
    /// group enters the persistent map once, complete with its members.
    static func readGroups(
        into store: inout ComplianceStore, from source: inout ByteSource, stringCount: Int
    ) throws(ComplianceStoreError) {
        let groupCount = try source.count(atMost: stringCount, "The group count")
        var slots: [UInt32] = []
        var stored: [GroupCounters] = []
        var index: [UInt32: Int] = [:]
        var previousSlot = 0
        for _ in 0..<groupCount {
            let slot = try source.count(atMost: stringCount, "A group slot")
            guard slot > previousSlot else { throw source.error(.malformed, "Group slot \(slot) does not follow \(previousSlot).") }
            previousSlot = slot
            var state = GroupCounters()
            state.scoreChanged = try source.signed()
            state.rulesIn = (
                try source.count(atMost: Int.max, "A rule count"), try source.count(atMost: Int.max, "A rule count"),
                try source.count(atMost: Int.max, "A rule count"))
            state.compliantPairs = try source.count(atMost: Int.max, "A pair count")
            state.nonCompliantPairs = try source.count(atMost: Int.max, "A pair count")
            index[UInt32(slot)] = slots.count
            slots.append(UInt32(slot))
            stored.append(state)
        }
        var computed = stored.map { state in
            var fresh = GroupCounters()
            fresh.scoreChanged = state.scoreChanged
            return fresh
        }
        // (group index << 32 | rule) for each grouped rule: sorted, each group's members in a run.
        var memberships: [UInt64] = []
        for (rule, results) in store.rules where results.group != 0 {
            guard let position = index[results.group] else {
                throw source.error(.malformed, "Rule \(rule) belongs to group \(results.group), which the store does not have.")
            }
            computed[position].addRule(results.compliance, 1)
            computed[position].compliantPairs += results.compliant.count
            computed[position].nonCompliantPairs += results.nonCompliant.count
            memberships.append(UInt64(position) << 32 | UInt64(rule))
        }
        memberships.sort()
        var next = 0
        for position in slots.indices {
            let state = stored[position]
            var counters = computed[position]
            guard counters.rulesIn == state.rulesIn, counters.compliantPairs == state.compliantPairs,
                counters.nonCompliantPairs == state.nonCompliantPairs
            else {
                throw source.error(.malformed, "Group \(slots[position])'s counters do not match its rules' results.")
            }
            let first = next
            while next < memberships.count && memberships[next] >> 32 == UInt64(position) { next += 1 }
            counters.members = TreeSet(memberships[first..<next].lazy.map { UInt32(truncatingIfNeeded: $0) })
            store.groups[slots[position]] = counters
        }
    }
}
