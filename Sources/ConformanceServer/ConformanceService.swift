package import ConformancePacks

/// What the HTTP adapter needs from the engine: one method per routed operation plus the admin
/// targets. Implementations check the model constraints of each request themselves (the engine
/// does, for embedded callers too), so the adapter does not validate twice.
///
/// `ConformanceEngine` conforms (see `ConformanceEngine+ConformanceService.swift`); tests can
/// substitute their own implementation to exercise routing, decoding and error mapping without a
/// data directory. Methods throw `ConformanceError` for every AWS-visible failure; anything else
/// they throw becomes a logged `InternalFailure` (HTTP 500) that names nothing internal.
package protocol ConformanceService: Sendable {
    /// `PutConformancePack`.
    func putConformancePack(_ request: PutConformancePackRequest, context: ConformancePacks.RequestContext) async throws
        -> PutConformancePackResponse
    /// `DeleteConformancePack` (no output).
    func deleteConformancePack(_ request: DeleteConformancePackRequest, context: ConformancePacks.RequestContext) async throws
    /// `DescribeConformancePacks`.
    func describeConformancePacks(_ request: DescribeConformancePacksRequest, context: ConformancePacks.RequestContext) async throws
        -> DescribeConformancePacksResponse
    /// `DescribeConformancePackStatus`.
    func describeConformancePackStatus(_ request: DescribeConformancePackStatusRequest, context: ConformancePacks.RequestContext)
        async throws -> DescribeConformancePackStatusResponse
    /// `DescribeConfigRules`.
    func describeConfigRules(_ request: DescribeConfigRulesRequest, context: ConformancePacks.RequestContext) async throws
        -> DescribeConfigRulesResponse
    /// `PutConfigRule` (no output).
    func putConfigRule(_ request: PutConfigRuleRequest, context: ConformancePacks.RequestContext) async throws
    /// `DeleteConfigRule` (no output).
    func deleteConfigRule(_ request: DeleteConfigRuleRequest, context: ConformancePacks.RequestContext) async throws

    /// `ConformAdmin.PutTemplate` with a `TemplateS3Uri`: what that URI resolves to from now on.
    func putTemplate(s3Uri: String, body: String) async throws
    /// `ConformAdmin.PutTemplate` with an SSM document: what `TemplateSSMDocumentDetails` resolves to.
    /// Returns the document version stored.
    func putTemplate(documentName: String, documentVersion: String?, body: String) async throws -> String

    /// Whether the service refuses every write (a view of the log as it stood at a point).
    var isReadOnly: Bool { get }
}
