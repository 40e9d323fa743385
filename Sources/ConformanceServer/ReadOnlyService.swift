package import ConformancePacks

/// A service that answers queries and refuses every write before it reaches the base service
/// (`conform serve --at`): writes and admin targets get `AccessDeniedException`.
package struct ReadOnlyService<Base: ConformanceService>: ConformanceService {
    /// The service that answers queries.
    package let base: Base

    /// Wraps a service.
    package init(_ base: Base) {
        self.base = base
    }

    package var isReadOnly: Bool { true }

    package func describeConformancePacks(_ request: DescribeConformancePacksRequest, context: ConformancePacks.RequestContext)
        async throws -> DescribeConformancePacksResponse
    {
        try await base.describeConformancePacks(request, context: context)
    }

    package func describeConformancePackStatus(
        _ request: DescribeConformancePackStatusRequest, context: ConformancePacks.RequestContext
    ) async throws -> DescribeConformancePackStatusResponse {
        try await base.describeConformancePackStatus(request, context: context)
    }

    package func describeConfigRules(_ request: DescribeConfigRulesRequest, context: ConformancePacks.RequestContext)
        async throws -> DescribeConfigRulesResponse
    {
        try await base.describeConfigRules(request, context: context)
    }

    package func putConformancePack(_ request: PutConformancePackRequest, context: ConformancePacks.RequestContext)
        async throws -> PutConformancePackResponse
    {
        throw ServiceError.readOnly
    }

    package func deleteConformancePack(_ request: DeleteConformancePackRequest, context: ConformancePacks.RequestContext)
        async throws
    {
        throw ServiceError.readOnly
    }

    package func putConfigRule(_ request: PutConfigRuleRequest, context: ConformancePacks.RequestContext) async throws {
        throw ServiceError.readOnly
    }

    package func deleteConfigRule(_ request: DeleteConfigRuleRequest, context: ConformancePacks.RequestContext) async throws {
        throw ServiceError.readOnly
    }

    package func putTemplate(s3Uri: String, body: String) async throws {
        throw ServiceError.readOnly
    }

    package func putTemplate(documentName: String, documentVersion: String?, body: String) async throws -> String {
        throw ServiceError.readOnly
    }
}
