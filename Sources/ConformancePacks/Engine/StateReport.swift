import ComplianceStore

/// What the state held after a point of the log, per partition (`conform replay`): packs and
/// their statuses, organization packs and their members, rules, and each pack's compliance.
///
/// Built from rebuilt read models; the CLI formats it (text, or JSON through `Encodable`, whose
/// keys are the property names).
package struct StateReport: Sendable, Hashable, Encodable {
    /// The last event applied.
    package var lastSequence: UInt64
    /// ``ConformanceEngine/stateDigest()`` of that state.
    package var digest: String
    /// Every partition holding a pack, a rule or an organization pack, by account then region.
    package var partitions: [Partition]

    /// One account and region.
    package struct Partition: Sendable, Hashable, Encodable {
        package var accountId: String
        package var region: String
        package var packs: [Pack]
        package var organizationPacks: [OrganizationPack]
        package var rules: [Rule]
    }

    /// A conformance pack.
    package struct Pack: Sendable, Hashable, Encodable {
        package var name: String
        /// `ConformancePackState`.
        package var status: String
        package var statusReason: String?
        /// The organization pack that deployed it, when it is a member pack.
        package var organizationPack: String?
        package var compliance: PackCompliance
    }

    /// A pack's compliance summary (`GetConformancePackComplianceSummary`, `ListConformancePackComplianceScores`).
    package struct PackCompliance: Sendable, Hashable, Encodable {
        /// `ConformancePackComplianceType`.
        package var compliance: String
        package var compliantRules: Int
        package var nonCompliantRules: Int
        package var insufficientDataRules: Int
        /// `100 × C / (C + N)` over the pack's (rule, resource) results; nil for `INSUFFICIENT_DATA`.
        package var score: Double?
    }

    /// An organization conformance pack, in the partition that created it.
    package struct OrganizationPack: Sendable, Hashable, Encodable {
        package var name: String
        /// `OrganizationResourceStatus`.
        package var status: String
        package var members: [Member]
    }

    /// One member account's deployment of an organization pack.
    package struct Member: Sendable, Hashable, Encodable {
        package var accountId: String
        /// `OrganizationResourceDetailedStatus`.
        package var status: String
        package var errorCode: String?
    }

    /// A Config rule.
    package struct Rule: Sendable, Hashable, Encodable {
        package var name: String
        /// `ConfigRuleState`.
        package var state: String
        /// The pack that deployed it; nil for a rule of its own.
        package var pack: String?
        /// `ConformancePackComplianceType` of the rule.
        package var compliance: String
        package var compliantResources: Int
        package var nonCompliantResources: Int
    }

    /// The report of `state`.
    init(_ state: EngineState) {
        lastSequence = state.lastSequence
        digest = SnapshotCodec.digest(state)
        let keys = Set(state.partitions.keys).union(state.organizations.packs.keys).sorted()
        partitions = keys.compactMap { key in
            let partition = state[partition: key]
            let packs = partition.packs.orderedValues.map { pack in
                Pack(
                    name: pack.name, status: pack.state.modelState.rawValue, statusReason: pack.statusReason,
                    organizationPack: state.organizations.owner(of: pack.name, in: key)?.name,
                    compliance: Self.compliance(state.compliance, key, pack.name, rules: pack.ruleNames.count))
            }
            let organizationPacks = (state.organizations.packs[key]?.orderedValues ?? []).filter { !$0.isDeleted }.map { pack in
                OrganizationPack(
                    name: pack.name, status: pack.status.organization.rawValue,
                    members: pack.rows.orderedValues.map { row in
                        Member(accountId: row.accountId, status: row.status.detailed.rawValue, errorCode: row.errorCode)
                    })
            }
            let rules = partition.rules.orderedValues.map { rule in
                let (compliance, summary) = ComplianceView.rule(state.compliance, key, rule.name)
                return Rule(
                    name: rule.name, state: rule.state.rawValue, pack: rule.ownerPack, compliance: compliance.rawValue,
                    compliantResources: summary?.compliantCount ?? 0, nonCompliantResources: summary?.nonCompliantCount ?? 0)
            }
            if packs.isEmpty, organizationPacks.isEmpty, rules.isEmpty { return nil }
            return Partition(
                accountId: key.accountId, region: key.region, packs: packs, organizationPacks: organizationPacks, rules: rules)
        }
    }

    /// A pack's summary; a pack without results has all its `rules` at `INSUFFICIENT_DATA`.
    static func compliance(_ store: ComplianceStore, _ key: PartitionKey, _ pack: String, rules: Int) -> PackCompliance {
        let overall = ComplianceView.pack(store, key, pack).rawValue
        guard let group = store.findGroupSlot(forKey: ComplianceKeys.pack(key, pack)), let summary = store.groupSummary(group) else {
            return PackCompliance(compliance: overall, compliantRules: 0, nonCompliantRules: 0, insufficientDataRules: rules, score: nil)
        }
        return PackCompliance(
            compliance: overall, compliantRules: summary.compliantRules, nonCompliantRules: summary.nonCompliantRules,
            insufficientDataRules: summary.insufficientDataRules, score: summary.score)
    }
}
