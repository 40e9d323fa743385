import Foundation
import Testing
@testable import ConformancePacks

/// Helpers of the compliance tests.
enum Feed {
    /// An evaluation at `seconds` after 2023-11-14 (the manual clock's start).
    static func evaluation(
        _ resource: String, _ type: ComplianceType, at seconds: Double = 0, resourceType: String = "AWS::S3::Bucket",
        annotation: String? = nil
    ) -> Evaluation {
        Evaluation(
            complianceResourceType: resourceType, complianceResourceId: resource, complianceType: type,
            annotation: annotation, orderingTimestamp: Date(timeIntervalSince1970: 1_700_000_000 + seconds))
    }

    /// Puts `evaluations` for `rule` (its name is the result token).
    static func put(_ engine: ConformanceEngine, _ rule: String, _ evaluations: [Evaluation], context: RequestContext = alice) async throws {
        _ = try await engine.putEvaluations(PutEvaluationsRequest(evaluations: evaluations, resultToken: rule), context: context)
    }

    /// The deployed name of a pack's rule: `rule-conformance-pack-<id>`.
    static func deployedName(_ engine: ConformanceEngine, pack: String, rule: String, context: RequestContext = alice) async throws -> String {
        let rules = try await engine.describeConfigRules(.init(), context: context).configRules ?? []
        let prefix = rule + "-conformance-pack-"
        return try #require(rules.compactMap(\.configRuleName).first { $0.hasPrefix(prefix) })
    }

    /// Every result of a rule, through every page of GetComplianceDetailsByConfigRule.
    static func allResults(_ engine: ConformanceEngine, _ rule: String, limit: Int = 100, types: [ComplianceType]? = nil) async throws -> [EvaluationResult] {
        var results: [EvaluationResult] = []
        var token: String?
        repeat {
            let page = try await engine.getComplianceDetailsByConfigRule(
                GetComplianceDetailsByConfigRuleRequest(configRuleName: rule, complianceTypes: types, limit: limit, nextToken: token),
                context: alice)
            results += page.evaluationResults ?? []
            token = page.nextToken
        } while token != nil
        return results
    }

    static func resourceId(_ result: EvaluationResult) -> String? {
        result.evaluationResultIdentifier?.evaluationResultQualifier?.resourceId
    }
}
