/// Binary coding of the records that events and snapshots share.
///
/// Field order is the format: change it only with a new layout, chosen by the schema version of
/// the event type or the snapshot format that holds the record. Every layout ever written stays
/// readable. Model enums are written as their raw (wire) strings, so any value, listed by the
/// model or not, reads back as it was written.

/// The layouts of a rule record.
enum RuleLayout: Sendable {
    /// As first released (event schema 1, snapshot format 1).
    case v1
    /// Adds the template's `Controls` after the owner pack.
    case v2

    static let current = RuleLayout.v2

    /// The layout of an event schema or snapshot format version: both moved to v2 at version 2.
    init(version: Int) {
        self = version >= 2 ? .v2 : .v1
    }
}

extension ByteWriter {
    mutating func partition(_ key: PartitionKey) {
        string(key.accountId)
        string(key.region)
    }

    mutating func nameValues(_ values: [NameValue]) {
        count(values.count)
        for pair in values {
            string(pair.name)
            string(pair.value)
        }
    }

    mutating func optionalNameValues(_ values: [NameValue]?) {
        if let values {
            u8(1)
            nameValues(values)
        } else {
            u8(0)
        }
    }

    mutating func origin(_ origin: TemplateOrigin) {
        switch origin {
        case .body:
            u8(0)
        case .s3(let uri):
            u8(1)
            string(uri)
        case .ssm(let name, let version):
            u8(2)
            string(name)
            optionalString(version)
        }
    }

    mutating func rule(_ rule: RuleRecord, layout: RuleLayout = .current) {
        string(rule.name)
        string(rule.id)
        string(rule.arn)
        optionalString(rule.description)
        if let scope = rule.scope {
            u8(1)
            optionalStrings(scope.complianceResourceTypes)
            optionalString(scope.tagKey)
            optionalString(scope.tagValue)
            optionalString(scope.complianceResourceId)
        } else {
            u8(0)
        }
        string(rule.source.owner.rawValue)
        optionalString(rule.source.sourceIdentifier)
        if let details = rule.source.sourceDetails {
            u8(1)
            count(details.count)
            for detail in details {
                optionalString(detail.eventSource?.rawValue)
                optionalString(detail.messageType?.rawValue)
                optionalString(detail.maximumExecutionFrequency?.rawValue)
            }
        } else {
            u8(0)
        }
        if let policy = rule.source.customPolicyDetails {
            u8(1)
            string(policy.policyRuntime)
            string(policy.policyText)
            switch policy.enableDebugLogDelivery {
            case nil: u8(0)
            case false?: u8(1)
            case true?: u8(2)
            }
        } else {
            u8(0)
        }
        optionalString(rule.inputParameters)
        optionalString(rule.maximumExecutionFrequency?.rawValue)
        string(rule.state.rawValue)
        optionalString(rule.createdBy)
        strings(rule.evaluationModes.map(\.rawValue))
        optionalString(rule.ownerPack)
        if layout == .v2 { strings(rule.controls) }
    }

    mutating func outcome(_ outcome: PendingOutcome, ruleLayout: RuleLayout = .current) {
        switch outcome {
        case .deploy(let rules):
            u8(0)
            count(rules.count)
            for item in rules { rule(item, layout: ruleLayout) }
        case .fail(let reason):
            u8(1)
            string(reason)
        case .delete:
            u8(2)
        }
    }
}

extension ByteReader {
    mutating func partition() throws(DecodeError) -> PartitionKey {
        PartitionKey(accountId: try string(), region: try string())
    }

    mutating func nameValues() throws(DecodeError) -> [NameValue] {
        let n = try count()
        var values: [NameValue] = []
        values.reserveCapacity(n)
        for _ in 0..<n { values.append(NameValue(name: try string(), value: try string())) }
        return values
    }

    mutating func optionalNameValues() throws(DecodeError) -> [NameValue]? {
        try bool() ? try nameValues() : nil
    }

    mutating func origin() throws(DecodeError) -> TemplateOrigin {
        switch try u8() {
        case 0: return .body
        case 1: return .s3(uri: try string())
        case 2: return .ssm(name: try string(), version: try optionalString())
        default: throw DecodeError(message: "unknown template origin", offset: offset - 1)
        }
    }

    mutating func rule(layout: RuleLayout) throws(DecodeError) -> RuleRecord {
        let name = try string()
        let id = try string()
        let arn = try string()
        let description = try optionalString()
        var scope: Scope?
        if try bool() {
            scope = Scope(
                complianceResourceTypes: try optionalStrings(),
                tagKey: try optionalString(),
                tagValue: try optionalString(),
                complianceResourceId: try optionalString()
            )
        }
        var source = Source(owner: Owner(rawValue: try string()), sourceIdentifier: try optionalString())
        if try bool() {
            let n = try count()
            var details: [SourceDetail] = []
            for _ in 0..<n {
                details.append(SourceDetail(
                    eventSource: try optionalString().map(EventSource.init(rawValue:)),
                    messageType: try optionalString().map(MessageType.init(rawValue:)),
                    maximumExecutionFrequency: try optionalString().map(MaximumExecutionFrequency.init(rawValue:))
                ))
            }
            source.sourceDetails = details
        }
        if try bool() {
            var policy = CustomPolicyDetails(policyRuntime: try string(), policyText: try string())
            switch try u8() {
            case 0: policy.enableDebugLogDelivery = nil
            case 1: policy.enableDebugLogDelivery = false
            case 2: policy.enableDebugLogDelivery = true
            default: throw DecodeError(message: "invalid optional boolean", offset: offset - 1)
            }
            source.customPolicyDetails = policy
        }
        return RuleRecord(
            name: name, id: id, arn: arn, description: description, scope: scope, source: source,
            inputParameters: try optionalString(),
            maximumExecutionFrequency: try optionalString().map(MaximumExecutionFrequency.init(rawValue:)),
            state: ConfigRuleState(rawValue: try string()),
            createdBy: try optionalString(),
            evaluationModes: try strings().map(EvaluationMode.init(rawValue:)),
            ownerPack: try optionalString(),
            controls: layout == .v2 ? try strings() : []
        )
    }

    mutating func outcome(ruleLayout: RuleLayout) throws(DecodeError) -> PendingOutcome {
        switch try u8() {
        case 0:
            let n = try count()
            var rules: [RuleRecord] = []
            rules.reserveCapacity(n)
            for _ in 0..<n { rules.append(try rule(layout: ruleLayout)) }
            return .deploy(rules)
        case 1:
            return .fail(reason: try string())
        case 2:
            return .delete
        default:
            throw DecodeError(message: "unknown pending outcome", offset: offset - 1)
        }
    }
}
