extension ConformanceEngine {
    /// DescribeConfigRules returns this many rules per page (spec §1.6).
    static let rulePage = 25

    /// Describes Config rules, user rules and pack-deployed rules alike (spec §8.16).
    ///
    /// With names: those rules, in request order, one page; any unknown name fails the call.
    /// Without: every rule of the partition sorted by name, 25 per page. `Filters.EvaluationMode`
    /// keeps the rules that have that mode.
    ///
    /// - Parameters:
    ///   - request: Names and/or filters, or a page request.
    ///   - context: The caller's account and region.
    /// - Returns: The rules and, unless this is the last page, a `NextToken`.
    /// - Throws: `ValidationException`, `NoSuchConfigRuleException`, `InvalidNextTokenException`, `InternalFailure`.
    nonisolated(nonsending) public func describeConfigRules(
        _ request: DescribeConfigRulesRequest, context: RequestContext
    ) async throws(ConformanceError) -> DescribeConfigRulesResponse {
        try request.validate()
        let key = PartitionKey(accountId: context.accountId, region: context.region)
        let mode = request.filters?.evaluationMode
        let include: (RuleRecord) -> Bool = { rule in mode.map { rule.evaluationModes.contains($0) } ?? true }
        if let names = request.configRuleNames, !names.isEmpty {
            let rules = try await read { state throws(ConformanceError) in
                let rules = state[partition: key].rules
                return try Self.distinct(names).map { name throws(ConformanceError) in
                    guard let rule = rules[name] else { throw Self.noSuchRule(name) }
                    return rule
                }
            }
            return DescribeConfigRulesResponse(configRules: rules.filter(include).map(Self.configRule))
        }
        let scope = PageToken.scope(key, filters: [mode?.rawValue ?? ""])
        let after = try request.nextToken.map { token throws(ConformanceError) in
            try PageToken.decode(token, .describeConfigRules, scope: scope)
        }
        let (rules, more) = try await read { state in
            state[partition: key].rules.page(after: after, limit: Self.rulePage, where: include, Self.configRule)
        }
        return DescribeConfigRulesResponse(
            configRules: rules,
            nextToken: more ? rules.last.map { PageToken.encode(.describeConfigRules, scope: scope, lastKey: $0.configRuleName ?? "") } : nil
        )
    }

    /// Creates or updates a user Config rule (spec §8.22).
    ///
    /// The rule is named by `ConfigRuleName`, or found by `ConfigRuleArn` / `ConfigRuleId`. An
    /// update keeps the rule's id and ARN. Rules that conformance packs deployed are refused.
    ///
    /// - Parameters:
    ///   - request: The rule.
    ///   - context: The caller's account and region.
    /// - Throws: `ValidationException`, `InvalidParameterValueException` (`CreatedBy` set, a
    ///   process check, no way to name the rule, a source without what its owner needs),
    ///   `AccessDeniedException` (a pack's rule), `MaxNumberOfConfigRulesExceededException`,
    ///   `InternalFailure`.
    nonisolated(nonsending) public func putConfigRule(_ request: PutConfigRuleRequest, context: RequestContext) async throws(ConformanceError) {
        try request.validate()
        let key = PartitionKey(accountId: context.accountId, region: context.region)
        let input = request.configRule
        if input.createdBy != nil {
            throw ConformanceError(
                .invalidParameterValue,
                "AWS Config populates the CreatedBy field for ServiceLinkedConfigRule. Try again without populating the CreatedBy field"
            )
        }
        if input.source.owner == .aws && input.source.sourceIdentifier == "AWS_CONFIG_PROCESS_CHECK" {
            throw ConformanceError(
                .invalidParameterValue,
                "The source identifier AWS_CONFIG_PROCESS_CHECK is reserved for rules that conformance packs deploy."
            )
        }
        if input.source.owner != .customPolicy && input.source.sourceIdentifier == nil {
            throw ConformanceError(.invalidParameterValue, "SourceIdentifier is required when Owner is \(input.source.owner).")
        }
        if input.source.owner == .customPolicy && input.source.customPolicyDetails == nil {
            throw ConformanceError(.invalidParameterValue, "CustomPolicyDetails is required when Owner is CUSTOM_POLICY.")
        }
        try await perform { state, _ throws(ConformanceError) -> Decision<Void> in
            let partition = state[partition: key]
            let existing: RuleRecord?
            let name: String
            if let given = input.configRuleName {
                existing = partition.rules[given]
                name = given
            } else if let found = partition.rules.orderedValues.first(where: {
                $0.arn == input.configRuleArn || $0.id == input.configRuleId
            }) {
                existing = found
                name = found.name
            } else {
                throw ConformanceError(
                    .invalidParameterValue,
                    "The ConfigRule provided in the request has no ConfigRuleName, and no existing rule has the ConfigRuleArn or ConfigRuleId given."
                )
            }
            if existing?.ownerPack != nil { throw ConformanceError.serviceLinkedRule }
            if existing == nil && partition.reservedRuleCount() + 1 > PackDeployment.ruleLimit {
                throw ConformanceError(
                    .maxNumberOfConfigRulesExceeded,
                    "Failed to put config rule '\(name)' because the maximum number of \(PackDeployment.ruleLimit) rules has been reached."
                )
            }
            let id = existing?.id ?? mint.ruleId()
            let modes = (input.evaluationModes ?? []).compactMap(\.mode)
            let rule = RuleRecord(
                name: name,
                id: id,
                arn: existing?.arn ?? ARN.userRule(key, ruleId: id),
                description: input.description,
                scope: input.scope,
                source: input.source,
                inputParameters: input.inputParameters,
                maximumExecutionFrequency: input.maximumExecutionFrequency,
                state: input.configRuleState ?? .active,
                createdBy: nil,
                evaluationModes: modes.isEmpty ? [.detective] : modes,
                ownerPack: nil
            )
            return Decision(events: [.configRulePut(ConfigRulePut(partition: key, rule: rule))], result: ())
        }
    }

    /// Deletes a user Config rule (spec §8.22). Rules that conformance packs deployed are refused.
    ///
    /// - Parameters:
    ///   - request: The rule's name.
    ///   - context: The caller's account and region.
    /// - Throws: `ValidationException`, `NoSuchConfigRuleException`, `AccessDeniedException` (a
    ///   pack's rule), `ResourceInUseException` (the rule is being deleted), `InternalFailure`.
    nonisolated(nonsending) public func deleteConfigRule(_ request: DeleteConfigRuleRequest, context: RequestContext) async throws(ConformanceError) {
        try request.validate()
        let key = PartitionKey(accountId: context.accountId, region: context.region)
        let name = request.configRuleName
        try await perform { state, _ throws(ConformanceError) -> Decision<Void> in
            guard let rule = state[partition: key].rules[name] else { throw Self.noSuchRule(name) }
            if rule.ownerPack != nil { throw ConformanceError.serviceLinkedRule }
            if rule.state == .deleting || rule.state == .deletingResults {
                throw ConformanceError(.resourceInUse, "The rule \(name) is currently being deleted. Try again later.")
            }
            return Decision(events: [.configRuleDeleted(ConfigRuleDeleted(partition: key, name: name))], result: ())
        }
    }

    static func noSuchRule(_ name: String) -> ConformanceError {
        ConformanceError(
            .noSuchConfigRule,
            "The ConfigRule '\(name)' provided in the request is invalid. Please check the configRule name"
        )
    }

    static func configRule(_ rule: RuleRecord) -> ConfigRule {
        ConfigRule(
            configRuleName: rule.name,
            configRuleArn: rule.arn,
            configRuleId: rule.id,
            description: rule.description,
            scope: rule.scope,
            source: rule.source,
            inputParameters: rule.inputParameters,
            maximumExecutionFrequency: rule.maximumExecutionFrequency,
            configRuleState: rule.state,
            createdBy: rule.createdBy,
            evaluationModes: rule.evaluationModes.map { EvaluationModeConfiguration(mode: $0) }
        )
    }
}
