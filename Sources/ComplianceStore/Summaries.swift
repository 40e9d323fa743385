/// A rule's results in numbers, as one version sees them.
public struct RuleSummary: Sendable, Hashable {
    /// The rule's slot.
    public var rule: UInt32
    /// The group the rule belongs to, if any.
    public var group: UInt32?
    /// Results that are compliant.
    public var compliantCount: Int
    /// Results that are non-compliant.
    public var nonCompliantCount: Int
    /// Results that are not applicable.
    public var notApplicableCount: Int
    /// The rule's compliance (see `RuleCompliance`).
    public var compliance: RuleCompliance
    /// `min(nonCompliantCount, 100)`: AWS reports a capped count of non-compliant resources.
    public var cappedCount: Int
    /// Whether `nonCompliantCount` exceeds the cap of 100.
    public var capExceeded: Bool
    /// The recorded time (epoch ms) of the last change of any of the rule's results, or 0.
    public var lastChanged: Int64

    /// All results of the rule.
    public var totalCount: Int { compliantCount + nonCompliantCount + notApplicableCount }
}

/// A group's (conformance pack's) counters, kept up to date on every change.
public struct GroupSummary: Sendable, Hashable {
    /// The group's slot.
    public var group: UInt32
    /// Member rules that are compliant.
    public var compliantRules: Int
    /// Member rules that are non-compliant.
    public var nonCompliantRules: Int
    /// Member rules with insufficient data.
    public var insufficientDataRules: Int
    /// Compliant results summed over the member rules.
    public var compliantPairs: Int
    /// Non-compliant results summed over the member rules.
    public var nonCompliantPairs: Int
    /// The recorded time (epoch ms) of the last change of the score, or 0.
    public var scoreChanged: Int64

    /// Member rules.
    public var ruleCount: Int { compliantRules + nonCompliantRules + insufficientDataRules }

    /// `100 × C / (C + N)` over the compliant and non-compliant pairs, or nil when there are none.
    public var score: Double? {
        let total = compliantPairs + nonCompliantPairs
        return total == 0 ? nil : 100 * Double(compliantPairs) / Double(total)
    }
}
