/// The resource types a conformance pack template may hold, and how each one is read.
enum ResourceKind {
    static let configRule = "AWS::Config::ConfigRule"
    static let remediation = "AWS::Config::RemediationConfiguration"

    private static let ruleProperties: Set<String> = [
        "ConfigRuleName", "Description", "Scope", "Source", "InputParameters", "MaximumExecutionFrequency",
        "EvaluationModes", "Compliance",
    ]
    private static let scopeKeys: Set<String> = ["ComplianceResourceTypes", "ComplianceResourceId", "TagKey", "TagValue"]
    private static let sourceKeys: Set<String> = ["Owner", "SourceIdentifier", "SourceDetails", "CustomPolicyDetails"]
    private static let sourceDetailKeys: Set<String> = ["EventSource", "MessageType", "MaximumExecutionFrequency"]
    private static let customPolicyKeys: Set<String> = ["PolicyRuntime", "PolicyText", "EnableDebugLogDelivery"]
    private static let evaluationModeKeys: Set<String> = ["Mode"]
    private static let remediationProperties: Set<String> = [
        "ConfigRuleName", "TargetType", "TargetId", "TargetVersion", "Parameters", "ResourceType", "Automatic",
        "ExecutionControls", "MaximumAutomaticAttempts", "RetryAttemptSeconds",
    ]

    /// Reads an evaluated `AWS::Config::ConfigRule`.
    static func rule(logicalId: String, properties: TemplateMap, controls: [String]) throws(TemplateFailure) -> TemplateConfigRule {
        let reader = try PropertyReader(properties, known: ruleProperties)
        let scope = try reader.nested("Scope", known: scopeKeys) { (scope) throws(TemplateFailure) in
            TemplateScope(
                complianceResourceTypes: try scope.strings("ComplianceResourceTypes") ?? [],
                complianceResourceId: try scope.string("ComplianceResourceId"),
                tagKey: try scope.string("TagKey"),
                tagValue: try scope.string("TagValue"))
        }
        guard let source = try reader.nested("Source", known: sourceKeys, readSource) else {
            throw TemplateFailure("Template error: required property Source is missing")
        }
        var modes: [String] = []
        for (index, item) in (try reader.list("EvaluationModes") ?? []).enumerated() {
            modes.append(try within("EvaluationModes") { () throws(TemplateFailure) in
                try within(index: index) { () throws(TemplateFailure) in
                    try PropertyReader(item, known: evaluationModeKeys).requiredString("Mode")
                }
            })
        }
        return TemplateConfigRule(
            logicalId: logicalId,
            configRuleName: try reader.string("ConfigRuleName") ?? logicalId,
            description: try reader.string("Description"),
            scope: scope,
            source: source,
            inputParameters: try reader.json("InputParameters", scalars: .strings),
            maximumExecutionFrequency: try reader.string("MaximumExecutionFrequency"),
            evaluationModes: modes,
            controls: controls)
    }

    private static func readSource(_ source: PropertyReader) throws(TemplateFailure) -> TemplateSource {
        var details: [TemplateSourceDetail] = []
        for (index, item) in (try source.list("SourceDetails") ?? []).enumerated() {
            details.append(try within("SourceDetails") { () throws(TemplateFailure) in
                try within(index: index) { () throws(TemplateFailure) in
                    let detail = try PropertyReader(item, known: sourceDetailKeys)
                    return TemplateSourceDetail(
                        eventSource: try detail.string("EventSource"),
                        messageType: try detail.string("MessageType"),
                        maximumExecutionFrequency: try detail.string("MaximumExecutionFrequency"))
                }
            })
        }
        let policy = try source.nested("CustomPolicyDetails", known: customPolicyKeys) { (policy) throws(TemplateFailure) in
            TemplateCustomPolicy(
                policyRuntime: try policy.requiredString("PolicyRuntime"),
                policyText: try policy.requiredString("PolicyText"),
                enableDebugLogDelivery: try policy.boolean("EnableDebugLogDelivery") ?? false)
        }
        return TemplateSource(
            owner: try source.requiredString("Owner"),
            sourceIdentifier: try source.string("SourceIdentifier"),
            sourceDetails: details,
            customPolicyDetails: policy)
    }

    /// Reads an evaluated `AWS::Config::RemediationConfiguration`.
    static func remediation(logicalId: String, properties: TemplateMap) throws(TemplateFailure) -> TemplateRemediation {
        let reader = try PropertyReader(properties, known: remediationProperties)
        return TemplateRemediation(
            logicalId: logicalId,
            configRuleName: try reader.requiredString("ConfigRuleName"),
            targetType: try reader.requiredString("TargetType"),
            targetId: try reader.requiredString("TargetId"),
            targetVersion: try reader.string("TargetVersion"),
            parametersJSON: try reader.json("Parameters", scalars: .strings),
            resourceType: try reader.string("ResourceType"),
            automatic: try reader.boolean("Automatic") ?? false,
            maximumAutomaticAttempts: try reader.integer("MaximumAutomaticAttempts"),
            retryAttemptSeconds: try reader.integer("RetryAttemptSeconds"),
            executionControlsJSON: try reader.json("ExecutionControls", scalars: .typed))
    }

    /// Refuses intrinsic functions in a remediation's `Parameters.AutomationAssumeRole`: "AWS Config
    /// does not support AWS CloudFormation intrinsic functions for the automation execution role"
    /// (AWS Config Developer Guide), so the role must be a literal ARN.
    static func checkLiteralAssumeRole(_ properties: TemplateMap) throws(TemplateFailure) {
        guard let role = properties["Parameters"]?.map?["AutomationAssumeRole"], containsFunction(role) else { return }
        throw TemplateFailure("Template error: AWS Config does not support intrinsic functions for the automation execution role; AutomationAssumeRole must be a literal ARN")
            .at("AutomationAssumeRole").at("Parameters")
    }

    private static func containsFunction(_ value: TemplateValue) -> Bool {
        switch value {
        case .string, .null: false
        case .list(let items): items.contains(where: containsFunction)
        case .map(let map): map.keys.contains(where: TemplateEvaluator.isFunctionKey) || map.values.contains(where: containsFunction)
        }
    }
}
