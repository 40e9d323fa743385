package import ConformancePacks

/// The hand-written part of ``ConformanceService``: the admin targets (`ConformAdmin.<Operation>`)
/// and the read-only switch, which no AWS model describes.
///
/// The generated `ConformanceService` (`Generated/ConformanceService.swift`, one method per operation
/// the generator's `SERVED` list routes) refines this protocol, so a service declares one conformance
/// and the generator never has to know about anything but the model.
package protocol ConformanceAdminService: Sendable {
    /// `ConformAdmin.PutTemplate` with a `TemplateS3Uri`: what that URI resolves to from now on.
    func putTemplate(s3Uri: String, body: String) async throws
    /// `ConformAdmin.PutTemplate` with an SSM document: what `TemplateSSMDocumentDetails` resolves to.
    /// Returns the document version stored.
    func putTemplate(documentName: String, documentVersion: String?, body: String) async throws -> String
    /// `ConformAdmin.PutEvaluationResults`: the bulk evaluation feed. Returns what was recorded and refused.
    func ingest(_ records: [EvaluationRecord], strict: Bool) async throws -> IngestReport
    /// `ConformAdmin.PutOrganization`: records the organization. Returns whether it changed.
    func putOrganization(_ organization: Organization) async throws -> Bool
    /// `ConformAdmin.DescribeOrganization`: the organization as recorded.
    func organization() async throws -> Organization
    /// `ConformAdmin.PutDeploymentFault`: the next deployments of an organization pack fail in an account.
    func putDeploymentFault(_ fault: DeploymentFault) async throws
    /// `ConformAdmin.DeleteDeploymentFault`: clears such a fault. Returns whether there was one.
    func deleteDeploymentFault(
        organizationConformancePackName: String, accountId: String, operation: DeploymentFault.Operation?
    ) async throws -> Bool

    /// Whether the service refuses every write (a view of the log as it stood at a point).
    var isReadOnly: Bool { get }

    /// The service as it stood at `point` (`x-conform-at`): a read-only service that answers queries.
    func pointView(at point: ConformanceEngine.ReadPoint) async throws -> Self
    /// The last event the service's state covers (sent back as `x-conform-at-sequence`).
    var lastSequence: UInt64 { get }
}
