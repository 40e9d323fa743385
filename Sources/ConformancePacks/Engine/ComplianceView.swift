import ComplianceStore

/// The compliance store's values in the model's terms (spec §6.2, §6.3).
enum ComplianceView {
    /// A rule's compliance, from the store's counters, with its summary when it has results.
    static func rule(_ store: ComplianceStore, _ key: PartitionKey, _ rule: String)
        -> (pack: ConformancePackComplianceType, summary: RuleSummary?)
    {
        guard let slot = store.findRuleSlot(forKey: ComplianceKeys.rule(key, rule)), let summary = store.ruleSummary(slot) else {
            return (.insufficientData, nil)
        }
        return (compliance(summary.compliance), summary)
    }

    /// A rule's compliance as the model names it.
    static func compliance(_ compliance: RuleCompliance) -> ConformancePackComplianceType {
        switch compliance {
        case .compliant: .compliant
        case .nonCompliant: .nonCompliant
        case .insufficientData: .insufficientData
        }
    }

    /// A pack's compliance: NON_COMPLIANT with any such rule, else COMPLIANT with any such rule,
    /// else INSUFFICIENT_DATA.
    static func pack(_ store: ComplianceStore, _ key: PartitionKey, _ name: String) -> ConformancePackComplianceType {
        guard let group = store.findGroupSlot(forKey: ComplianceKeys.pack(key, name)), let summary = store.groupSummary(group) else {
            return .insufficientData
        }
        if summary.nonCompliantRules > 0 { return .nonCompliant }
        if summary.compliantRules > 0 { return .compliant }
        return .insufficientData
    }

    /// A result's compliance as `ComplianceType`.
    static func type(_ compliance: ResultCompliance) -> ComplianceType {
        switch compliance {
        case .compliant: .compliant
        case .nonCompliant: .nonCompliant
        case .notApplicable: .notApplicable
        }
    }

    /// A rule's compliance as `ComplianceType`.
    static func type(_ compliance: ConformancePackComplianceType) -> ComplianceType {
        ComplianceType(rawValue: compliance.rawValue)
    }

    /// A compliant or non-compliant result's compliance as `ConformancePackComplianceType` (the
    /// pack operations never list not-applicable results).
    static func packType(_ compliance: ResultCompliance) -> ConformancePackComplianceType {
        compliance == .compliant ? .compliant : .nonCompliant
    }
}
