package import ConformancePacks

/// What `X-Amz-Target` selects: an operation of the Config API or an admin target.
package enum AmzTarget: Sendable, Hashable {
    /// `StarlingDoveService.<Operation>`.
    case api(ConformanceOperation)
    /// `ConformAdmin.<Operation>`.
    case admin(AdminOperation)

    /// The prefix of Config API targets.
    package static let apiPrefix = "StarlingDoveService."
    /// The prefix of admin targets.
    package static let adminPrefix = "ConformAdmin."

    /// Parses a header value.
    ///
    /// - Parameter header: The value of `X-Amz-Target`.
    /// - Returns: `nil` for a target this server does not route.
    package init?(parsing header: String) {
        if header.hasPrefix(Self.apiPrefix) {
            guard let operation = ConformanceOperation(rawValue: String(header.dropFirst(Self.apiPrefix.count))) else {
                return nil
            }
            self = .api(operation)
        } else if header.hasPrefix(Self.adminPrefix) {
            guard let operation = AdminOperation(rawValue: String(header.dropFirst(Self.adminPrefix.count))) else {
                return nil
            }
            self = .admin(operation)
        } else {
            return nil
        }
    }

    /// The operation's name for logs: `DescribeConformancePacks`, `ConformAdmin.PutTemplate`.
    package var name: String {
        switch self {
        case .api(let operation): operation.rawValue
        case .admin(let operation): Self.adminPrefix + operation.rawValue
        }
    }

    /// Whether the operation changes state (refused by a read-only server).
    package var isWrite: Bool {
        switch self {
        case .api(let operation): operation.isWrite
        case .admin(let operation): operation.isWrite
        }
    }
}

/// The admin targets (`X-Amz-Target: ConformAdmin.<Operation>`) this server routes.
package enum AdminOperation: String, Sendable, CaseIterable {
    /// Registers the template a `TemplateS3Uri` or SSM document resolves to.
    case putTemplate = "PutTemplate"
    /// Records evaluation results in bulk (`conform load --endpoint-url`).
    case putEvaluationResults = "PutEvaluationResults"
    /// Records the organization (management account, members, delegated administrators).
    case putOrganization = "PutOrganization"
    /// Reads the organization back.
    case describeOrganization = "DescribeOrganization"
    /// Makes the next deployments of an organization pack fail in a member account.
    case putDeploymentFault = "PutDeploymentFault"
    /// Clears a deployment fault.
    case deleteDeploymentFault = "DeleteDeploymentFault"

    /// Whether the target changes state (refused by a read-only server).
    package var isWrite: Bool {
        switch self {
        case .putTemplate, .putEvaluationResults, .putOrganization, .putDeploymentFault, .deleteDeploymentFault: true
        case .describeOrganization: false
        }
    }
}
