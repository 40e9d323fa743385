/// The organization was recorded or changed (PutOrganization, or a start-up file that differs).
struct OrganizationChanged: Sendable, Hashable {
    var organization: Organization
    var time: Int64
}

/// What a PutOrganizationConformancePack set; absent from a deployment that only follows a
/// change of membership.
struct OrgPackSettings: Sendable, Hashable {
    var isCreate: Bool
    var deliveryS3Bucket: String?
    var deliveryS3KeyPrefix: String?
    var inputParameters: [NameValue]?
    var excludedAccounts: [String]
    var origin: TemplateOrigin
    /// Kept only when the template depends on the account (see ``OrgPackRecord/templateBody``).
    var templateBody: String?
}

/// One target account's deployment of an organization pack.
struct MemberDeployment: Sendable, Hashable {
    var accountId: String
    /// Index into ``OrgPackRequested/ruleSets``.
    var ruleSet: Int
    /// Set when the deployment fails (a fault, or a problem found against the account's state).
    var failure: MemberFailure?
}

/// One account whose member pack is deleted: it left the organization or the pack's targets, or
/// the whole organization pack is being deleted.
struct MemberRemoval: Sendable, Hashable {
    var accountId: String
    var failure: MemberFailure?
}

/// An organization pack is (re)deployed: to every target on a Put, or to the accounts that
/// joined its targets after a change of membership; accounts that left lose their member pack.
///
/// Compact at any scale: the rule set once (more only when the template depends on the account),
/// one seed from which every member's pack id, stack uuid and rule ids derive, and a few bytes
/// per member.
struct OrgPackRequested: Sendable, Hashable {
    var creator: PartitionKey
    var name: String
    var arn: String
    var time: Int64
    var dueTime: Int64
    var settings: OrgPackSettings?
    /// Rule sets (template rule names, no ids or ARNs), shared by the members that name them.
    var ruleSets: [[RuleRecord]]
    var seed: UInt64
    var deployments: [MemberDeployment]
    var removals: [MemberRemoval]
}

/// A DeleteOrganizationConformancePack was accepted: every member pack is being deleted.
struct OrgPackDeleteRequested: Sendable, Hashable {
    var creator: PartitionKey
    var name: String
    var time: Int64
    var dueTime: Int64
    /// Every target account, with the failure that ends its deletion, if any.
    var removals: [MemberRemoval]
}

/// `ConformAdmin.PutDeploymentFault`.
struct DeploymentFaultPut: Sendable, Hashable {
    var fault: DeploymentFault
}

/// `ConformAdmin.DeleteDeploymentFault`.
struct DeploymentFaultDeleted: Sendable, Hashable {
    var organizationConformancePackName: String
    var accountId: String
    var operation: DeploymentFault.Operation?
}

extension ByteWriter {
    mutating func organization(_ organization: Organization) {
        string(organization.managementAccountId)
        strings(organization.memberAccountIds)
        strings(organization.delegatedAdministratorAccountIds)
        bool(organization.allFeaturesEnabled)
    }

    mutating func memberFailure(_ failure: MemberFailure?) {
        guard let failure else { return u8(0) }
        u8(1)
        optionalString(failure.code)
        string(failure.message)
    }

    mutating func removals(_ removals: [MemberRemoval]) {
        count(removals.count)
        for removal in removals {
            string(removal.accountId)
            memberFailure(removal.failure)
        }
    }

    mutating func orgPackRequested(_ e: OrgPackRequested) {
        partition(e.creator)
        string(e.name)
        string(e.arn)
        i64(e.time)
        i64(e.dueTime)
        if let settings = e.settings {
            u8(1)
            bool(settings.isCreate)
            optionalString(settings.deliveryS3Bucket)
            optionalString(settings.deliveryS3KeyPrefix)
            optionalNameValues(settings.inputParameters)
            strings(settings.excludedAccounts)
            origin(settings.origin)
            optionalString(settings.templateBody)
        } else {
            u8(0)
        }
        count(e.ruleSets.count)
        for rules in e.ruleSets {
            count(rules.count)
            for record in rules { self.rule(record, layout: .v2) }
        }
        u64(e.seed)
        count(e.deployments.count)
        for deployment in e.deployments {
            string(deployment.accountId)
            varint(UInt64(deployment.ruleSet))
            memberFailure(deployment.failure)
        }
        removals(e.removals)
    }

    mutating func deploymentFault(_ fault: DeploymentFault) {
        string(fault.organizationConformancePackName)
        string(fault.accountId)
        optionalString(fault.operation?.rawValue)
        varint(UInt64(fault.remaining))
        string(fault.errorCode)
        string(fault.errorMessage)
    }
}

extension ByteReader {
    mutating func organization() throws(DecodeError) -> Organization {
        Organization(
            checked: try string(), members: try strings(), administrators: try strings(), allFeaturesEnabled: try bool())
    }

    mutating func memberFailure() throws(DecodeError) -> MemberFailure? {
        guard try bool() else { return nil }
        return MemberFailure(code: try optionalString(), message: try string())
    }

    mutating func removals() throws(DecodeError) -> [MemberRemoval] {
        var removals: [MemberRemoval] = []
        for _ in 0..<(try count()) {
            removals.append(MemberRemoval(accountId: try string(), failure: try memberFailure()))
        }
        return removals
    }

    mutating func orgPackRequested() throws(DecodeError) -> OrgPackRequested {
        let creator = try partition()
        let name = try string()
        let arn = try string()
        let time = try i64()
        let dueTime = try i64()
        var settings: OrgPackSettings?
        if try bool() {
            settings = OrgPackSettings(
                isCreate: try bool(), deliveryS3Bucket: try optionalString(), deliveryS3KeyPrefix: try optionalString(),
                inputParameters: try optionalNameValues(), excludedAccounts: try strings(), origin: try origin(),
                templateBody: try optionalString())
        }
        var ruleSets: [[RuleRecord]] = []
        for _ in 0..<(try count()) {
            var rules: [RuleRecord] = []
            for _ in 0..<(try count()) { rules.append(try self.rule(layout: .v2)) }
            ruleSets.append(rules)
        }
        let seed = try u64()
        var deployments: [MemberDeployment] = []
        for _ in 0..<(try count()) {
            let account = try string()
            let set = try varint()
            guard set < UInt64(ruleSets.count) else { throw DecodeError(message: "rule set \(set) out of range", offset: offset) }
            deployments.append(MemberDeployment(accountId: account, ruleSet: Int(set), failure: try memberFailure()))
        }
        return OrgPackRequested(
            creator: creator, name: name, arn: arn, time: time, dueTime: dueTime, settings: settings,
            ruleSets: ruleSets, seed: seed, deployments: deployments, removals: try removals())
    }

    mutating func deploymentFault() throws(DecodeError) -> DeploymentFault {
        let pack = try string()
        let account = try string()
        let operation = try optionalString()
        let parsed = operation.flatMap(DeploymentFault.Operation.init(rawValue:))
        if operation != nil && parsed == nil { throw DecodeError(message: "unknown fault operation", offset: offset) }
        let remaining = try varint()
        guard remaining <= UInt64(Int32.max) else { throw DecodeError(message: "fault count out of range", offset: offset) }
        return DeploymentFault(
            organizationConformancePackName: pack, accountId: account, operation: parsed, remaining: Int(remaining),
            errorCode: try string(), errorMessage: try string())
    }
}
