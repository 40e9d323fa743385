/// An AWS organization as the engine models it (spec §7, DESIGN.md "Organization file"): the
/// management account, the member accounts, up to three delegated administrators, and whether
/// all features are enabled.
///
/// A change is recorded as an event, so replay knows who belonged when. Without one, the default
/// organization stands: account 123456789012 manages an organization whose only account it is.
public struct Organization: Sendable, Hashable {
    /// The management account.
    public private(set) var managementAccountId: String
    /// The member accounts, sorted, without the management account.
    public private(set) var memberAccountIds: [String]
    /// Members registered as delegated administrators, sorted.
    public private(set) var delegatedAdministratorAccountIds: [String]
    /// Whether the organization has all features enabled (Put of an organization pack needs it).
    public private(set) var allFeaturesEnabled: Bool

    /// Delegated administrators an organization may have (spec §3).
    public static let delegatedAdministratorLimit = 3

    /// The organization of a log that never recorded one.
    public static let `default` = Organization(
        checked: "123456789012", members: [], administrators: [], allFeaturesEnabled: true)

    /// Creates an organization and checks it.
    ///
    /// - Parameters:
    ///   - managementAccountId: The management account.
    ///   - memberAccountIds: The member accounts; listing the management account too is allowed.
    ///   - delegatedAdministratorAccountIds: At most three members other than the management account.
    ///   - allFeaturesEnabled: Whether all features are enabled (true unless said otherwise).
    /// - Throws: `ValidationException` when an account id is not 12 digits, a list repeats an id,
    ///   there are more than three delegated administrators, or one of them is not a member.
    public init(
        managementAccountId: String, memberAccountIds: [String] = [], delegatedAdministratorAccountIds: [String] = [],
        allFeaturesEnabled: Bool = true
    ) throws(ConformanceError) {
        func invalid(_ message: String) -> ConformanceError { ConformanceError(.validation, message) }
        guard ModelPattern.accountId.matches(managementAccountId) else {
            throw invalid("ManagementAccountId '\(managementAccountId)' is not 12 digits")
        }
        for (field, ids) in [("MemberAccountIds", memberAccountIds), ("DelegatedAdministratorAccountIds", delegatedAdministratorAccountIds)] {
            if let bad = ids.first(where: { !ModelPattern.accountId.matches($0) }) {
                throw invalid("\(field) holds '\(bad)', which is not 12 digits")
            }
            if Set(ids).count != ids.count { throw invalid("\(field) lists an account twice") }
        }
        guard delegatedAdministratorAccountIds.count <= Self.delegatedAdministratorLimit else {
            throw invalid(
                "DelegatedAdministratorAccountIds lists \(delegatedAdministratorAccountIds.count) accounts; an organization has at most \(Self.delegatedAdministratorLimit)")
        }
        let members = Set(memberAccountIds)
        if let outsider = delegatedAdministratorAccountIds.first(where: { !members.contains($0) || $0 == managementAccountId }) {
            throw invalid("delegated administrator '\(outsider)' must be a member account other than the management account")
        }
        self.init(
            checked: managementAccountId, members: memberAccountIds.filter { $0 != managementAccountId },
            administrators: delegatedAdministratorAccountIds, allFeaturesEnabled: allFeaturesEnabled)
    }

    /// An organization already checked (decoded from the log, or built by the checking init).
    init(checked management: String, members: [String], administrators: [String], allFeaturesEnabled: Bool) {
        managementAccountId = management
        memberAccountIds = members.sorted()
        delegatedAdministratorAccountIds = administrators.sorted()
        self.allFeaturesEnabled = allFeaturesEnabled
    }

    /// Every account of the organization, management account included, sorted: what an
    /// organization pack targets before its exclusions (spec §7).
    public var accountIds: [String] {
        var all = memberAccountIds
        all.append(managementAccountId)
        return all.sorted()
    }

    /// Whether `account` may call the organization operations (spec §7).
    ///
    /// - Throws: `OrganizationAccessDeniedException`, with AWS's message for an account outside
    ///   the organization or for a member that neither manages nor administers it.
    func checkAdministrator(_ account: String) throws(ConformanceError) {
        if account == managementAccountId || delegatedAdministratorAccountIds.contains(account) { return }
        if memberAccountIds.contains(account) {
            throw ConformanceError(
                .organizationAccessDenied,
                "This action can be only made by AWS Organization's management account or delegated administrator.")
        }
        throw ConformanceError(.organizationAccessDenied, "This action can only be made by accounts in an AWS Organization")
    }
}
