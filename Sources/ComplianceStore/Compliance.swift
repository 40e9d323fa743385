/// The compliance of one evaluation result.
public enum ResultCompliance: UInt8, Sendable, Hashable, CaseIterable {
    /// The resource complies with the rule.
    case compliant = 0
    /// The resource does not comply with the rule.
    case nonCompliant = 1
    /// The rule does not apply to the resource.
    case notApplicable = 2
}

/// The compliance of a rule, derived from its results as AWS Config does: any non-compliant
/// result makes it non-compliant; else any compliant one makes it compliant; else (no results,
/// or only not-applicable ones) it has insufficient data.
public enum RuleCompliance: UInt8, Sendable, Hashable, CaseIterable {
    /// Some results are compliant and none non-compliant.
    case compliant = 0
    /// Some result is non-compliant.
    case nonCompliant = 1
    /// No results, or only not-applicable ones.
    case insufficientData = 2

    /// The rule compliance for these result counts.
    ///
    /// - Complexity: O(1).
    public init(compliant: Int, nonCompliant: Int) {
        if nonCompliant > 0 {
            self = .nonCompliant
        } else if compliant > 0 {
            self = .compliant
        } else {
            self = .insufficientData
        }
    }
}
