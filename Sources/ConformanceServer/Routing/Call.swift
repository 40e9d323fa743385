import ConformancePacks
import Hummingbird

/// One routed request: decodes its input, authenticates, calls the service (which checks the
/// model constraints) and encodes the output, in that order (spec §1.4).
///
/// The Config API operations are routed by the generated `run(_: ConformanceOperation)`
/// (`Generated/Call+Operations.swift`); the admin targets here.
struct Call<Service: ConformanceService>: Sendable {
    let service: Service
    let authenticator: Authenticator
    let head: HTTPRequest
    let body: ByteBuffer

    /// Runs an admin target.
    func run(_ operation: AdminOperation) async throws(ServiceError) -> ByteBuffer {
        switch operation {
        case .putTemplate:
            let input = try AWSJSON.decode(PutTemplateRequest.self, from: body)
            _ = try authenticator.authenticate(head: head, body: body)
            switch try input.source() {
            case .s3(let uri):
                try await perform { try await service.putTemplate(s3Uri: uri, body: input.templateBody) }
            case .ssm(let name, let version):
                let stored = try await perform {
                    try await service.putTemplate(documentName: name, documentVersion: version, body: input.templateBody)
                }
                return try AWSJSON.encode(PutTemplateResponse(documentVersion: stored))
            }
            return AWSJSON.emptyObject
        case .putEvaluationResults:
            let input = try AWSJSON.decode(PutEvaluationResultsRequest.self, from: body)
            _ = try authenticator.authenticate(head: head, body: body)
            let report = try await perform { try await service.ingest(input.evaluationResults, strict: input.strict ?? false) }
            return try AWSJSON.encode(PutEvaluationResultsResponse(report))
        case .putOrganization:
            let input = try AWSJSON.decode(OrganizationDocument.self, from: body)
            _ = try authenticator.authenticate(head: head, body: body)
            let changed = try await perform { try await service.putOrganization(try input.organization()) }
            return try AWSJSON.encode(["Changed": changed])
        case .describeOrganization:
            _ = try authenticator.authenticate(head: head, body: body)
            let organization = try await perform { try await service.organization() }
            return try AWSJSON.encode(OrganizationDocument(organization))
        case .putDeploymentFault:
            let input = try AWSJSON.decode(PutDeploymentFaultRequest.self, from: body)
            _ = try authenticator.authenticate(head: head, body: body)
            let fault = try input.fault()
            try await perform { try await service.putDeploymentFault(fault) }
            return AWSJSON.emptyObject
        case .deleteDeploymentFault:
            let input = try AWSJSON.decode(DeleteDeploymentFaultRequest.self, from: body)
            _ = try authenticator.authenticate(head: head, body: body)
            let operation = try DeploymentFault.Operation.parse(wire: input.operation)
            let deleted = try await perform {
                try await service.deleteDeploymentFault(
                    organizationConformancePackName: input.organizationConformancePackName, accountId: input.accountId,
                    operation: operation)
            }
            return try AWSJSON.encode(["Deleted": deleted])
        }
    }

    /// Calls the service, turning its errors into wire errors; anything but a `ConformanceError` is
    /// an internal failure whose details stay in the log.
    func perform<T>(_ body: () async throws -> T) async throws(ServiceError) -> T {
        do {
            return try await body()
        } catch let error as ConformanceError {
            throw ServiceError(error)
        } catch let error as ServiceError {
            throw error
        } catch {
            throw ServiceError.unexpected(error)
        }
    }
}
