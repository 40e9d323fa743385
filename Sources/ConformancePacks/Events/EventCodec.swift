import EventLog

/// The versioned binary codec of ``DomainEvent``s: one `EventRecord` type per case, each with
/// its own schema version.
///
/// A type's version goes up when its layout changes; the decoders of every older version stay, so
/// a log written by any earlier release replays. A decoder meets an unknown type or a newer
/// version with an error that names it, never a guess.
///
/// | type | versions | what changed |
/// |---|---|---|
/// | packRequested (1) | 1, 2 | 2: deployed rules carry `Controls` (`RuleLayout.v2`) |
/// | configRulePut (5) | 1, 2 | 2: the rule carries `Controls` (`RuleLayout.v2`) |
/// | evaluationsRecorded (9) | 1 | |
/// | evaluationResultsDeleted (10) | 1 | |
/// | organizationChanged (11) … deploymentFaultDeleted (15) | 1 | |
/// | the others | 1 | |
enum EventCodec {
    enum EventType: UInt16, CaseIterable {
        case packRequested = 1
        case packCompleted = 2
        case packDeleteRequested = 3
        case packDeleted = 4
        case configRulePut = 5
        case configRuleDeleted = 6
        case s3TemplateStored = 7
        case ssmDocumentStored = 8
        case evaluationsRecorded = 9
        case evaluationResultsDeleted = 10
        case organizationChanged = 11
        case orgPackRequested = 12
        case orgPackDeleteRequested = 13
        case deploymentFaultPut = 14
        case deploymentFaultDeleted = 15

        /// The schema version this build writes.
        var currentVersion: UInt8 {
            switch self {
            case .packRequested, .configRulePut: 2
            case .packCompleted, .packDeleteRequested, .packDeleted, .configRuleDeleted, .s3TemplateStored, .ssmDocumentStored,
                .evaluationsRecorded, .evaluationResultsDeleted, .organizationChanged, .orgPackRequested,
                .orgPackDeleteRequested, .deploymentFaultPut, .deploymentFaultDeleted:
                1
            }
        }
    }

    static func encode(_ event: DomainEvent) -> EventRecord {
        var w = ByteWriter()
        let type: EventType
        switch event {
        case .packRequested(let e):
            type = .packRequested
            w.partition(e.partition)
            w.string(e.name)
            w.bool(e.isCreate)
            w.string(e.id)
            w.string(e.arn)
            w.string(e.stackArn)
            w.i64(e.time)
            w.i64(e.dueTime)
            w.optionalString(e.deliveryS3Bucket)
            w.optionalString(e.deliveryS3KeyPrefix)
            w.optionalNameValues(e.inputParameters)
            w.origin(e.origin)
            w.nameValues(e.tags)
            w.outcome(e.outcome, ruleLayout: RuleLayout(version: Int(EventType.packRequested.currentVersion)))
        case .packCompleted(let e):
            type = .packCompleted
            w.transition(e)
        case .packDeleteRequested(let e):
            type = .packDeleteRequested
            w.partition(e.partition)
            w.string(e.name)
            w.i64(e.time)
            w.i64(e.dueTime)
        case .packDeleted(let e):
            type = .packDeleted
            w.transition(e)
        case .configRulePut(let e):
            type = .configRulePut
            w.partition(e.partition)
            w.rule(e.rule, layout: RuleLayout(version: Int(EventType.configRulePut.currentVersion)))
        case .configRuleDeleted(let e):
            type = .configRuleDeleted
            w.partition(e.partition)
            w.string(e.name)
        case .s3TemplateStored(let e):
            type = .s3TemplateStored
            w.string(e.uri)
            w.string(e.body)
        case .ssmDocumentStored(let e):
            type = .ssmDocumentStored
            w.string(e.name)
            w.varint(UInt64(e.version))
            w.string(e.body)
        case .evaluationsRecorded(let e):
            type = .evaluationsRecorded
            w.evaluations(e)
        case .evaluationResultsDeleted(let e):
            type = .evaluationResultsDeleted
            w.partition(e.partition)
            w.string(e.name)
            w.i64(e.time)
        case .organizationChanged(let e):
            type = .organizationChanged
            w.organization(e.organization)
            w.i64(e.time)
        case .orgPackRequested(let e):
            type = .orgPackRequested
            w.orgPackRequested(e)
        case .orgPackDeleteRequested(let e):
            type = .orgPackDeleteRequested
            w.partition(e.creator)
            w.string(e.name)
            w.i64(e.time)
            w.i64(e.dueTime)
            w.removals(e.removals)
        case .deploymentFaultPut(let e):
            type = .deploymentFaultPut
            w.deploymentFault(e.fault)
        case .deploymentFaultDeleted(let e):
            type = .deploymentFaultDeleted
            w.string(e.organizationConformancePackName)
            w.string(e.accountId)
            w.optionalString(e.operation?.rawValue)
        }
        return EventRecord(type: type.rawValue, schemaVersion: type.currentVersion, payload: w.bytes)
    }

    static func decode(_ record: EventRecord) throws(DecodeError) -> DomainEvent {
        guard let type = EventType(rawValue: record.type) else {
            throw DecodeError(message: "unknown event type \(record.type)", offset: 0)
        }
        let version = record.schemaVersion
        guard version >= 1, version <= type.currentVersion else {
            throw DecodeError(
                message: "schema version \(version) of event type \(record.type) is not one this build reads (1...\(type.currentVersion)); a newer conform wrote it",
                offset: 0)
        }
        var r = ByteReader(record.payload)
        let event: DomainEvent
        switch type {
        case .packRequested:
            event = .packRequested(PackRequested(
                partition: try r.partition(),
                name: try r.string(),
                isCreate: try r.bool(),
                id: try r.string(),
                arn: try r.string(),
                stackArn: try r.string(),
                time: try r.i64(),
                dueTime: try r.i64(),
                deliveryS3Bucket: try r.optionalString(),
                deliveryS3KeyPrefix: try r.optionalString(),
                inputParameters: try r.optionalNameValues(),
                origin: try r.origin(),
                tags: try r.nameValues(),
                outcome: try r.outcome(ruleLayout: RuleLayout(version: Int(version)))
            ))
        case .packCompleted:
            event = .packCompleted(try r.transition())
        case .packDeleteRequested:
            event = .packDeleteRequested(PackDeleteRequested(
                partition: try r.partition(), name: try r.string(), time: try r.i64(), dueTime: try r.i64()
            ))
        case .packDeleted:
            event = .packDeleted(try r.transition())
        case .configRulePut:
            event = .configRulePut(ConfigRulePut(partition: try r.partition(), rule: try r.rule(layout: RuleLayout(version: Int(version)))))
        case .configRuleDeleted:
            event = .configRuleDeleted(ConfigRuleDeleted(partition: try r.partition(), name: try r.string()))
        case .s3TemplateStored:
            event = .s3TemplateStored(S3TemplateStored(uri: try r.string(), body: try r.string()))
        case .ssmDocumentStored:
            let name = try r.string()
            let version = try r.varint()
            guard version <= UInt64(Int32.max) else { throw DecodeError(message: "document version \(version) out of range", offset: r.offset) }
            event = .ssmDocumentStored(SSMDocumentStored(name: name, version: Int(version), body: try r.string()))
        case .evaluationsRecorded:
            event = .evaluationsRecorded(try r.evaluations())
        case .evaluationResultsDeleted:
            event = .evaluationResultsDeleted(EvaluationResultsDeleted(partition: try r.partition(), name: try r.string(), time: try r.i64()))
        case .organizationChanged:
            event = .organizationChanged(OrganizationChanged(organization: try r.organization(), time: try r.i64()))
        case .orgPackRequested:
            event = .orgPackRequested(try r.orgPackRequested())
        case .orgPackDeleteRequested:
            event = .orgPackDeleteRequested(OrgPackDeleteRequested(
                creator: try r.partition(), name: try r.string(), time: try r.i64(), dueTime: try r.i64(), removals: try r.removals()))
        case .deploymentFaultPut:
            event = .deploymentFaultPut(DeploymentFaultPut(fault: try r.deploymentFault()))
        case .deploymentFaultDeleted:
            let name = try r.string()
            let account = try r.string()
            let operation = try r.optionalString()
            let parsed = operation.flatMap(DeploymentFault.Operation.init(rawValue:))
            if operation != nil && parsed == nil { throw DecodeError(message: "unknown fault operation", offset: r.offset) }
            event = .deploymentFaultDeleted(DeploymentFaultDeleted(organizationConformancePackName: name, accountId: account, operation: parsed))
        }
        try r.expectEnd()
        return event
    }
}

extension ByteWriter {
    fileprivate mutating func transition(_ e: PackTransition) {
        partition(e.partition)
        string(e.name)
        i64(e.time)
    }
}

extension ByteReader {
    fileprivate mutating func transition() throws(DecodeError) -> PackTransition {
        PackTransition(partition: try partition(), name: try string(), time: try i64())
    }
}
