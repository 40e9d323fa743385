import HashTreeCollections

/// What an organization pack, or one member's deployment of it, is doing (spec §5.2, §5.3).
enum OrgOperation: UInt8, Sendable, Hashable {
    case create = 0
    case update = 1
    case delete = 2
}

/// How far that operation got.
enum OrgPhase: UInt8, Sendable, Hashable {
    case inProgress = 0
    case successful = 1
    case failed = 2
}

/// One of the nine `OrganizationResourceStatus` / `OrganizationResourceDetailedStatus` values.
struct OrgStatus: Sendable, Hashable {
    var operation: OrgOperation
    var phase: OrgPhase

    /// A small number naming the status (operation × 3 + phase), for indexes and the codecs.
    var code: UInt8 { operation.rawValue * 3 + phase.rawValue }

    init(_ operation: OrgOperation, _ phase: OrgPhase) {
        self.operation = operation
        self.phase = phase
    }

    init?(code: UInt8) {
        guard let operation = OrgOperation(rawValue: code / 3), let phase = OrgPhase(rawValue: code % 3) else { return nil }
        self.init(operation, phase)
    }

    /// The status a wire value names; nil for one the model does not list.
    init?(_ status: OrganizationResourceDetailedStatus) {
        guard let code = (0..<UInt8(9)).first(where: { OrgStatus(code: $0)?.detailed == status }) else { return nil }
        self.init(code: code)
    }

    var detailed: OrganizationResourceDetailedStatus {
        switch (operation, phase) {
        case (.create, .inProgress): .createInProgress
        case (.create, .successful): .createSuccessful
        case (.create, .failed): .createFailed
        case (.update, .inProgress): .updateInProgress
        case (.update, .successful): .updateSuccessful
        case (.update, .failed): .updateFailed
        case (.delete, .inProgress): .deleteInProgress
        case (.delete, .successful): .deleteSuccessful
        case (.delete, .failed): .deleteFailed
        }
    }

    /// The same status as the organization-level enum (the two model enums list the same nine values).
    var organization: OrganizationResourceStatus { OrganizationResourceStatus(rawValue: detailed.rawValue) }
}

/// Why one member's deployment fails: a deployment fault (with its `ErrorCode`) or a problem of
/// the deployment itself (limits, rule names; no code of its own).
struct MemberFailure: Sendable, Hashable {
    var code: String?
    var message: String
}

/// One target account's row of an organization pack (spec §5.3, §8.13).
struct MemberRow: Sendable, Hashable {
    var accountId: String
    /// The member pack's name in that account.
    var packName: String
    var status: OrgStatus
    var errorCode: String?
    var errorMessage: String?
    /// Epoch ms of the row's last change.
    var lastUpdateTime: Int64
    /// The failure that ends the deployment under way, decided with its request.
    var pendingFailure: MemberFailure?
    /// The account leaves the pack (it left the organization or was excluded): its row goes once
    /// its member pack is deleted.
    var isLeaving: Bool
}

/// An organization conformance pack, stored under the account and region that created it (spec §7).
struct OrgPackRecord: Sendable, Hashable {
    var name: String
    var arn: String
    /// The random suffix of the ARN, shared by every member pack's name.
    var suffix: String
    var deliveryS3Bucket: String?
    var deliveryS3KeyPrefix: String?
    var inputParameters: [NameValue]?
    var excludedAccounts: [String]
    var origin: TemplateOrigin
    /// The rules every member deploys (template names, no ids), unless the template depends on
    /// the account; then `templateBody` is kept to resolve it for accounts that join.
    var rules: [RuleRecord]
    var templateBody: String?
    /// The organization-level operation under way or last done.
    var operation: OrgOperation
    /// Epoch ms of the last Put (`LastUpdateTime` of DescribeOrganizationConformancePacks).
    var lastUpdateTime: Int64
    /// Epoch ms of the last status change (`LastUpdateTime` of the statuses).
    var statusTime: Int64
    /// One row per target account, by account id.
    var rows: SortedMap<MemberRow>
    /// The accounts of each status (``OrgStatus/code``), so that a filtered page and the
    /// organization status cost no scan of the members.
    var byStatus: [SortedMap<Bool>] = Array(repeating: SortedMap(), count: 9)

    var memberPackName: String { OrganizationPackNames.memberPack(name, suffix: suffix) }

    /// How many rows are in `phase`, whatever their operation.
    func count(_ phase: OrgPhase) -> Int {
        byStatus[Int(phase.rawValue)].count + byStatus[3 + Int(phase.rawValue)].count + byStatus[6 + Int(phase.rawValue)].count
    }

    /// Derived from the rows (spec §5.2): any in progress, else any failed, else successful.
    var status: OrgStatus {
        if count(.inProgress) > 0 { return OrgStatus(operation, .inProgress) }
        if count(.failed) > 0 { return OrgStatus(operation, .failed) }
        return OrgStatus(operation, .successful)
    }

    /// The first failed row (by account), which the organization status summarises.
    var firstFailure: MemberRow? {
        var first: String?
        for operation in [OrgOperation.create, .update, .delete] {
            if let account = byStatus[Int(OrgStatus(operation, .failed).code)].keys.first,
               first.map({ account.bytePrecedes($0) }) ?? true {
                first = account
            }
        }
        return first.flatMap { rows[$0] }
    }

    var isInProgress: Bool { count(.inProgress) > 0 }

    /// Deleted everywhere: the organization pack goes (spec §5.2).
    var isDeleted: Bool { operation == .delete && status.phase == .successful }

    /// Sets a row, keeping the status index in step.
    mutating func setRow(_ row: MemberRow?, for account: String) {
        if let old = rows[account] { byStatus[Int(old.status.code)][account] = nil }
        rows[account] = row
        if let row { byStatus[Int(row.status.code)][account] = true }
    }
}

/// Makes the next `remaining` deployments of an organization pack fail in one account, with
/// the given `ErrorCode` and `ErrorMessage` (beyond AWS: `ConformAdmin.PutDeploymentFault`).
public struct DeploymentFault: Sendable, Hashable {
    /// Which deployments a fault hits.
    public enum Operation: String, Sendable, Hashable, CaseIterable {
        case create = "CREATE"
        case update = "UPDATE"
        case delete = "DELETE"
    }

    /// The organization pack.
    public var organizationConformancePackName: String
    /// The member account whose deployments fail.
    public var accountId: String
    /// The operations that fail; every one when nil.
    public var operation: Operation?
    /// How many deployments still fail.
    public var remaining: Int
    /// The member row's `ErrorCode`.
    public var errorCode: String
    /// The member row's `ErrorMessage`.
    public var errorMessage: String

    /// Creates a fault.
    public init(
        organizationConformancePackName: String, accountId: String, operation: Operation? = nil, remaining: Int = 1,
        errorCode: String, errorMessage: String
    ) {
        self.organizationConformancePackName = organizationConformancePackName
        self.accountId = accountId
        self.operation = operation
        self.remaining = remaining
        self.errorCode = errorCode
        self.errorMessage = errorMessage
    }

    /// The key a fault is stored under: one per pack, account and operation.
    static func key(_ pack: String, _ account: String, _ operation: Operation?) -> String {
        "\(pack)\u{0}\(account)\u{0}\(operation?.rawValue ?? "*")"
    }

    var key: String { Self.key(organizationConformancePackName, accountId, operation) }
}

/// A member pack's place: the account partition and the pack's name.
struct MemberPackKey: Sendable, Hashable {
    var partition: PartitionKey
    var name: ByteString
}

/// The organization pack a member pack belongs to.
struct OrgPackKey: Sendable, Hashable {
    var creator: PartitionKey
    var name: String

    static func == (lhs: OrgPackKey, rhs: OrgPackKey) -> Bool {
        lhs.creator == rhs.creator && lhs.name.byteEquals(rhs.name)
    }

    func hash(into hasher: inout Hasher) {
        creator.hash(into: &hasher)
        name.hashBytes(into: &hasher)
    }
}

/// The organization and its packs: read models like any other, rebuilt from events.
struct OrganizationState: Sendable {
    /// The recorded organization; nil until one is recorded (the default stands).
    var recorded: Organization?
    /// Organization packs by the account and region that created them.
    var packs = TreeDictionary<PartitionKey, SortedMap<OrgPackRecord>>()
    /// Member pack → its organization pack.
    var owners = TreeDictionary<MemberPackKey, OrgPackKey>()
    /// Deployment faults by ``DeploymentFault/key``.
    var faults = SortedMap<DeploymentFault>()

    var organization: Organization { recorded ?? .default }

    /// Organization packs across every creator (spec §3: 50 per organization).
    var packCount: Int { packs.values.reduce(0) { $0 + $1.count } }

    func owner(of pack: String, in partition: PartitionKey) -> OrgPackKey? {
        owners[MemberPackKey(partition: partition, name: ByteString(pack))]
    }

    /// The fault that hits the next `operation` of `pack` in `account`, if any.
    func fault(_ pack: String, account: String, _ operation: DeploymentFault.Operation) -> DeploymentFault? {
        for key in [DeploymentFault.key(pack, account, operation), DeploymentFault.key(pack, account, nil)] {
            if let fault = faults[key], fault.remaining > 0 { return fault }
        }
        return nil
    }
}
