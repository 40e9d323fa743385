/// One evaluation to record: the result of `rule` for one resource.
public struct EvaluationInput: Sendable, Hashable {
    /// The rule's slot, from `ComplianceStore.ruleSlot(forKey:)`.
    public var rule: UInt32
    /// The resource type, such as `AWS::S3::Bucket`.
    public var resourceType: String
    /// The resource id within its type.
    public var resourceId: String
    /// The result's compliance.
    public var compliance: ResultCompliance
    /// The evaluation's ordering timestamp (epoch ms): the latest one wins.
    public var orderingTimestamp: Int64
    /// The annotation, if any.
    public var annotation: String?

    /// Creates an input.
    public init(
        rule: UInt32, resourceType: String, resourceId: String, compliance: ResultCompliance,
        orderingTimestamp: Int64, annotation: String? = nil
    ) {
        self.rule = rule
        self.resourceType = resourceType
        self.resourceId = resourceId
        self.compliance = compliance
        self.orderingTimestamp = orderingTimestamp
        self.annotation = annotation
    }
}

/// What `ComplianceStore.record(_:recordedTime:)` did with its inputs.
public struct RecordOutcome: Sendable, Hashable {
    /// Inputs stored: new results and replacements.
    public var stored: Int
    /// Inputs ignored: an earlier ordering timestamp than the stored result's, an unknown rule
    /// slot, or a string longer than `StringTable.maxStringBytes`.
    public var ignored: Int

    /// Creates an outcome.
    public init(stored: Int = 0, ignored: Int = 0) {
        self.stored = stored
        self.ignored = ignored
    }
}
