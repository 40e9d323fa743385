/// One account partition: every read model lives in exactly one (spec §0, "account partition").
///
/// Equal, hashed and ordered by the bytes of its parts (`ByteString`).
struct PartitionKey: Sendable, Hashable, Comparable {
    var accountId: String
    var region: String

    static func == (lhs: PartitionKey, rhs: PartitionKey) -> Bool {
        lhs.accountId.byteEquals(rhs.accountId) && lhs.region.byteEquals(rhs.region)
    }

    func hash(into hasher: inout Hasher) {
        accountId.hashBytes(into: &hasher)
        region.hashBytes(into: &hasher)
    }

    static func < (lhs: PartitionKey, rhs: PartitionKey) -> Bool {
        lhs.accountId.byteEquals(rhs.accountId) ? lhs.region.bytePrecedes(rhs.region) : lhs.accountId.bytePrecedes(rhs.accountId)
    }
}

/// `ConformancePackState` (spec §5.1).
enum PackState: UInt8, Sendable, Hashable {
    case createInProgress = 0
    case createComplete = 1
    case createFailed = 2
    case deleteInProgress = 3
    case deleteFailed = 4

    /// The state as the wire (and its messages) name it.
    var modelState: ConformancePackState {
        switch self {
        case .createInProgress: .createInProgress
        case .createComplete: .createComplete
        case .createFailed: .createFailed
        case .deleteInProgress: .deleteInProgress
        case .deleteFailed: .deleteFailed
        }
    }

    var isInProgress: Bool { self == .createInProgress || self == .deleteInProgress }
}

/// Where a pack's template came from; only the SSM document is ever echoed (spec §8.3).
enum TemplateOrigin: Sendable, Hashable {
    case body
    case s3(uri: String)
    case ssm(name: String, version: String?)
}

/// A `ConformancePackInputParameter` or `Tag`, as stored.
struct NameValue: Sendable, Hashable {
    var name: String
    var value: String
}

/// What the completion of an in-progress pack does; decided with the request.
enum PendingOutcome: Sendable, Hashable {
    /// Deploy these rules (replacing the pack's current ones) and reach CREATE_COMPLETE.
    case deploy([RuleRecord])
    /// Reach CREATE_FAILED with this reason, keeping the current rules.
    case fail(reason: String)
    /// Remove the pack and its rules.
    case delete
}

/// An account conformance pack.
struct PackRecord: Sendable, Hashable {
    var name: String
    var id: String
    var arn: String
    var stackArn: String
    var deliveryS3Bucket: String?
    var deliveryS3KeyPrefix: String?
    var inputParameters: [NameValue]?
    var origin: TemplateOrigin
    var tags: [NameValue]
    var state: PackState
    var statusReason: String?
    /// Epoch milliseconds of the request that created the pack.
    var created: Int64
    /// Epoch milliseconds.
    var lastUpdateRequested: Int64
    var lastUpdateCompleted: Int64?
    /// Names of the rules the pack has deployed, in template order.
    var ruleNames: [String]
    /// What completes the current CREATE/DELETE_IN_PROGRESS, and when (epoch ms).
    var pending: PendingOutcome?
    var dueTime: Int64?

    /// Rules this pack holds or will hold once its pending deployment completes (for limits).
    var reservedRuleCount: Int {
        if case .deploy(let rules) = pending { return max(ruleNames.count, rules.count) }
        return ruleNames.count
    }
}

/// A Config rule, created by a user (PutConfigRule) or deployed by a pack.
struct RuleRecord: Sendable, Hashable {
    var name: String
    var id: String
    var arn: String
    var description: String?
    var scope: Scope?
    var source: Source
    var inputParameters: String?
    var maximumExecutionFrequency: MaximumExecutionFrequency?
    /// `ConfigRuleState`: ACTIVE, or DELETING while its pack deletes.
    var state: ConfigRuleState
    var createdBy: String?
    var evaluationModes: [EvaluationMode]
    /// The name of the pack that owns the rule; `nil` for user rules.
    var ownerPack: String?
    /// The template's `Controls` for the rule (spec §8.5); empty for user rules.
    var controls: [String] = []
}
