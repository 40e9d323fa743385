package import EventLog

/// What one event of the log touches: the accounts, packs and rules it names. The one place
/// that knows it, for `conform log dump` filters and `conform log history`.
///
/// An event touches what it names, read from the event alone: a pack event its pack (and the
/// rules a deployment names), a rule event its rule, `evaluationsRecorded` each of its rules,
/// `organizationChanged` every account of the organization, `orgPackRequested` its creator, each
/// member account it deploys to or removes from and the member packs `OrgConformsPack-…` there,
/// `orgPackDeleteRequested` its creator and the accounts it removes from (their member packs
/// when `memberPack` knows the organization pack's suffix). Template registry events touch no account.
package struct EventTouches: Sendable, Hashable {
    /// A pack or rule by account, region and name.
    package struct Named: Sendable, Hashable, Comparable {
        package var account: String
        package var region: String
        package var name: String

        package init(account: String, region: String, name: String) {
            self.account = account
            self.region = region
            self.name = name
        }

        package static func < (a: Named, b: Named) -> Bool {
            (a.account, a.region, a.name) < (b.account, b.region, b.name)
        }
    }

    /// The event's type as the describer prints it (`PackRequested`).
    package var type: String
    /// The account the event is about first (its partition, creator, or management account).
    package var account: String?
    /// The region of that account's partition, when the event has one.
    package var region: String?
    /// Every account named, sorted, without repeats.
    package var accounts: [String] = []
    /// Every pack named (account packs, member packs and organization packs), sorted.
    package var packs: [Named] = []
    /// Every rule named, sorted.
    package var rules: [Named] = []

    /// The pack the event is about first (its pack, or the organization pack it deploys).
    package var pack: String?

    /// Every event type name, in the order of ``DomainEvent``.
    package static let typeNames = [
        "PackRequested", "PackCompleted", "PackDeleteRequested", "PackDeleted", "ConfigRulePut", "ConfigRuleDeleted",
        "S3TemplateStored", "SSMDocumentStored", "EvaluationsRecorded", "EvaluationResultsDeleted", "OrganizationChanged",
        "OrgPackRequested", "OrgPackDeleteRequested", "DeploymentFaultPut", "DeploymentFaultDeleted",
    ]

    /// What `record` touches, or nil when it is not a domain event of this engine (or does not decode).
    ///
    /// - Parameter memberPack: The member pack name of an organization pack (creator, name), for
    ///   `orgPackDeleteRequested`, which does not carry it.
    package static func of(
        _ record: EventRecord, memberPack: (_ creatorAccount: String, _ region: String, _ name: String) -> String? = { _, _, _ in nil }
    ) -> EventTouches? {
        guard let event = try? EventCodec.decode(record) else { return nil }
        return of(event, memberPack: { memberPack($0.accountId, $0.region, $1) })
    }

    /// The member pack name an organization pack request gives its pack, or nil when `record` is not
    /// an `OrgPackRequested` (only those records are decoded, so a pass over a whole log is cheap).
    package static func memberPackRequest(
        _ record: EventRecord
    ) -> (creatorAccount: String, region: String, name: String, memberPack: String)? {
        guard record.type == EventCodec.EventType.orgPackRequested.rawValue,
              case .orgPackRequested(let e)? = try? EventCodec.decode(record)
        else { return nil }
        let member = OrganizationPackNames.memberPack(e.name, suffix: String(e.arn.suffix(OrganizationPackNames.suffixLength)))
        return (e.creator.accountId, e.creator.region, e.name, member)
    }

    /// What `event` touches.
    static func of(_ event: DomainEvent, memberPack: (PartitionKey, String) -> String? = { _, _ in nil }) -> EventTouches {
        var touches = EventTouches(type: typeName(event))
        switch event {
        case .packRequested(let e):
            touches.primary(e.partition, pack: e.name)
            if case .deploy(let rules) = e.outcome {
                for rule in rules { touches.addRule(e.partition, rule.name) }
            }
        case .packCompleted(let e), .packDeleted(let e):
            touches.primary(e.partition, pack: e.name)
        case .packDeleteRequested(let e):
            touches.primary(e.partition, pack: e.name)
        case .configRulePut(let e):
            touches.primary(e.partition)
            touches.addRule(e.partition, e.rule.name)
        case .configRuleDeleted(let e):
            touches.primary(e.partition)
            touches.addRule(e.partition, e.name)
        case .s3TemplateStored, .ssmDocumentStored:
            break
        case .evaluationsRecorded(let e):
            if let first = e.rules.first { touches.primary(first.partition) }
            for rule in e.rules {
                touches.addAccount(rule.partition.accountId)
                touches.addRule(rule.partition, rule.name)
            }
        case .evaluationResultsDeleted(let e):
            touches.primary(e.partition)
            touches.addRule(e.partition, e.name)
        case .organizationChanged(let e):
            let o = e.organization
            touches.account = o.managementAccountId
            for account in o.accountIds + o.delegatedAdministratorAccountIds { touches.addAccount(account) }
        case .orgPackRequested(let e):
            touches.primary(e.creator, pack: e.name)
            let member = OrganizationPackNames.memberPack(e.name, suffix: String(e.arn.suffix(OrganizationPackNames.suffixLength)))
            for account in e.deployments.map(\.accountId) + e.removals.map(\.accountId) {
                touches.addPack(PartitionKey(accountId: account, region: e.creator.region), member)
            }
        case .orgPackDeleteRequested(let e):
            touches.primary(e.creator, pack: e.name)
            let member = memberPack(e.creator, e.name)
            for removal in e.removals {
                let partition = PartitionKey(accountId: removal.accountId, region: e.creator.region)
                if let member { touches.addPack(partition, member) } else { touches.addAccount(removal.accountId) }
            }
        case .deploymentFaultPut(let e):
            touches.account = e.fault.accountId
            touches.addAccount(e.fault.accountId)
        case .deploymentFaultDeleted(let e):
            touches.account = e.accountId
            touches.addAccount(e.accountId)
        }
        touches.accounts = Array(Set(touches.accounts)).sorted()
        touches.packs = Array(Set(touches.packs)).sorted()
        touches.rules = Array(Set(touches.rules)).sorted()
        return touches
    }

    /// The name of `event`'s type, as ``ConformanceEventDescriber`` prints it.
    static func typeName(_ event: DomainEvent) -> String {
        let index: Int
        switch event {
        case .packRequested: index = 0
        case .packCompleted: index = 1
        case .packDeleteRequested: index = 2
        case .packDeleted: index = 3
        case .configRulePut: index = 4
        case .configRuleDeleted: index = 5
        case .s3TemplateStored: index = 6
        case .ssmDocumentStored: index = 7
        case .evaluationsRecorded: index = 8
        case .evaluationResultsDeleted: index = 9
        case .organizationChanged: index = 10
        case .orgPackRequested: index = 11
        case .orgPackDeleteRequested: index = 12
        case .deploymentFaultPut: index = 13
        case .deploymentFaultDeleted: index = 14
        }
        return typeNames[index]
    }

    /// Whether the event touches everything asked for: an account, a region, a pack (by name, an
    /// account pack, a member pack or an organization pack) and a rule; nil asks nothing.
    /// Pack and rule must lie in the account (and region) when those are given too.
    package func matches(account: String? = nil, region: String? = nil, pack: String? = nil, rule: String? = nil) -> Bool {
        func fits(_ named: Named) -> Bool {
            (account == nil || named.account == account) && (region == nil || named.region == region)
        }
        if let account, !accounts.contains(account) { return false }
        if let region, self.region != region, !packs.contains(where: { $0.region == region }), !rules.contains(where: { $0.region == region }) {
            return false
        }
        if let pack, !packs.contains(where: { $0.name == pack && fits($0) }) { return false }
        if let rule, !rules.contains(where: { $0.name == rule && fits($0) }) { return false }
        return true
    }

    private mutating func primary(_ partition: PartitionKey, pack: String? = nil) {
        if account == nil {
            account = partition.accountId
            region = partition.region
        }
        addAccount(partition.accountId)
        if let pack {
            if self.pack == nil { self.pack = pack }
            addPack(partition, pack)
        }
    }

    private mutating func addAccount(_ id: String) { accounts.append(id) }

    private mutating func addPack(_ partition: PartitionKey, _ name: String) {
        accounts.append(partition.accountId)
        packs.append(Named(account: partition.accountId, region: partition.region, name: name))
    }

    private mutating func addRule(_ partition: PartitionKey, _ name: String) {
        accounts.append(partition.accountId)
        rules.append(Named(account: partition.accountId, region: partition.region, name: name))
    }
}
