import ComplianceStore
import Foundation

extension ConformanceEngine {
    static let scoresPage = 20
    static let complianceByRulePage = 25
    static let ruleDetailsPage = 10

    /// The compliance score of each pack (spec §8.8, §6.4): `100 × C / (C + N)` over the pack's
    /// (rule, resource) pairs, or `INSUFFICIENT_DATA` when it has none.
    ///
    /// Sorted by name (ascending, or descending with `SortOrder`), or by score with
    /// `SortBy: SCORE` (`INSUFFICIENT_DATA` last ascending, first descending; ties by name).
    ///
    /// - Throws: `ValidationException`, `InvalidLimitException`, `InvalidNextTokenException`, `InternalFailure`.
    /// - Complexity: O(p log p) for the partition's p packs (at most 50); counters, never a scan of results.
    nonisolated(nonsending) public func listConformancePackComplianceScores(
        _ request: ListConformancePackComplianceScoresRequest, context: RequestContext
    ) async throws(ConformanceError) -> ListConformancePackComplianceScoresResponse {
        try request.validate()
        let key = PartitionKey(accountId: context.accountId, region: context.region)
        let byScore = request.sortBy == .score
        let descending = request.sortOrder == .descending
        let named = request.filters?.conformancePackNames
        let scope = PageToken.scope(key, filters: [Self.filterKey(named), byScore ? "score" : "name", descending ? "desc" : "asc"])
        let after = try request.nextToken.map { token throws(ConformanceError) in
            try PageToken.decodePosition(token, .listConformancePackComplianceScores, scope: scope)
        }
        let limit = Self.pageSize(request.limit, default: Self.scoresPage)
        return try await read { state in
            let packs = state[partition: key].packs
            let wanted = named.map { Set($0.map(ByteString.init)) }
            var entries: [ScoreEntry] = []
            for pack in packs.orderedValues where wanted?.contains(ByteString(pack.name)) ?? true {
                var entry = ScoreEntry(name: pack.name, score: nil, changed: pack.created)
                if let group = state.compliance.findGroupSlot(forKey: ComplianceKeys.pack(key, pack.name)),
                   let summary = state.compliance.groupSummary(group)
                {
                    entry.score = summary.score
                    if summary.scoreChanged > 0 { entry.changed = summary.scoreChanged }
                }
                entries.append(entry)
            }
            let order = ScoreEntry.Order(byScore: byScore, descending: descending)
            entries.sort(by: order.precedes)
            var start = 0
            if let (name, bits) = after {
                let last = ScoreEntry(name: name, score: bits == .max ? nil : Double(bitPattern: bits), changed: 0)
                start = entries.firstIndex { order.precedes(last, $0) } ?? entries.count
            }
            let page = entries[start...].prefix(limit)
            let rows = page.map { entry in
                ConformancePackComplianceScore(
                    score: entry.score.map { String(describing: $0) } ?? "INSUFFICIENT_DATA",
                    conformancePackName: entry.name, lastUpdatedTime: Date(epochMilliseconds: entry.changed))
            }
            let next = start + page.count < entries.count ? page.last.map {
                PageToken.encode(.listConformancePackComplianceScores, scope: scope, lastKey: $0.name, position: $0.score?.bitPattern ?? .max)
            } : nil
            return ListConformancePackComplianceScoresResponse(nextToken: next ?? nil, conformancePackComplianceScores: rows)
        }
    }

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
        func row(_ state: borrowing EngineState, _ rule: String) -> ComplianceByConfigRule? {
            let (compliance, summary) = Self.ruleCompliance(state, key, rule)
            let type: ComplianceType = switch compliance {
            case .compliant: .compliant
            case .nonCompliant: .nonCompliant
            default: .insufficientData
            }
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
                return DescribeComplianceByConfigRuleResponse(complianceByConfigRules: Self.distinct(names).compactMap { row(state, $0) })
            }
        }
        let scope = PageToken.scope(key, filters: wanted.sorted())
        let after = try request.nextToken.map { token throws(ConformanceError) in
            try PageToken.decode(token, .describeComplianceByConfigRule, scope: scope)
        }
        return try await read { state in
            let (rows, more) = state[partition: key].rules.page(after: after, limit: Self.complianceByRulePage) { rule in
                row(state, rule.name)
            }
            let present = rows.compactMap { $0 }
            let next = more ? present.last?.configRuleName.map {
                PageToken.encode(.describeComplianceByConfigRule, scope: scope, lastKey: $0)
            } : nil
            return DescribeComplianceByConfigRuleResponse(complianceByConfigRules: present, nextToken: next ?? nil)
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
                let type: ComplianceType = switch row.compliance {
                case .compliant: .compliant
                case .nonCompliant: .nonCompliant
                case .notApplicable: .notApplicable
                }
                return EvaluationResult(
                    evaluationResultIdentifier: Self.identifier(row, rule: name), complianceType: type,
                    resultRecordedTime: recorded, configRuleInvokedTime: recorded, annotation: row.annotation)
            }
            let next = page.nextAfter.map {
                PageToken.encode(.getComplianceDetailsByConfigRule, scope: scope, lastKey: name, position: $0)
            }
            return GetComplianceDetailsByConfigRuleResponse(evaluationResults: rows, nextToken: next)
        }
    }
}

/// One row of ListConformancePackComplianceScores before it is written.
struct ScoreEntry {
    var name: String
    /// 0...100, or nil for `INSUFFICIENT_DATA`.
    var score: Double?
    /// Epoch ms: when the score last changed, or when the pack was created.
    var changed: Int64

    /// The order of the rows (spec §8.8).
    struct Order {
        var byScore: Bool
        var descending: Bool

        func precedes(_ a: ScoreEntry, _ b: ScoreEntry) -> Bool {
            guard byScore else { return descending ? b.name.bytePrecedes(a.name) : a.name.bytePrecedes(b.name) }
            switch (a.score, b.score) {
            case let (x?, y?) where x != y: return descending ? x > y : x < y
            case (nil, _?): return descending
            case (_?, nil): return !descending
            default: return a.name.bytePrecedes(b.name)
            }
        }
    }
}
