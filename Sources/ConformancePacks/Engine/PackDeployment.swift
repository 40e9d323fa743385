import ConformanceTemplates

/// Turns a resolved template into the rules a pack deploys, or the reason its deployment fails.
///
/// Deploy-time problems (spec §4.4: duplicate rule names, an `InputParameters` over 1,024
/// characters, a rule name over 128 after its suffix, the account rule limits) do not refuse the
/// Put: the pack ends in CREATE_FAILED with a reason, and AWS reports one problem at a time.
enum PackDeployment {
    /// Rules per account partition, of every kind (spec §3).
    static let ruleLimit = 1000
    /// Rules across all packs of an account partition (spec §3).
    static let packRuleLimit = 150
    /// Resources per template (spec §3): refused synchronously.
    static let resourceLimit = 130
    /// `ConformancePackStatusReason` is at most this long (spec §3).
    static let reasonLimit = 2000

    /// The rules a template deploys, under their template names, without ids or ARNs: what an
    /// organization pack records once for all its members.
    static func baseRules(_ template: ResolvedTemplate) -> [RuleRecord] {
        template.rules.map { rule in
            RuleRecord(
                name: rule.configRuleName,
                id: "",
                arn: "",
                description: rule.description,
                scope: rule.scope.map(Self.scope),
                source: Self.source(rule.source),
                inputParameters: rule.inputParameters,
                maximumExecutionFrequency: rule.maximumExecutionFrequency.map(MaximumExecutionFrequency.init(rawValue:)),
                state: .active,
                createdBy: ARN.packService,
                evaluationModes: rule.evaluationModes.isEmpty ? [.detective] : rule.evaluationModes.map(EvaluationMode.init(rawValue:)),
                ownerPack: nil,
                controls: rule.controls
            )
        }
    }

    /// The deployed form of `base` in pack `name` (id `packId`) of a partition: names suffixed
    /// with the pack id, ids and ARNs kept from the rules the pack already has, new ones from
    /// `newRuleId` (given the template rule name).
    static func instantiate(
        _ base: [RuleRecord], pack name: String, packId: String, partition key: PartitionKey, in partition: PartitionState,
        newRuleId: (String) -> String
    ) -> [RuleRecord] {
        base.map { rule in
            var deployed = rule
            deployed.name = "\(rule.name)-\(packId)"
            let current = partition.rules[deployed.name]
            deployed.id = current?.ownerPack == name ? current!.id : newRuleId(rule.name)
            deployed.arn = current?.ownerPack == name ? current!.arn : ARN.packRule(key, ruleId: deployed.id)
            deployed.ownerPack = name
            return deployed
        }
    }

    static func plan(
        _ template: ResolvedTemplate,
        pack name: String,
        packId: String,
        partition key: PartitionKey,
        in partition: PartitionState,
        mint: IdentifierMint
    ) -> PendingOutcome {
        plan(baseRules(template), pack: name, packId: packId, partition: key, in: partition) { _ in mint.ruleId() }
    }

    /// Checks that `base` can deploy as pack `name` in a partition and returns the deployment, or
    /// the reason the pack fails (spec §4.4, §3).
    static func plan(
        _ base: [RuleRecord],
        pack name: String,
        packId: String,
        partition key: PartitionKey,
        in partition: PartitionState,
        newRuleId: (String) -> String
    ) -> PendingOutcome {
        if let reason = problem(base, pack: name, packId: packId, in: partition) { return fail(reason) }
        return .deploy(instantiate(base, pack: name, packId: packId, partition: key, in: partition, newRuleId: newRuleId))
    }

    /// Why `base` cannot deploy as pack `name` (id `packId`) in a partition, or nil when it can.
    static func problem(_ base: [RuleRecord], pack name: String, packId: String, in partition: PartitionState) -> String? {
        var seen = Set<ByteString>()
        for rule in base {
            guard seen.insert(ByteString(rule.name)).inserted else {
                return "Duplicate ConfigRuleName '\(rule.name)' in the template: rule names must be unique within a conformance pack."
            }
        }
        for rule in base {
            let ruleName = "\(rule.name)-\(packId)"
            if ruleName.utf16.count > 128 {
                return "The config rule name '\(ruleName)' is longer than 128 characters; shorten ConfigRuleName '\(rule.name)' to at most \(128 - packId.utf16.count - 1) characters."
            }
            if let parameters = rule.inputParameters, parameters.utf16.count > 1024 {
                return "The InputParameters of config rule '\(rule.name)' are \(parameters.utf16.count) characters once serialised; the maximum is 1024."
            }
            if let current = partition.rules[ruleName], current.ownerPack != name {
                return "A config rule named '\(ruleName)' already exists in the account."
            }
        }
        let existing = partition.packs[name]
        let otherPackRules = partition.reservedPackRuleCount(excludingPack: existing?.name)
        let others = partition.userRuleCount + otherPackRules
        if others + base.count > ruleLimit {
            return "The conformance pack would deploy \(base.count) config rules, but the account already has \(others) and the maximum number of config rules is \(ruleLimit)."
        }
        if otherPackRules + base.count > packRuleLimit {
            return "The conformance pack would deploy \(base.count) config rules, but conformance packs in the account already have \(otherPackRules) and the maximum across all conformance packs is \(packRuleLimit)."
        }
        return nil
    }

    static func fail(_ reason: String) -> PendingOutcome {
        .fail(reason: truncated(reason))
    }

    /// A status reason cut to its limit (spec §3).
    static func truncated(_ reason: String) -> String {
        reason.utf16.count <= reasonLimit ? reason : String(reason.prefix(reasonLimit))
    }

    private static func scope(_ scope: TemplateScope) -> Scope {
        Scope(
            complianceResourceTypes: scope.complianceResourceTypes.isEmpty ? nil : scope.complianceResourceTypes,
            tagKey: scope.tagKey,
            tagValue: scope.tagValue,
            complianceResourceId: scope.complianceResourceId
        )
    }

    private static func source(_ source: TemplateSource) -> Source {
        Source(
            owner: Owner(rawValue: source.owner),
            sourceIdentifier: source.sourceIdentifier,
            sourceDetails: source.sourceDetails.isEmpty ? nil : source.sourceDetails.map {
                SourceDetail(
                    eventSource: $0.eventSource.map(EventSource.init(rawValue:)),
                    messageType: $0.messageType.map(MessageType.init(rawValue:)),
                    maximumExecutionFrequency: $0.maximumExecutionFrequency.map(MaximumExecutionFrequency.init(rawValue:))
                )
            },
            customPolicyDetails: source.customPolicyDetails.map {
                CustomPolicyDetails(policyRuntime: $0.policyRuntime, policyText: $0.policyText, enableDebugLogDelivery: $0.enableDebugLogDelivery)
            }
        )
    }
}
