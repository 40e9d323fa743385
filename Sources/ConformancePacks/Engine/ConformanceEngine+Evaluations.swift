import ComplianceStore
import Foundation

extension ConformanceEngine {
    /// Records the evaluations a rule's function reports (spec §8.19).
    ///
    /// The `ResultToken` names the rule: this engine runs no rule functions, so it defines the
    /// token as the rule's name (its ARN or id are accepted too). `TestMode` checks everything but
    /// the token and stores nothing. Each evaluation replaces the stored result of its resource
    /// when its `OrderingTimestamp` is not earlier (spec §6.1).
    ///
    /// - Parameters:
    ///   - request: Up to 100 evaluations and the token.
    ///   - context: The caller's account and region.
    /// - Returns: `FailedEvaluations`, always empty: a request is recorded whole or not at all.
    /// - Throws: `ValidationException` (model constraints, more than 100 evaluations),
    ///   `InvalidParameterValueException` (no evaluations, `INSUFFICIENT_DATA`),
    ///   `InvalidResultTokenException` (empty, or naming no rule), `InternalFailure`.
    nonisolated(nonsending) public func putEvaluations(
        _ request: PutEvaluationsRequest, context: RequestContext
    ) async throws(ConformanceError) -> PutEvaluationsResponse {
        try request.validate()
        guard !request.resultToken.isEmpty else {
            throw ConformanceError(.invalidResultToken, "The ResultToken provided is invalid: it cannot be null or empty.")
        }
        guard let evaluations = request.evaluations, !evaluations.isEmpty else {
            throw ConformanceError(
                .invalidParameterValue,
                "The Evaluations object in your request cannot be null.Add the required parameters and try again.")
        }
        let key = PartitionKey(accountId: context.accountId, region: context.region)
        var results: [EvaluationDraft] = []
        results.reserveCapacity(evaluations.count)
        for (index, evaluation) in evaluations.enumerated() {
            results.append(try EvaluationDraft(
                resourceType: evaluation.complianceResourceType, resourceId: evaluation.complianceResourceId,
                complianceType: evaluation.complianceType.rawValue, annotation: evaluation.annotation,
                orderingTimestamp: evaluation.orderingTimestamp, path: "evaluations.\(index + 1).member"))
        }
        // TestMode checks everything but the token, and records nothing (spec §8.19).
        if request.testMode == true { return PutEvaluationsResponse(failedEvaluations: []) }
        let token = request.resultToken
        try await perform { state, now throws(ConformanceError) -> Decision<Void> in
            guard let rule = Self.rule(forToken: token, in: state[partition: key]) else {
                throw ConformanceError(
                    .invalidResultToken,
                    "The ResultToken provided is invalid: this engine's result tokens are rule names (or ARNs or ids), and no rule of this account and region is named '\(token.prefix(256))'.")
            }
            var batch = EvaluationBatch(time: now)
            for result in results { batch.add(result, rule: RuleReference(partition: key, name: rule.name)) }
            return Decision(events: batch.events, result: ())
        }
        return PutEvaluationsResponse(failedEvaluations: [])
    }

    /// Records the compliance of the account with a process check (spec §8.20).
    ///
    /// - Throws: `ValidationException`, `NoSuchConfigRuleException` (no such rule, or not a
    ///   process check), `InvalidParameterValueException` (the resource is not this account,
    ///   `INSUFFICIENT_DATA`), `InternalFailure`.
    nonisolated(nonsending) public func putExternalEvaluation(
        _ request: PutExternalEvaluationRequest, context: RequestContext
    ) async throws(ConformanceError) -> PutExternalEvaluationResponse {
        try request.validate()
        let key = PartitionKey(accountId: context.accountId, region: context.region)
        let evaluation = request.externalEvaluation
        guard evaluation.complianceResourceType == "AWS::::Account" else {
            throw ConformanceError(
                .invalidParameterValue,
                "The ComplianceResourceType of an external evaluation must be AWS::::Account, not '\(evaluation.complianceResourceType)'.")
        }
        guard evaluation.complianceResourceId == context.accountId else {
            throw ConformanceError(
                .invalidParameterValue,
                "The ComplianceResourceId of an external evaluation must be your account id \(context.accountId), not '\(evaluation.complianceResourceId)'.")
        }
        let draft = try EvaluationDraft(
            resourceType: evaluation.complianceResourceType, resourceId: evaluation.complianceResourceId,
            complianceType: evaluation.complianceType.rawValue, annotation: evaluation.annotation,
            orderingTimestamp: evaluation.orderingTimestamp, path: "externalEvaluation")
        let name = request.configRuleName
        try await perform { state, now throws(ConformanceError) -> Decision<Void> in
            guard let rule = state[partition: key].rules[name],
                  rule.source.owner.rawValue == "AWS", rule.source.sourceIdentifier == "AWS_CONFIG_PROCESS_CHECK"
            else {
                throw ConformanceError(
                    .noSuchConfigRule,
                    "The ConfigRule '\(name)' provided in the request is invalid. Verify that the rule is an Config Process Check rule, and try again.")
            }
            var batch = EvaluationBatch(time: now)
            batch.add(draft, rule: RuleReference(partition: key, name: rule.name))
            return Decision(events: batch.events, result: ())
        }
        return PutExternalEvaluationResponse()
    }

    /// Deletes every evaluation result of a user rule; the rule becomes `INSUFFICIENT_DATA`
    /// (spec §8.21). O(1): the results are dropped at once and their memory released later.
    ///
    /// - Throws: `ValidationException`, `NoSuchConfigRuleException`, `AccessDeniedException` (a
    ///   rule a conformance pack owns), `ResourceInUseException` (the rule is being deleted or
    ///   evaluated), `InternalFailure`.
    nonisolated(nonsending) public func deleteEvaluationResults(
        _ request: DeleteEvaluationResultsRequest, context: RequestContext
    ) async throws(ConformanceError) -> DeleteEvaluationResultsResponse {
        try request.validate()
        let key = PartitionKey(accountId: context.accountId, region: context.region)
        let name = request.configRuleName
        try await perform { state, now throws(ConformanceError) -> Decision<Void> in
            guard let rule = state[partition: key].rules[name] else { throw Self.noSuchRule(name) }
            if rule.ownerPack != nil { throw ConformanceError.serviceLinkedRule }
            switch rule.state {
            case .deleting, .deletingResults, .evaluating:
                throw ConformanceError(.resourceInUse, "The rule \(name) is currently in state \(rule.state.rawValue). Try again later.")
            default:
                break
            }
            return Decision(
                events: [.evaluationResultsDeleted(EvaluationResultsDeleted(partition: key, name: name, time: now))],
                result: ())
        }
        return DeleteEvaluationResultsResponse()
    }

    /// The rule a `ResultToken` names: its name, else its ARN or id.
    static func rule(forToken token: String, in partition: PartitionState) -> RuleRecord? {
        if let rule = partition.rules[token] { return rule }
        return partition.rules.orderedValues.first { $0.arn.byteEquals(token) || $0.id.byteEquals(token) }
    }
}

/// One evaluation, checked, before it is recorded.
struct EvaluationDraft: Sendable {
    var resourceType: String
    var resourceId: String
    var compliance: ResultCompliance
    var annotation: String?
    /// Epoch ms.
    var orderingTimestamp: Int64

    /// Checks what the model cannot: the compliance type an evaluation may report, and a time
    /// the engine can record.
    ///
    /// - Throws: `InvalidParameterValueException` for `INSUFFICIENT_DATA` or an unknown type, or
    ///   an `OrderingTimestamp` outside years 1 to 9999.
    init(
        resourceType: String, resourceId: String, complianceType: String, annotation: String?, orderingTimestamp: Date,
        path: String
    ) throws(ConformanceError) {
        switch complianceType {
        case "COMPLIANT": compliance = .compliant
        case "NON_COMPLIANT": compliance = .nonCompliant
        case "NOT_APPLICABLE": compliance = .notApplicable
        default:
            throw ConformanceError(
                .invalidParameterValue,
                "The ComplianceType \(complianceType) at '\(path).complianceType' cannot be reported by an evaluation. Use COMPLIANT, NON_COMPLIANT or NOT_APPLICABLE.")
        }
        guard orderingTimestamp.isWithinAWSRange else {
            throw ConformanceError(
                .invalidParameterValue,
                "The OrderingTimestamp at '\(path).orderingTimestamp' (\(orderingTimestamp.timeIntervalSince1970) seconds since 1970) is outside years 1 to 9999.")
        }
        self.resourceType = resourceType
        self.resourceId = resourceId
        self.annotation = annotation
        self.orderingTimestamp = orderingTimestamp.epochMilliseconds
    }
}

/// Builds the events of one command's evaluations: columns over small string and rule tables,
/// cut into several events so that none passes the log's record cap.
struct EvaluationBatch: Sendable {
    /// Keeps each event well under the log's 1 MiB record cap.
    static let eventBudget = 900 << 10

    let time: Int64
    /// Events full up to the budget.
    private var finished: [EvaluationsRecorded] = []
    private var current: EvaluationsRecorded
    private var ruleIndex: [RuleReference: UInt32] = [:]
    private var stringIndex: [ByteString: UInt32] = [:]
    /// The encoded size of `current`, estimated from above.
    private var bytes = 0

    init(time: Int64) {
        self.time = time
        current = EvaluationsRecorded(time: time, rules: [], strings: [], rows: [])
    }

    /// The events of every result added so far.
    var events: [DomainEvent] {
        (current.rows.isEmpty ? finished : finished + [current]).map { .evaluationsRecorded($0) }
    }

    /// How many results were added.
    private(set) var count = 0

    /// Adds a result.
    mutating func add(_ draft: EvaluationDraft, rule: RuleReference) {
        let cost = 40 + draft.resourceType.utf8.count + draft.resourceId.utf8.count + (draft.annotation?.utf8.count ?? 0)
            + rule.name.utf8.count + rule.partition.accountId.utf8.count + rule.partition.region.utf8.count
        if bytes + cost > Self.eventBudget, !current.rows.isEmpty {
            finished.append(current)
            current = EvaluationsRecorded(time: time, rules: [], strings: [], rows: [])
            ruleIndex = [:]
            stringIndex = [:]
            bytes = 0
        }
        let row = EvaluationsRecorded.EvaluationRow(
            rule: index(of: rule), resourceType: index(of: draft.resourceType), resourceId: index(of: draft.resourceId),
            compliance: draft.compliance, orderingTimestamp: draft.orderingTimestamp,
            annotation: draft.annotation.map { index(of: $0) + 1 } ?? 0)
        current.rows.append(row)
        bytes += cost
        count += 1
    }

    private mutating func index(of rule: RuleReference) -> UInt32 {
        if let index = ruleIndex[rule] { return index }
        let index = UInt32(current.rules.count)
        current.rules.append(rule)
        ruleIndex[rule] = index
        return index
    }

    private mutating func index(of string: String) -> UInt32 {
        if let index = stringIndex[ByteString(string)] { return index }
        let index = UInt32(current.strings.count)
        current.strings.append(string)
        stringIndex[ByteString(string)] = index
        return index
    }
}
