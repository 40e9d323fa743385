/// What a conformance pack template deploys once its parameters and conditions are resolved.
public struct ResolvedTemplate: Sendable, Hashable {
    /// The `AWS::Config::ConfigRule` resources whose `Condition` holds, in template order.
    public var rules: [TemplateConfigRule]
    /// The `AWS::Config::RemediationConfiguration` resources whose `Condition` holds, in template order.
    public var remediations: [TemplateRemediation]

    /// Creates a resolved template.
    public init(rules: [TemplateConfigRule], remediations: [TemplateRemediation]) {
        self.rules = rules
        self.remediations = remediations
    }
}

/// An `AWS::Config::ConfigRule` resource with every intrinsic function evaluated.
public struct TemplateConfigRule: Sendable, Hashable {
    /// The resource's logical id in the template.
    public var logicalId: String
    /// `ConfigRuleName` as written (un-suffixed); the logical id when the property is absent.
    public var configRuleName: String
    /// `Description`.
    public var description: String?
    /// `Scope`.
    public var scope: TemplateScope?
    /// `Source`.
    public var source: TemplateSource
    /// `InputParameters` as canonical JSON object text: keys sorted by Unicode code point, no
    /// whitespace, every scalar a JSON string holding the scalar's text as written (`14` → `"14"`,
    /// `True` → `"True"`), lists and maps as JSON arrays and objects. Nil when absent, removed by
    /// `AWS::NoValue`, or empty.
    public var inputParameters: String?
    /// `MaximumExecutionFrequency`.
    public var maximumExecutionFrequency: String?
    /// The `Mode` of each `EvaluationModes` entry.
    public var evaluationModes: [String]
    /// The resource-level `Controls` attribute (at most 20, each 1...128 characters).
    public var controls: [String]

    /// Creates a rule.
    public init(
        logicalId: String, configRuleName: String, description: String? = nil, scope: TemplateScope? = nil,
        source: TemplateSource, inputParameters: String? = nil, maximumExecutionFrequency: String? = nil,
        evaluationModes: [String] = [], controls: [String] = []
    ) {
        self.logicalId = logicalId
        self.configRuleName = configRuleName
        self.description = description
        self.scope = scope
        self.source = source
        self.inputParameters = inputParameters
        self.maximumExecutionFrequency = maximumExecutionFrequency
        self.evaluationModes = evaluationModes
        self.controls = controls
    }
}

/// A rule's `Scope`.
public struct TemplateScope: Sendable, Hashable {
    /// `ComplianceResourceTypes`.
    public var complianceResourceTypes: [String]
    /// `ComplianceResourceId`.
    public var complianceResourceId: String?
    /// `TagKey`.
    public var tagKey: String?
    /// `TagValue`.
    public var tagValue: String?

    /// Creates a scope.
    public init(complianceResourceTypes: [String] = [], complianceResourceId: String? = nil, tagKey: String? = nil, tagValue: String? = nil) {
        self.complianceResourceTypes = complianceResourceTypes
        self.complianceResourceId = complianceResourceId
        self.tagKey = tagKey
        self.tagValue = tagValue
    }
}

/// A rule's `Source`.
public struct TemplateSource: Sendable, Hashable {
    /// `Owner`: `AWS`, `CUSTOM_LAMBDA` or `CUSTOM_POLICY` (not checked here: a bad value fails at deploy time).
    public var owner: String
    /// `SourceIdentifier`: the managed rule identifier or Lambda ARN; absent for `CUSTOM_POLICY`.
    public var sourceIdentifier: String?
    /// `SourceDetails`.
    public var sourceDetails: [TemplateSourceDetail]
    /// `CustomPolicyDetails`.
    public var customPolicyDetails: TemplateCustomPolicy?

    /// Creates a source.
    public init(owner: String, sourceIdentifier: String? = nil, sourceDetails: [TemplateSourceDetail] = [], customPolicyDetails: TemplateCustomPolicy? = nil) {
        self.owner = owner
        self.sourceIdentifier = sourceIdentifier
        self.sourceDetails = sourceDetails
        self.customPolicyDetails = customPolicyDetails
    }
}

/// One entry of `Source.SourceDetails`.
public struct TemplateSourceDetail: Sendable, Hashable {
    /// `EventSource`.
    public var eventSource: String?
    /// `MessageType`.
    public var messageType: String?
    /// `MaximumExecutionFrequency`.
    public var maximumExecutionFrequency: String?

    /// Creates a source detail.
    public init(eventSource: String? = nil, messageType: String? = nil, maximumExecutionFrequency: String? = nil) {
        self.eventSource = eventSource
        self.messageType = messageType
        self.maximumExecutionFrequency = maximumExecutionFrequency
    }
}

/// `Source.CustomPolicyDetails` of a `CUSTOM_POLICY` (Guard) rule.
public struct TemplateCustomPolicy: Sendable, Hashable {
    /// `PolicyRuntime`, such as `guard-2.x.x`.
    public var policyRuntime: String
    /// `PolicyText`: the Guard rules.
    public var policyText: String
    /// `EnableDebugLogDelivery`.
    public var enableDebugLogDelivery: Bool

    /// Creates custom policy details.
    public init(policyRuntime: String, policyText: String, enableDebugLogDelivery: Bool = false) {
        self.policyRuntime = policyRuntime
        self.policyText = policyText
        self.enableDebugLogDelivery = enableDebugLogDelivery
    }
}

/// An `AWS::Config::RemediationConfiguration` resource with every intrinsic function evaluated.
public struct TemplateRemediation: Sendable, Hashable {
    /// The resource's logical id in the template.
    public var logicalId: String
    /// `ConfigRuleName`: the template's un-suffixed rule name.
    public var configRuleName: String
    /// `TargetType`, such as `SSM_DOCUMENT`.
    public var targetType: String
    /// `TargetId`.
    public var targetId: String
    /// `TargetVersion`.
    public var targetVersion: String?
    /// `Parameters` as canonical JSON (keys sorted, every scalar a JSON string as written).
    public var parametersJSON: String?
    /// `ResourceType`.
    public var resourceType: String?
    /// `Automatic` (`true`/`True`/`TRUE`/`false`/... as YAML 1.1 writes booleans); false when absent.
    public var automatic: Bool
    /// `MaximumAutomaticAttempts`.
    public var maximumAutomaticAttempts: Int?
    /// `RetryAttemptSeconds`.
    public var retryAttemptSeconds: Int?
    /// `ExecutionControls` as canonical JSON (keys sorted; integer-looking scalars become JSON
    /// numbers and `true`/`false` JSON booleans, as the API's `ExecutionControls` shape types them).
    public var executionControlsJSON: String?

    /// Creates a remediation.
    public init(
        logicalId: String, configRuleName: String, targetType: String, targetId: String, targetVersion: String? = nil,
        parametersJSON: String? = nil, resourceType: String? = nil, automatic: Bool = false,
        maximumAutomaticAttempts: Int? = nil, retryAttemptSeconds: Int? = nil, executionControlsJSON: String? = nil
    ) {
        self.logicalId = logicalId
        self.configRuleName = configRuleName
        self.targetType = targetType
        self.targetId = targetId
        self.targetVersion = targetVersion
        self.parametersJSON = parametersJSON
        self.resourceType = resourceType
        self.automatic = automatic
        self.maximumAutomaticAttempts = maximumAutomaticAttempts
        self.retryAttemptSeconds = retryAttemptSeconds
        self.executionControlsJSON = executionControlsJSON
    }
}
