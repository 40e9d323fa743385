extension ConformanceEngine {
    /// The organization as recorded; the default (account 123456789012 alone) when none was.
    ///
    /// `ConformAdmin.DescribeOrganization` over HTTP.
    nonisolated(nonsending) public func organization() async throws(ConformanceError) -> Organization {
        try await read { state in state.organizations.organization }
    }

    /// Records the organization (`ConformAdmin.PutOrganization`; `conform serve --organization`).
    ///
    /// Accounts that join get every organization pack deployed (`CREATE_*` rows); accounts that
    /// leave get theirs removed. Recording the organization already recorded changes nothing.
    ///
    /// - Returns: Whether anything was recorded.
    /// - Throws: `InternalFailure` when the engine is fenced or closed.
    @discardableResult
    nonisolated(nonsending) public func putOrganization(_ organization: Organization) async throws(ConformanceError) -> Bool {
        try await perform { state, now throws(ConformanceError) -> Decision<Bool> in
            guard state.organizations.organization != organization || state.organizations.recorded == nil else {
                return Decision(events: [], result: false)
            }
            let events: [DomainEvent] = [.organizationChanged(OrganizationChanged(organization: organization, time: now))]
                + Self.followMembership(organization, in: state, now: now, delay: delay, mint: mint)
            return Decision(events: events, result: true)
        }
    }

    /// Makes the next deployments of an organization pack fail in one member account
    /// (`ConformAdmin.PutDeploymentFault`; beyond AWS). Replaces a fault of the same pack,
    /// account and operation.
    ///
    /// - Throws: `ValidationException` for a bad name, account id, count, code or message.
    nonisolated(nonsending) public func putDeploymentFault(_ fault: DeploymentFault) async throws(ConformanceError) {
        try Self.check(faultOf: fault.organizationConformancePackName, account: fault.accountId)
        guard (1...1_000_000).contains(fault.remaining) else {
            throw ConformanceError(.validation, "Count must be between 1 and 1000000; it is \(fault.remaining).")
        }
        guard (1...256).contains(fault.errorCode.utf8.count), (1...2048).contains(fault.errorMessage.utf8.count) else {
            throw ConformanceError(.validation, "ErrorCode must be 1 to 256 bytes and ErrorMessage 1 to 2048 bytes.")
        }
        try await perform { _, _ in Decision(events: [.deploymentFaultPut(DeploymentFaultPut(fault: fault))], result: ()) }
    }

    /// Clears a deployment fault (`ConformAdmin.DeleteDeploymentFault`).
    ///
    /// - Returns: Whether there was one.
    @discardableResult
    nonisolated(nonsending) public func deleteDeploymentFault(
        organizationConformancePackName name: String, accountId: String, operation: DeploymentFault.Operation? = nil
    ) async throws(ConformanceError) -> Bool {
        try Self.check(faultOf: name, account: accountId)
        return try await perform { state, _ in
            guard state.organizations.faults[DeploymentFault.key(name, accountId, operation)] != nil else {
                return Decision(events: [], result: false)
            }
            let deleted = DeploymentFaultDeleted(organizationConformancePackName: name, accountId: accountId, operation: operation)
            return Decision(events: [.deploymentFaultDeleted(deleted)], result: true)
        }
    }

    private static func check(faultOf name: String, account: String) throws(ConformanceError) {
        guard (1...128).contains(name.utf8.count) else {
            throw ConformanceError(.validation, "OrganizationConformancePackName must be 1 to 128 characters.")
        }
        guard ModelPattern.accountId.matches(account) else {
            throw ConformanceError(.validation, "AccountId '\(account)' is not 12 digits.")
        }
    }
}
