import ComplianceStore
import HashTreeCollections

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
/// A value whose storage is persistent (hash tries, copy-on-write arrays per partition), so that
/// a copy is O(1) and a write after a copy copies only what it changes, never the whole state:
/// the engine freezes a copy after every command and publishes it once its events are durable.
struct EngineState: Sendable {
    var partitions = TreeDictionary<PartitionKey, PartitionState>()
    /// The template registry (DESIGN.md admin targets): S3 URI → body.
    var s3Templates = TreeDictionary<ByteString, String>()
    /// SSM document name → versions.
    var ssmDocuments = TreeDictionary<ByteString, SSMDocument>()
    /// Deployments waiting for their completion event, soonest first (see `DueCompletions`).
    var due = DueCompletions()
    /// Evaluation results, and the per-rule and per-pack counters kept on every change.
    var compliance = ComplianceStore()
    /// The organization, its packs and their member rows, and the deployment faults.
    var organizations = OrganizationState()
    /// The last sequence applied.
    var lastSequence: UInt64 = 0

    subscript(partition key: PartitionKey) -> PartitionState {
        partitions[key] ?? PartitionState()
    }
}
