extension ComplianceStore {
    /// The counts and compliance of `rule`, or nil when this version has no such rule.
    ///
    /// - Complexity: O(log r).
    public func ruleSummary(_ rule: UInt32) -> RuleSummary? {
        guard let results = rules[rule] else { return nil }
        let nonCompliant = results.nonCompliant.count
        return RuleSummary(
            rule: rule, group: results.group == 0 ? nil : results.group, compliantCount: results.compliant.count,
            nonCompliantCount: nonCompliant, notApplicableCount: results.notApplicable.count,
            compliance: results.compliance, cappedCount: min(nonCompliant, 100), capExceeded: nonCompliant > 100,
            lastChanged: results.lastChanged)
    }

    /// The counters of `group`, or nil when this version has no such group.
    ///
    /// - Complexity: O(log g).
    public func groupSummary(_ group: UInt32) -> GroupSummary? {
        guard let state = groups[group] else { return nil }
        return GroupSummary(
            group: group, compliantRules: state.rulesIn.0, nonCompliantRules: state.rulesIn.1,
            insufficientDataRules: state.rulesIn.2, compliantPairs: state.compliantPairs,
            nonCompliantPairs: state.nonCompliantPairs, scoreChanged: state.scoreChanged)
    }

    /// The rule slots of `group`, ascending (empty when there is no such group).
    ///
    /// - Complexity: O(m log m) for m members.
    public func rules(in group: UInt32) -> [UInt32] {
        groups[group].map { $0.members.sorted() } ?? []
    }

    /// The number of results of every rule.
    ///
    /// - Complexity: O(r).
    public var resultCount: Int { rules.values.reduce(0) { $0 + $1.count } }

    /// Where this version's memory goes.
    ///
    /// - Complexity: O(n / 64 + strings).
    public func memory() -> MemoryReport {
        var nodes = 0
        var slots = 0
        for results in rules.values {
            for compliance in ResultCompliance.allCases {
                let tree = results.tree(compliance)
                nodes += tree.nodeBytes
                slots += tree.leafCapacity
            }
        }
        return MemoryReport(
            results: resultCount, strings: view.count, stringBytes: view.stringBytes, stringTableBytes: view.byteCount,
            treeNodeBytes: nodes, leafSlots: slots)
    }
}
