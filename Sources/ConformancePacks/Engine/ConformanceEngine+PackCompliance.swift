import ComplianceStore
import Foundation

extension ConformanceEngine {
    /// Default (and largest) page sizes of the pack compliance operations (spec §1.6).
    static let packCompliancePage = 1000
    static let packDetailsPage = 100
    static let packSummaryPage = 20

    /// The compliance of each rule of a conformance pack (spec §8.5), by rule name.
    ///
    /// - Throws: `ValidationException`, `InvalidLimitException`, `InvalidNextTokenException`,
    ///   `NoSuchConformancePackException`, `NoSuchConfigRuleInConformancePackException` (a filter
    ///   names a rule that is not the pack's), `InvalidParameterValueException` (a filter on
    ///   `INSUFFICIENT_DATA`), `InternalFailure`.
    /// - Complexity: O(r log r) for the pack's r rules (at most 130); counters, never a scan of results.
    nonisolated(nonsending) public func describeConformancePackCompliance(
        _ request: DescribeConformancePackComplianceRequest, context: RequestContext
    ) async throws(ConformanceError) -> DescribeConformancePackComplianceResponse {
        try request.validate()
        let key = PartitionKey(accountId: context.accountId, region: context.region)
        let name = request.conformancePackName
        let filter = request.filters
        if filter?.complianceType == .insufficientData { throw Self.insufficientDataFilter }
        let scope = PageToken.scope(key, filters: [name, Self.filterKey(filter?.configRuleNames), filter?.complianceType?.rawValue ?? ""])
        let after = try request.nextToken.map { token throws(ConformanceError) in
            try PageToken.decode(token, .describeConformancePackCompliance, scope: scope)
        }
        let limit = Self.pageSize(request.limit, default: Self.packCompliancePage)
        return try await read { state throws(ConformanceError) in
            let partition = state[partition: key]
            guard let pack = partition.packs[name] else { throw Self.noSuchPack(name) }
            let names = try Self.packRules(pack, filter: filter?.configRuleNames)
            var rows: [ConformancePackRuleCompliance] = []
            var more = false
            for rule in names where after.map({ $0.bytePrecedes(rule) }) ?? true {
                let compliance = ComplianceView.rule(state.compliance, key, rule).pack
                if let wanted = filter?.complianceType, wanted != compliance { continue }
                if rows.count == limit {
                    more = true
                    break
                }
                let controls = partition.rules[rule]?.controls ?? []
                rows.append(ConformancePackRuleCompliance(
                    configRuleName: rule, complianceType: compliance, controls: controls.isEmpty ? nil : controls))
            }
            let next = more ? rows.last?.configRuleName.map {
                PageToken.encode(.describeConformancePackCompliance, scope: scope, lastKey: $0)
            } : nil
            return DescribeConformancePackComplianceResponse(
                conformancePackName: name, conformancePackRuleComplianceList: rows, nextToken: next ?? nil)
        }
    }

    /// The current `COMPLIANT` and `NON_COMPLIANT` results of a pack's rules (spec §8.6), by rule
    /// name, then resource type and resource id in the order the engine first saw them.
    ///
    /// Keyset pages: a token holds the last rule and result returned, so results that arrive
    /// while a client pages are never returned twice, nor do they make it skip any.
    ///
    /// - Throws: as ``describeConformancePackCompliance(_:context:)``, and
    ///   `InvalidParameterValueException` for `ResourceIds` without `ResourceType`.
    /// - Complexity: O(r + log n + page) for the pack's r rules and n results.
    nonisolated(nonsending) public func getConformancePackComplianceDetails(
        _ request: GetConformancePackComplianceDetailsRequest, context: RequestContext
    ) async throws(ConformanceError) -> GetConformancePackComplianceDetailsResponse {
        try request.validate()
        let key = PartitionKey(accountId: context.accountId, region: context.region)
        let name = request.conformancePackName
        let filter = request.filters
        if filter?.complianceType == .insufficientData { throw Self.insufficientDataFilter }
        if let ids = filter?.resourceIds, !ids.isEmpty, filter?.resourceType == nil {
            throw ConformanceError(
                .invalidParameterValue,
                "Filters.ResourceIds needs Filters.ResourceType: resource ids are matched within a resource type.")
        }
        let compliances: Set<ResultCompliance> = switch filter?.complianceType {
        case .compliant?: [.compliant]
        case .nonCompliant?: [.nonCompliant]
        default: [.compliant, .nonCompliant]  // NOT_APPLICABLE results are never listed here
        }
        let resultFilter = ResultFilter(
            compliances: compliances, resourceType: filter?.resourceType,
            resourceIds: filter?.resourceIds.flatMap { $0.isEmpty ? nil : $0 })
        let scope = PageToken.scope(key, filters: [
            name, Self.filterKey(filter?.configRuleNames), filter?.complianceType?.rawValue ?? "", filter?.resourceType ?? "",
            Self.filterKey(filter?.resourceIds),
        ])
        let after = try request.nextToken.map { token throws(ConformanceError) in
            try PageToken.decodePosition(token, .getConformancePackComplianceDetails, scope: scope)
        }
        let limit = Self.pageSize(request.limit, default: Self.packDetailsPage)
        return try await read { state throws(ConformanceError) in
            guard let pack = state[partition: key].packs[name] else { throw Self.noSuchPack(name) }
            let names = try Self.packRules(pack, filter: filter?.configRuleNames)
            var rows: [ConformancePackEvaluationResult] = []
            var last: (rule: String, key: UInt64)?
            var more = false
            for rule in names {
                var from: UInt64?
                if let (afterRule, afterKey) = after {
                    if rule.bytePrecedes(afterRule) { continue }
                    if rule.byteEquals(afterRule) { from = afterKey }
                }
                guard let slot = state.compliance.findRuleSlot(forKey: ComplianceKeys.rule(key, rule)) else { continue }
                if rows.count == limit {
                    // Full: is there anything after it?
                    if state.compliance.page(rule: slot, filter: resultFilter, after: from, limit: 1).rows.isEmpty { continue }
                    more = true
                    break
                }
                let page = state.compliance.page(rule: slot, filter: resultFilter, after: from, limit: limit - rows.count)
                for row in page.rows {
                    rows.append(Self.packResult(row, rule: rule))
                    last = (rule, row.key)
                }
                if page.more {
                    more = true
                    break
                }
            }
            let next = more ? last.map {
                PageToken.encode(.getConformancePackComplianceDetails, scope: scope, lastKey: $0.rule, position: $0.key)
            } : nil
            return GetConformancePackComplianceDetailsResponse(
                conformancePackName: name, conformancePackRuleEvaluationResults: rows, nextToken: next ?? nil)
        }
    }

    /// The compliance of each named pack (spec §8.7, §6.3), in the order named.
    ///
    /// - Throws: `ValidationException`, `InvalidLimitException`, `InvalidNextTokenException`,
    ///   `NoSuchConformancePackException`, `InternalFailure`.
    /// - Complexity: O(names): from counters.
    nonisolated(nonsending) public func getConformancePackComplianceSummary(
        _ request: GetConformancePackComplianceSummaryRequest, context: RequestContext
    ) async throws(ConformanceError) -> GetConformancePackComplianceSummaryResponse {
        try request.validate()
        let key = PartitionKey(accountId: context.accountId, region: context.region)
        let names = Self.distinct(request.conformancePackNames)
        let scope = PageToken.scope(key, filters: names)
        let after = try request.nextToken.map { token throws(ConformanceError) in
            try PageToken.decode(token, .getConformancePackComplianceSummary, scope: scope)
        }
        let limit = Self.pageSize(request.limit, default: Self.packSummaryPage)
        return try await read { state throws(ConformanceError) in
            let packs = state[partition: key].packs
            for name in names where packs[name] == nil { throw Self.noSuchPack(name) }
            var start = 0
            if let after {
                guard let index = names.firstIndex(where: { $0.byteEquals(after) }) else { throw .invalidNextToken }
                start = index + 1
            }
            let page = names[start...].prefix(limit)
            let rows = page.map { name in
                ConformancePackComplianceSummary(conformancePackName: name, conformancePackComplianceStatus: ComplianceView.pack(state.compliance, key, name))
            }
            let next = start + page.count < names.count ? page.last.map {
                PageToken.encode(.getConformancePackComplianceSummary, scope: scope, lastKey: $0)
            } : nil
            return GetConformancePackComplianceSummaryResponse(conformancePackComplianceSummaryList: rows, nextToken: next ?? nil)
        }
    }

    static let insufficientDataFilter = ConformanceError(
        .invalidParameterValue, "Filtering on the INSUFFICIENT_DATA compliance type is not supported. Use COMPLIANT or NON_COMPLIANT.")

    /// A list filter as one scope key (order and repeats do not matter).
    static func filterKey(_ values: [String]?) -> String {
        Set((values ?? []).map(ByteString.init)).map(\.string).sorted(by: { $0.bytePrecedes($1) }).joined(separator: "\u{0}")
    }

    /// The names of a pack's deployed rules in name order, or the filter's, each checked to be one.
    static func packRules(_ pack: PackRecord, filter: [String]?) throws(ConformanceError) -> [String] {
        let own = pack.ruleNames.sorted { $0.bytePrecedes($1) }
        guard let filter, !filter.isEmpty else { return own }
        let members = Set(own.map(ByteString.init))
        for name in filter where !members.contains(ByteString(name)) {
            throw ConformanceError(
                .noSuchConfigRuleInConformancePack,
                "The ConfigRule '\(name)' is not a rule of conformance pack '\(pack.name)'. You must provide the exact rule names, as deployed.")
        }
        let wanted = Set(filter.map(ByteString.init))
        return own.filter { wanted.contains(ByteString($0)) }
    }

    static func packResult(_ row: ResultRow, rule: String) -> ConformancePackEvaluationResult {
        let recorded = Date(epochMilliseconds: row.recordedTime)
        return ConformancePackEvaluationResult(
            complianceType: ComplianceView.packType(row.compliance),
            evaluationResultIdentifier: identifier(row, rule: rule),
            configRuleInvokedTime: recorded, resultRecordedTime: recorded, annotation: row.annotation)
    }

    static func identifier(_ row: ResultRow, rule: String) -> EvaluationResultIdentifier {
        EvaluationResultIdentifier(
            evaluationResultQualifier: EvaluationResultQualifier(
                configRuleName: rule, resourceType: row.resourceType, resourceId: row.resourceId, evaluationMode: .detective),
            orderingTimestamp: Date(epochMilliseconds: row.orderingTimestamp))
    }
}
