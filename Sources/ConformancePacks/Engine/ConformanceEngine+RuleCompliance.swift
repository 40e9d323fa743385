import ComplianceStore
import Foundation

extension ConformanceEngine {
    static let complianceByRulePage = 25
    static let ruleDetailsPage = 10

    /// The compliance of each rule, user rules and pack rules alike (spec §8.17, §6.2).
    ///
    /// - Throws: `ValidationException`, `NoSuchConfigRuleException`, `InvalidParameterValueException`
    ///   (a filter on `NOT_APPLICABLE`), `InvalidNextTokenException`, `InternalFailure`.
    nonisolated(nonsending) public func describeComplianceByConfigRule(
        _ request: DescribeComplianceByConfigRuleRequest, context: RequestContext
    ) async throws(ConformanceError) -> DescribeComplianceByConfigRuleResponse {
        try request.validate()
        let key = PartitionKey(accountId: context.accountId, region: context.region)
        let types = request.complianceTypes ?? []
        if types.contains(.notApplicable) {
            throw ConformanceError(.invalidParameterValue, "NOT_APPLICABLE is never the compliance of a rule; filter on COMPLIANT, NON_COMPLIANT or INSUFFICIENT_DATA.")
        }
        let wanted = Set(types.map(\.rawValue))
        /// The row of a rule, nil when the filter leaves it out.
        func row(_ store: ComplianceStore, _ rule: String) -> ComplianceByConfigRule? {
            let (compliance, summary) = ComplianceView.rule(store, key, rule)
            let type = ComplianceView.type(compliance)
            if !wanted.isEmpty, !wanted.contains(type.rawValue) { return nil }
            let count = type == .nonCompliant ? summary.map {
                ComplianceContributorCount(cappedCount: $0.cappedCount, capExceeded: $0.capExceeded)
            } : nil
            return ComplianceByConfigRule(configRuleName: rule, compliance: Compliance(complianceType: type, complianceContributorCount: count))
        }
        if let names = request.configRuleNames, !names.isEmpty {
            return try await read { state throws(ConformanceError) in
                let rules = state[partition: key].rules
                for name in names where rules[name] == nil { throw Self.noSuchRule(name) }
                return DescribeComplianceByConfigRuleResponse(complianceByConfigRules: Self.distinct(names).compactMap { row(state.compliance, $0) })
            }
        }
        let scope = PageToken.scope(key, filters: wanted.sorted())
        let after = try request.nextToken.map { token throws(ConformanceError) in
            try PageToken.decode(token, .describeComplianceByConfigRule, scope: scope)
        }
        return try await read { state in
            let store = state.compliance
            // The filter decides what counts towards the page, so a page is never short while
            // matching rules remain.
            let (rows, more) = state[partition: key].rules.page(
                after: after, limit: Self.complianceByRulePage, where: { row(store, $0.name) != nil }
            ) { rule in row(store, rule.name)! }
            let next = more ? rows.last?.configRuleName.map {
                PageToken.encode(.describeComplianceByConfigRule, scope: scope, lastKey: $0)
            } : nil
            return DescribeComplianceByConfigRuleResponse(complianceByConfigRules: rows, nextToken: next ?? nil)
        }
    }

    /// The current results of one rule (spec §8.18), `NOT_APPLICABLE` ones included, by resource
    /// type and resource id in the order the engine first saw them.
    ///
    /// - Throws: `ValidationException`, `InvalidParameterValueException` (a filter on
    ///   `INSUFFICIENT_DATA`, a `Limit` out of range), `NoSuchConfigRuleException`,
    ///   `InvalidNextTokenException`, `InternalFailure`.
    /// - Complexity: O(log n + page).
    nonisolated(nonsending) public func getComplianceDetailsByConfigRule(
        _ request: GetComplianceDetailsByConfigRuleRequest, context: RequestContext
    ) async throws(ConformanceError) -> GetComplianceDetailsByConfigRuleResponse {
        do {
            try request.validate()
        } catch where error.code == .invalidLimit {
            // The model lists no InvalidLimitException for this operation (spec §8.18).
            throw ConformanceError(.invalidParameterValue, error.message)
        }
        let key = PartitionKey(accountId: context.accountId, region: context.region)
        let name = request.configRuleName
        var compliances = Set<ResultCompliance>()
        for type in request.complianceTypes ?? [] {
            switch type {
            case .compliant: compliances.insert(.compliant)
            case .nonCompliant: compliances.insert(.nonCompliant)
            case .notApplicable: compliances.insert(.notApplicable)
            default:
                throw ConformanceError(
                    .invalidParameterValue, "\(type.rawValue) cannot be used as a ComplianceType for filtering results.")
            }
        }
        let filter = ResultFilter(compliances: compliances)
        let scope = PageToken.scope(key, filters: [name] + compliances.map { String($0.rawValue) }.sorted())
        let after = try request.nextToken.map { token throws(ConformanceError) in
            try PageToken.decodePosition(token, .getComplianceDetailsByConfigRule, scope: scope).1
        }
        let limit = Self.pageSize(request.limit, default: Self.ruleDetailsPage)
        return try await read { state throws(ConformanceError) in
            guard state[partition: key].rules[name] != nil else { throw Self.noSuchRule(name) }
            guard let slot = state.compliance.findRuleSlot(forKey: ComplianceKeys.rule(key, name)) else {
                return GetComplianceDetailsByConfigRuleResponse(evaluationResults: [])
            }
            let page = state.compliance.page(rule: slot, filter: filter, after: after, limit: limit)
            let rows = page.rows.map { row in
                let recorded = Date(epochMilliseconds: row.recordedTime)
                return EvaluationResult(
                    evaluationResultIdentifier: Self.identifier(row, rule: name), complianceType: ComplianceView.type(row.compliance),
                    resultRecordedTime: recorded, configRuleInvokedTime: recorded, annotation: row.annotation)
            }
            let next = page.nextAfter.map {
                PageToken.encode(.getComplianceDetailsByConfigRule, scope: scope, lastKey: name, position: $0)
            }
            return GetComplianceDetailsByConfigRuleResponse(evaluationResults: rows, nextToken: next)
        }
    }
}
