import ConformancePacks

/// The body of `ConformAdmin.PutDeploymentFault`: `{"OrganizationConformancePackName", "AccountId",
/// "Operation": "CREATE" | "UPDATE" | "DELETE" (every one when absent), "Count" (1 when absent),
/// "ErrorCode", "ErrorMessage"}`.
struct PutDeploymentFaultRequest: Sendable, Decodable {
    var organizationConformancePackName: String
    var accountId: String
    var operation: String?
    var count: Int?
    var errorCode: String
    var errorMessage: String

    enum CodingKeys: String, CodingKey {
        case organizationConformancePackName = "OrganizationConformancePackName"
        case accountId = "AccountId"
        case operation = "Operation"
        case count = "Count"
        case errorCode = "ErrorCode"
        case errorMessage = "ErrorMessage"
    }

    func fault() throws(ServiceError) -> DeploymentFault {
        DeploymentFault(
            organizationConformancePackName: organizationConformancePackName, accountId: accountId,
            operation: try DeploymentFault.Operation.parse(wire: operation), remaining: count ?? 1,
            errorCode: errorCode, errorMessage: errorMessage)
    }
}

/// The body of `ConformAdmin.DeleteDeploymentFault`: `{"OrganizationConformancePackName",
/// "AccountId", "Operation"}`; answered with `{"Deleted": true|false}`.
struct DeleteDeploymentFaultRequest: Sendable, Decodable {
    var organizationConformancePackName: String
    var accountId: String
    var operation: String?

    enum CodingKeys: String, CodingKey {
        case organizationConformancePackName = "OrganizationConformancePackName"
        case accountId = "AccountId"
        case operation = "Operation"
    }
}

extension DeploymentFault.Operation {
    /// The operation an admin request names (`CREATE`, `UPDATE`, `DELETE`); nil (every one) when absent.
    static func parse(wire text: String?) throws(ServiceError) -> DeploymentFault.Operation? {
        guard let text else { return nil }
        guard let operation = DeploymentFault.Operation(rawValue: text) else {
            throw ServiceError(ConformanceError(.validation, "Operation must be CREATE, UPDATE or DELETE, not '\(text)'."))
        }
        return operation
    }
}
