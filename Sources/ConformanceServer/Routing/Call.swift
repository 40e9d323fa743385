import ConformancePacks
import Hummingbird

/// One routed request: decodes its input, authenticates, calls the service (which checks the
/// model constraints) and encodes the output, in that order (spec §1.4).
struct Call<Service: ConformanceService>: Sendable {
    let service: Service
    let authenticator: Authenticator
    let head: HTTPRequest
    let body: ByteBuffer

    /// Runs a Config API operation.
    func run(_ operation: ConformanceOperation) async throws(ServiceError) -> ByteBuffer {
        switch operation {
        case .putConformancePack:
            let input = try AWSJSON.decode(PutConformancePackRequest.self, from: body)
            let context = try authenticator.authenticate(head: head, body: body)
            return try AWSJSON.encode(try await perform { try await service.putConformancePack(input, context: context) })
        case .deleteConformancePack:
            let input = try AWSJSON.decode(DeleteConformancePackRequest.self, from: body)
            let context = try authenticator.authenticate(head: head, body: body)
            try await perform { try await service.deleteConformancePack(input, context: context) }
            return AWSJSON.emptyObject
        case .describeConformancePacks:
            let input = try DescribeConformancePacksRequest.decode(body)
            let context = try authenticator.authenticate(head: head, body: body)
            return AWSJSON.encode(
                writing: try await perform { try await service.describeConformancePacks(input, context: context) }
            )
        case .describeConformancePackStatus:
            let input = try DescribeConformancePackStatusRequest.decode(body)
            let context = try authenticator.authenticate(head: head, body: body)
            return AWSJSON.encode(
                writing: try await perform { try await service.describeConformancePackStatus(input, context: context) }
            )
        case .describeConfigRules:
            let input = try AWSJSON.decode(DescribeConfigRulesRequest.self, from: body)
            let context = try authenticator.authenticate(head: head, body: body)
            return try AWSJSON.encode(try await perform { try await service.describeConfigRules(input, context: context) })
        case .putConfigRule:
            let input = try AWSJSON.decode(PutConfigRuleRequest.self, from: body)
            let context = try authenticator.authenticate(head: head, body: body)
            try await perform { try await service.putConfigRule(input, context: context) }
            return AWSJSON.emptyObject
        case .deleteConfigRule:
            let input = try AWSJSON.decode(DeleteConfigRuleRequest.self, from: body)
            let context = try authenticator.authenticate(head: head, body: body)
            try await perform { try await service.deleteConfigRule(input, context: context) }
            return AWSJSON.emptyObject
        }
    }

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
        }
    }

    /// Calls the service, turning its errors into wire errors; anything but a `ConformanceError` is
    /// an internal failure whose details stay in the log.
    private func perform<T>(_ body: () async throws -> T) async throws(ServiceError) -> T {
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
