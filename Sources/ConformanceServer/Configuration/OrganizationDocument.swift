import Foundation

/// The organization document of `--organization FILE` (and, in a later issue, of
/// `ConformAdmin.PutOrganization`): `{"ManagementAccountId": "123456789012", "MemberAccountIds":
/// [...], "DelegatedAdministratorAccountIds": [...]}`.
package struct OrganizationDocument: Sendable, Hashable, Codable {
    /// The management account.
    package var managementAccountId: String
    /// The member accounts (the management account may be listed too).
    package var memberAccountIds: [String]
    /// Members registered as delegated administrators (at most 3).
    package var delegatedAdministratorAccountIds: [String]

    /// Delegated administrators an organization may have (spec §3).
    package static let delegatedAdministratorLimit = 3

    /// A document that cannot be used.
    package struct LoadError: Error, Sendable, CustomStringConvertible {
        /// What is wrong and where.
        package var description: String
    }

    enum CodingKeys: String, CodingKey {
        case managementAccountId = "ManagementAccountId"
        case memberAccountIds = "MemberAccountIds"
        case delegatedAdministratorAccountIds = "DelegatedAdministratorAccountIds"
    }

    /// Creates a document and checks it.
    ///
    /// - Throws: ``LoadError`` when an account id is not 12 digits, a list repeats an id, there are
    ///   more than 3 delegated administrators, or one of them is not a member account.
    package init(
        managementAccountId: String, memberAccountIds: [String] = [], delegatedAdministratorAccountIds: [String] = []
    ) throws(LoadError) {
        self.managementAccountId = managementAccountId
        self.memberAccountIds = memberAccountIds
        self.delegatedAdministratorAccountIds = delegatedAdministratorAccountIds
        try check()
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        managementAccountId = try container.decode(String.self, forKey: .managementAccountId)
        memberAccountIds = try container.decodeIfPresent([String].self, forKey: .memberAccountIds) ?? []
        delegatedAdministratorAccountIds =
            try container.decodeIfPresent([String].self, forKey: .delegatedAdministratorAccountIds) ?? []
    }

    /// Reads and checks a document file.
    ///
    /// - Parameter path: The JSON file.
    /// - Throws: ``LoadError`` naming the file and the problem.
    package init(contentsOfFile path: String) throws(LoadError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw LoadError(description: "cannot read organization file '\(path)': \(error.localizedDescription)")
        }
        do {
            self = try JSONDecoder().decode(OrganizationDocument.self, from: data)
        } catch {
            throw LoadError(
                description: "organization file '\(path)' is not a JSON object with a \"ManagementAccountId\" string and optional \"MemberAccountIds\" and \"DelegatedAdministratorAccountIds\" lists of strings"
            )
        }
        do {
            try check()
        } catch {
            throw LoadError(description: "organization file '\(path)': \(error.description)")
        }
    }

    /// Checks the rules listed at ``init(managementAccountId:memberAccountIds:delegatedAdministratorAccountIds:)``.
    package func check() throws(LoadError) {
        let isAccount = Authenticator.isAccountId
        guard isAccount(managementAccountId) else {
            throw LoadError(description: "ManagementAccountId '\(managementAccountId)' is not 12 digits")
        }
        for (field, ids) in [("MemberAccountIds", memberAccountIds), ("DelegatedAdministratorAccountIds", delegatedAdministratorAccountIds)] {
            if let bad = ids.first(where: { !isAccount($0) }) {
                throw LoadError(description: "\(field) holds '\(bad)', which is not 12 digits")
            }
            if Set(ids).count != ids.count {
                throw LoadError(description: "\(field) lists an account twice")
            }
        }
        guard delegatedAdministratorAccountIds.count <= Self.delegatedAdministratorLimit else {
            throw LoadError(
                description: "DelegatedAdministratorAccountIds lists \(delegatedAdministratorAccountIds.count) accounts; an organization has at most \(Self.delegatedAdministratorLimit)"
            )
        }
        let members = Set(memberAccountIds)
        if let outsider = delegatedAdministratorAccountIds.first(where: { !members.contains($0) || $0 == managementAccountId }) {
            throw LoadError(
                description: "delegated administrator '\(outsider)' must be a member account other than the management account"
            )
        }
    }
}
