/// A fact the engine recorded. Nothing reaches a read model except through one of these.
///
/// Every value that was not in the command (times, ids, ARNs, the deployed rules) is decided once
/// and carried here, so replay reproduces the live state without a clock, an id source or a
/// template parser.
enum DomainEvent: Sendable, Hashable {
    /// A PutConformancePack was accepted: the pack is (re)entering CREATE_IN_PROGRESS.
    case packRequested(PackRequested)
    /// The pending deployment of a pack finished (CREATE_COMPLETE or CREATE_FAILED).
    case packCompleted(PackTransition)
    /// A DeleteConformancePack was accepted: the pack is DELETE_IN_PROGRESS.
    case packDeleteRequested(PackDeleteRequested)
    /// The pack and its rules are gone.
    case packDeleted(PackTransition)
    /// A user rule was created or updated by PutConfigRule.
    case configRulePut(ConfigRulePut)
    /// A user rule was removed by DeleteConfigRule.
    case configRuleDeleted(ConfigRuleDeleted)
    /// A template was registered under an S3 URI.
    case s3TemplateStored(S3TemplateStored)
    /// A template was registered as a version of an SSM document.
    case ssmDocumentStored(SSMDocumentStored)
    /// Evaluation results were recorded (the latest `OrderingTimestamp` of each result wins).
    case evaluationsRecorded(EvaluationsRecorded)
    /// Every result of a rule was deleted.
    case evaluationResultsDeleted(EvaluationResultsDeleted)
    /// The organization was recorded or changed.
    case organizationChanged(OrganizationChanged)
    /// An organization pack is (re)deployed to its targets, or follows a change of membership.
    case orgPackRequested(OrgPackRequested)
    /// An organization pack is being deleted from every target.
    case orgPackDeleteRequested(OrgPackDeleteRequested)
    /// A deployment fault was set.
    case deploymentFaultPut(DeploymentFaultPut)
    /// A deployment fault was cleared.
    case deploymentFaultDeleted(DeploymentFaultDeleted)
}

struct PackRequested: Sendable, Hashable {
    var partition: PartitionKey
    var name: String
    var isCreate: Bool
    var id: String
    var arn: String
    var stackArn: String
    /// Epoch ms of the request (`LastUpdateRequestedTime`).
    var time: Int64
    /// Epoch ms at which the deployment completes.
    var dueTime: Int64
    var deliveryS3Bucket: String?
    var deliveryS3KeyPrefix: String?
    var inputParameters: [NameValue]?
    var origin: TemplateOrigin
    /// Applied at creation only (spec §8.1).
    var tags: [NameValue]
    var outcome: PendingOutcome
}

struct PackTransition: Sendable, Hashable {
    var partition: PartitionKey
    var name: String
    /// Epoch ms at which the transition happened.
    var time: Int64
}

struct PackDeleteRequested: Sendable, Hashable {
    var partition: PartitionKey
    var name: String
    var time: Int64
    var dueTime: Int64
}

struct ConfigRulePut: Sendable, Hashable {
    var partition: PartitionKey
    var rule: RuleRecord
}

struct ConfigRuleDeleted: Sendable, Hashable {
    var partition: PartitionKey
    var name: String
}

struct S3TemplateStored: Sendable, Hashable {
    var uri: String
    var body: String
}

struct SSMDocumentStored: Sendable, Hashable {
    var name: String
    /// 1-based version number.
    var version: Int
    var body: String
}
