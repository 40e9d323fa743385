/// One account partition's read models.
struct PartitionState: Sendable, Hashable {
    var packs = SortedMap<PackRecord>()
    var rules = SortedMap<RuleRecord>()

    /// User rules plus what every pack holds or has reserved (spec §3: 1000 per partition).
    func reservedRuleCount(excludingPack excluded: String? = nil) -> Int {
        userRuleCount + reservedPackRuleCount(excludingPack: excluded)
    }

    /// Rules that packs hold or have reserved (spec §3: 150 across packs).
    func reservedPackRuleCount(excludingPack excluded: String? = nil) -> Int {
        var total = 0
        for pack in packs.orderedValues where pack.name != excluded {
            total += pack.reservedRuleCount
        }
        return total
    }

    var userRuleCount: Int {
        var deployed = 0
        for pack in packs.orderedValues { deployed += pack.ruleNames.count }
        return rules.count - deployed
    }
}

/// A registered SSM document: its versions in order (version n is `versions[n-1]`).
struct SSMDocument: Sendable, Hashable {
    var versions: [String]
}

/// Everything the engine knows: the read models, rebuilt from events only.
///
/// A value type, so a snapshot or digest takes an O(1) copy under the lock and encodes it outside.
struct EngineState: Sendable, Hashable {
    var partitions: [PartitionKey: PartitionState] = [:]
    /// The template registry (DESIGN.md admin targets): S3 URI → body.
    var s3Templates: [String: String] = [:]
    /// SSM document name → versions.
    var ssmDocuments: [String: SSMDocument] = [:]
    /// Packs waiting for their completion event, with the epoch ms it is due.
    var pending: [PackRef: Int64] = [:]
    /// The last sequence applied.
    var lastSequence: UInt64 = 0

    struct PackRef: Sendable, Hashable {
        var partition: PartitionKey
        var name: String
    }

    subscript(partition key: PartitionKey) -> PartitionState {
        partitions[key] ?? PartitionState()
    }

    /// The completion events of every pending pack whose due time is at or before `now`, in a
    /// canonical order (so the same state and time always decide the same events).
    func dueCompletions(now: Int64) -> [DomainEvent] {
        // Runs on every request under the engine lock: allocate only when something is due.
        guard pending.values.contains(where: { $0 <= now }) else { return [] }
        let due = pending.filter { $0.value <= now }.sorted {
            ($0.value, $0.key.partition, $0.key.name) < ($1.value, $1.key.partition, $1.key.name)
        }
        return due.compactMap { ref, dueTime in
            guard let pack = partitions[ref.partition]?.packs[ref.name] else { return nil }
            let transition = PackTransition(partition: ref.partition, name: ref.name, time: dueTime)
            return pack.state == .deleteInProgress ? .packDeleted(transition) : .packCompleted(transition)
        }
    }
}
