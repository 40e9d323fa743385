package import ConformancePacks
import Foundation

/// The organization document of `--organization FILE` and of the admin targets
/// `ConformAdmin.PutOrganization` / `ConformAdmin.DescribeOrganization`:
/// `{"ManagementAccountId": "123456789012", "MemberAccountIds": [...],
/// "DelegatedAdministratorAccountIds": [...], "AllFeaturesEnabled": true}`.
package struct OrganizationDocument: Sendable, Hashable, Codable {
    /// The management account.
    package var managementAccountId: String
    /// The member accounts (the management account may be listed too).
    package var memberAccountIds: [String]
    /// Members registered as delegated administrators (at most 3).
    package var delegatedAdministratorAccountIds: [String]
    /// Whether all features are enabled; true when absent.
    package var allFeaturesEnabled: Bool?

    /// A document that cannot be used.
    package struct LoadError: Error, Sendable, CustomStringConvertible {
        /// What is wrong and where.
        package var description: String
    }

    enum CodingKeys: String, CodingKey {
        case managementAccountId = "ManagementAccountId"
        case memberAccountIds = "MemberAccountIds"
        case delegatedAdministratorAccountIds = "DelegatedAdministratorAccountIds"
        case allFeaturesEnabled = "AllFeaturesEnabled"
    }

    /// The document of an organization.
    package init(_ organization: Organization) {
        managementAccountId = organization.managementAccountId
        memberAccountIds = organization.memberAccountIds
        delegatedAdministratorAccountIds = organization.delegatedAdministratorAccountIds
        allFeaturesEnabled = organization.allFeaturesEnabled
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        managementAccountId = try container.decode(String.self, forKey: .managementAccountId)
        memberAccountIds = try container.decodeIfPresent([String].self, forKey: .memberAccountIds) ?? []
        delegatedAdministratorAccountIds =
            try container.decodeIfPresent([String].self, forKey: .delegatedAdministratorAccountIds) ?? []
        allFeaturesEnabled = try container.decodeIfPresent(Bool.self, forKey: .allFeaturesEnabled)
    }

    /// The organization the document describes, checked (see `Organization.init`).
    ///
    /// - Throws: `ValidationException` naming the problem.
    package func organization() throws(ConformanceError) -> Organization {
        try Organization(
            managementAccountId: managementAccountId, memberAccountIds: memberAccountIds,
            delegatedAdministratorAccountIds: delegatedAdministratorAccountIds,
            allFeaturesEnabled: allFeaturesEnabled ?? true)
    }

    /// Reads and checks a document file.
    ///
    /// - Parameter path: The JSON file.
    /// - Returns: The organization it describes.
    /// - Throws: ``LoadError`` naming the file and the problem.
    package static func load(contentsOfFile path: String) throws(LoadError) -> Organization {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw LoadError(description: "cannot read organization file '\(path)': \(error.localizedDescription)")
        }
        let document: OrganizationDocument
        do {
            document = try JSONDecoder().decode(OrganizationDocument.self, from: data)
        } catch {
            throw LoadError(
                description: "organization file '\(path)' is not a JSON object with a \"ManagementAccountId\" string, optional \"MemberAccountIds\" and \"DelegatedAdministratorAccountIds\" lists of strings and an optional \"AllFeaturesEnabled\" boolean"
            )
        }
        do {
            return try document.organization()
        } catch {
            throw LoadError(description: "organization file '\(path)': \(error.message)")
        }
    }
}
