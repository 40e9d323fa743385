import ComplianceStore

/// What changed between two rebuilt states (`conform log diff`): computed by comparing the read
/// models, not by re-reading events, so it shows the net change.
package struct StateDiff: Sendable {
    package typealias Named = EventTouches.Named

    package enum Kind: String, Sendable, Hashable {
        case added, removed, updated
    }

    /// An account pack that appeared, disappeared or changed.
    package struct PackChange: Sendable, Hashable {
        package var pack: Named
        package var kind: Kind
        /// `ConformancePackState` before and after (nil where the pack was absent).
        package var stateBefore: String?
        package var stateAfter: String?
        package var rulesAdded: [String] = []
        package var rulesRemoved: [String] = []
    }

    /// A rule that appeared or disappeared (user rules and the rules packs deploy).
    package struct RuleChange: Sendable, Hashable {
        package var rule: Named
        package var kind: Kind
        package var ownerPack: String?
    }

    /// The organization before and after.
    package struct OrganizationChange: Sendable, Hashable {
        package var managementBefore: String
        package var managementAfter: String
        package var membersAdded: [String]
        package var membersRemoved: [String]
        package var administratorsAdded: [String]
        package var administratorsRemoved: [String]
    }

    /// An organization pack that appeared, disappeared or changed status.
    package struct OrganizationPackChange: Sendable, Hashable {
        package var pack: Named
        package var kind: Kind
        package var statusBefore: String?
        package var statusAfter: String?
    }

    /// Result counts of a rule.
    package struct Counts: Sendable, Hashable {
        package var compliance = "INSUFFICIENT_DATA"
        package var compliant = 0
        package var nonCompliant = 0
        package var notApplicable = 0
    }

    /// One resource whose result changed; nil compliance where it had no result.
    package struct Flip: Sendable, Hashable {
        package var resourceType: String
        package var resourceId: String
        package var before: String?
        package var after: String?
    }

    /// A rule whose results changed.
    package struct ComplianceChange: Sendable, Hashable {
        package var rule: Named
        package var before: Counts
        package var after: Counts
        /// The first resources that flipped (at most the diff's limit), in key order.
        package var flipped: [Flip]
        /// How many more flipped.
        package var moreFlipped: Int
    }

    package var fromSequence: UInt64
    package var toSequence: UInt64
    package var packs: [PackChange] = []
    package var rules: [RuleChange] = []
    package var organization: OrganizationChange?
    package var organizationPacks: [OrganizationPackChange] = []
    package var compliance: [ComplianceChange] = []

    package var isEmpty: Bool {
        packs.isEmpty && rules.isEmpty && organization == nil && organizationPacks.isEmpty && compliance.isEmpty
    }

    /// The difference from `a` to `b`, listing at most `flipLimit` flipped resources per rule.
    static func between(_ a: EngineState, _ b: EngineState, flipLimit: Int = 10) -> StateDiff {
        var diff = StateDiff(fromSequence: a.lastSequence, toSequence: b.lastSequence)
        let keys = Set(a.partitions.keys).union(b.partitions.keys).sorted()
        for key in keys {
            let before = a[partition: key]
            let after = b[partition: key]
            diff.comparePacks(key, before, after)
            diff.compareRules(key, before, after)
            diff.compareCompliance(key, a, b, flipLimit: flipLimit)
        }
        diff.compareOrganizations(a.organizations, b.organizations)
        return diff
    }

    private mutating func comparePacks(_ key: PartitionKey, _ a: PartitionState, _ b: PartitionState) {
        let names = Set(a.packs.keys.map(ByteString.init)).union(b.packs.keys.map(ByteString.init)).sorted().map(\.string)
        for name in names {
            let old = a.packs[name]
            let new = b.packs[name]
            guard old != new else { continue }
            let kind: Kind = old == nil ? .added : new == nil ? .removed : .updated
            let oldRules = Set(old?.ruleNames ?? [])
            let newRules = Set(new?.ruleNames ?? [])
            packs.append(PackChange(
                pack: Named(account: key.accountId, region: key.region, name: name), kind: kind,
                stateBefore: old?.state.modelState.rawValue, stateAfter: new?.state.modelState.rawValue,
                rulesAdded: newRules.subtracting(oldRules).sorted(), rulesRemoved: oldRules.subtracting(newRules).sorted()))
        }
    }

    private mutating func compareRules(_ key: PartitionKey, _ a: PartitionState, _ b: PartitionState) {
        let names = Set(a.rules.keys.map(ByteString.init)).union(b.rules.keys.map(ByteString.init)).sorted().map(\.string)
        for name in names {
            let old = a.rules[name]
            let new = b.rules[name]
            guard (old == nil) != (new == nil) else { continue }
            rules.append(RuleChange(
                rule: Named(account: key.accountId, region: key.region, name: name), kind: old == nil ? .added : .removed,
                ownerPack: (new ?? old)?.ownerPack))
        }
    }

    private mutating func compareCompliance(_ key: PartitionKey, _ a: EngineState, _ b: EngineState, flipLimit: Int) {
        let names = Set(a[partition: key].rules.keys.map(ByteString.init)).union(b[partition: key].rules.keys.map(ByteString.init))
            .sorted().map(\.string)
        for name in names {
            let ruleKey = ComplianceKeys.rule(key, name)
            let slotA = a.compliance.findRuleSlot(forKey: ruleKey)
            let slotB = b.compliance.findRuleSlot(forKey: ruleKey)
            let summaryA = slotA.flatMap { a.compliance.ruleSummary($0) }
            let summaryB = slotB.flatMap { b.compliance.ruleSummary($0) }
            let countsA = Self.counts(summaryA)
            let countsB = Self.counts(summaryB)
            // Unchanged counts and no result recorded since: nothing flipped.
            if countsA == countsB && summaryA?.lastChanged == summaryB?.lastChanged { continue }
            let rowsA = Self.rows(a.compliance, slotA)
            var resultsA: [String: ResultCompliance] = [:]
            for row in rowsA { resultsA[row.resourceType + "\u{0}" + row.resourceId] = row.compliance }
            var flips: [Flip] = []
            var seen = Set<String>()
            for row in Self.rows(b.compliance, slotB) {
                let id = row.resourceType + "\u{0}" + row.resourceId
                seen.insert(id)
                let old = resultsA[id]
                if old != row.compliance {
                    flips.append(Flip(resourceType: row.resourceType, resourceId: row.resourceId,
                                      before: old.map(Self.name), after: Self.name(row.compliance)))
                }
            }
            for row in rowsA where !seen.contains(row.resourceType + "\u{0}" + row.resourceId) {
                flips.append(Flip(resourceType: row.resourceType, resourceId: row.resourceId, before: Self.name(row.compliance), after: nil))
            }
            guard countsA != countsB || !flips.isEmpty else { continue }
            compliance.append(ComplianceChange(
                rule: Named(account: key.accountId, region: key.region, name: name), before: countsA, after: countsB,
                flipped: Array(flips.prefix(flipLimit)), moreFlipped: max(0, flips.count - flipLimit)))
        }
    }

    private mutating func compareOrganizations(_ a: OrganizationState, _ b: OrganizationState) {
        let old = a.organization
        let new = b.organization
        if old != new {
            func added(_ x: [String], _ y: [String]) -> [String] { Set(y).subtracting(x).sorted() }
            organization = OrganizationChange(
                managementBefore: old.managementAccountId, managementAfter: new.managementAccountId,
                membersAdded: added(old.memberAccountIds, new.memberAccountIds),
                membersRemoved: added(new.memberAccountIds, old.memberAccountIds),
                administratorsAdded: added(old.delegatedAdministratorAccountIds, new.delegatedAdministratorAccountIds),
                administratorsRemoved: added(new.delegatedAdministratorAccountIds, old.delegatedAdministratorAccountIds))
        }
        let creators = Set(a.packs.keys).union(b.packs.keys).sorted()
        for creator in creators {
            let packsA = a.packs[creator] ?? SortedMap()
            let packsB = b.packs[creator] ?? SortedMap()
            let names = Set(packsA.keys.map(ByteString.init)).union(packsB.keys.map(ByteString.init)).sorted().map(\.string)
            for name in names {
                let before = packsA[name].map { $0.status.organization.rawValue }
                let after = packsB[name].map { $0.status.organization.rawValue }
                guard packsA[name] != packsB[name] else { continue }
                organizationPacks.append(OrganizationPackChange(
                    pack: Named(account: creator.accountId, region: creator.region, name: name),
                    kind: before == nil ? .added : after == nil ? .removed : .updated, statusBefore: before, statusAfter: after))
            }
        }
    }

    private static func counts(_ summary: RuleSummary?) -> Counts {
        guard let summary else { return Counts() }
        return Counts(
            compliance: ComplianceView.compliance(summary.compliance).rawValue, compliant: summary.compliantCount,
            nonCompliant: summary.nonCompliantCount, notApplicable: summary.notApplicableCount)
    }

    private static func name(_ compliance: ResultCompliance) -> String {
        ComplianceView.type(compliance).rawValue
    }

    /// Every result of a rule, page by page.
    private static func rows(_ store: ComplianceStore, _ slot: UInt32?) -> [ResultRow] {
        guard let slot else { return [] }
        var rows: [ResultRow] = []
        var after: UInt64?
        repeat {
            let page = store.page(rule: slot, filter: ResultFilter(), after: after, limit: 4096)
            rows += page.rows
            after = page.nextAfter
        } while after != nil
        return rows
    }

}

/// The state a ``LogStepper`` stood at, kept to compare with later (O(1): the state is persistent).
package struct StateMark: Sendable {
    let state: EngineState
    /// The last sequence applied at the mark.
    package var sequence: UInt64 { state.lastSequence }
}

extension LogStepper {
    /// The current state, to compare with later.
    package func mark() -> StateMark { StateMark(state: state) }

    /// What changed from `mark` to the current state.
    package func diff(since mark: StateMark, flipLimit: Int = 10) -> StateDiff {
        StateDiff.between(mark.state, state, flipLimit: flipLimit)
    }
}
