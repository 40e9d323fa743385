public import EventLog

/// Describes the engine's events in one line each, for `conform log dump`.
///
/// Records of other types, or that do not decode, get `nil` (the dump then prints them raw).
public struct ConformanceEventDescriber: EventDescriber {
    /// Creates the describer.
    public init() {}

    /// A one-line description, e.g. `PackRequested 123456789012/us-east-1 MyPack id=… create rules=12`.
    ///
    /// - Parameter record: A record from the log.
    /// - Returns: The description, or `nil` when the record is not a domain event of this engine.
    public func describe(_ record: EventRecord) -> String? {
        guard let event = try? EventCodec.decode(record) else { return nil }
        return Self.describe(event)
    }

    static func describe(_ event: DomainEvent) -> String {
        func at(_ p: PartitionKey) -> String { "\(p.accountId)/\(p.region)" }
        switch event {
        case .packRequested(let e):
            let outcome: String
            switch e.outcome {
            case .deploy(let rules): outcome = "rules=\(rules.count)"
            case .fail(let reason): outcome = "fails=\"\(reason)\""
            case .delete: outcome = "delete"
            }
            return "PackRequested \(at(e.partition)) \(e.name) id=\(e.id) \(e.isCreate ? "create" : "update") time=\(e.time) due=\(e.dueTime) \(outcome)"
        case .packCompleted(let e):
            return "PackCompleted \(at(e.partition)) \(e.name) time=\(e.time)"
        case .packDeleteRequested(let e):
            return "PackDeleteRequested \(at(e.partition)) \(e.name) time=\(e.time) due=\(e.dueTime)"
        case .packDeleted(let e):
            return "PackDeleted \(at(e.partition)) \(e.name) time=\(e.time)"
        case .configRulePut(let e):
            return "ConfigRulePut \(at(e.partition)) \(e.rule.name) id=\(e.rule.id)"
        case .configRuleDeleted(let e):
            return "ConfigRuleDeleted \(at(e.partition)) \(e.name)"
        case .s3TemplateStored(let e):
            return "S3TemplateStored \(e.uri) bytes=\(e.body.utf8.count)"
        case .ssmDocumentStored(let e):
            return "SSMDocumentStored \(e.name) version=\(e.version) bytes=\(e.body.utf8.count)"
        case .evaluationsRecorded(let e):
            var counts = [0, 0, 0]
            for row in e.rows { counts[Int(row.compliance.rawValue)] += 1 }
            let rules = e.rules.prefix(3).map { "\(at($0.partition)) \($0.name)" }.joined(separator: ", ")
            let more = e.rules.count > 3 ? " and \(e.rules.count - 3) more" : ""
            return "EvaluationsRecorded results=\(e.rows.count) compliant=\(counts[0]) non_compliant=\(counts[1]) not_applicable=\(counts[2]) time=\(e.time) rules=[\(rules)\(more)]"
        case .evaluationResultsDeleted(let e):
            return "EvaluationResultsDeleted \(at(e.partition)) \(e.name) time=\(e.time)"
        case .organizationChanged(let e):
            let o = e.organization
            return "OrganizationChanged management=\(o.managementAccountId) members=\(o.memberAccountIds.count) administrators=\(o.delegatedAdministratorAccountIds.joined(separator: ",")) allFeatures=\(o.allFeaturesEnabled) time=\(e.time)"
        case .orgPackRequested(let e):
            let failed = e.deployments.count { $0.failure != nil }
            let kind = e.settings.map { $0.isCreate ? "create" : "update" } ?? "membership"
            return "OrgPackRequested \(at(e.creator)) \(e.name) \(kind) time=\(e.time) due=\(e.dueTime) members=\(e.deployments.count) failing=\(failed) leaving=\(e.removals.count) rules=\(e.ruleSets.map(\.count))"
        case .orgPackDeleteRequested(let e):
            let failed = e.removals.count { $0.failure != nil }
            return "OrgPackDeleteRequested \(at(e.creator)) \(e.name) time=\(e.time) due=\(e.dueTime) members=\(e.removals.count) failing=\(failed)"
        case .deploymentFaultPut(let e):
            let f = e.fault
            return "DeploymentFaultPut \(f.organizationConformancePackName) account=\(f.accountId) operation=\(f.operation?.rawValue ?? "any") remaining=\(f.remaining) code=\(f.errorCode)"
        case .deploymentFaultDeleted(let e):
            return "DeploymentFaultDeleted \(e.organizationConformancePackName) account=\(e.accountId) operation=\(e.operation?.rawValue ?? "any")"
        }
    }
}
