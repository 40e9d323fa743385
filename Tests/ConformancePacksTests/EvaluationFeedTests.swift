import EventLog
import Foundation
import SimulatedDisk
import Testing
@testable import ConformancePacks
#if canImport(Glibc)
import Glibc
#endif

/// The evaluation feed: PutEvaluations, PutExternalEvaluation, DeleteEvaluationResults and the
/// bulk ingest, their refusals, and what pack changes do to results (spec §6.1, §8.19–8.21).
@Suite("The evaluation feed")
struct EvaluationFeedTests {
    @Test("PutEvaluations refuses what AWS refuses, and TestMode stores nothing")
    func putEvaluationsRefusals() async throws {
        try await withEngine { engine in
            try await engine.putConfigRule(userRule("rule"), context: alice)
            func code(_ request: PutEvaluationsRequest) async -> ConformanceError.Code? {
                await errorCode { _ = try await engine.putEvaluations(request, context: alice) }
            }
            let one = [Feed.evaluation("b", .compliant)]
            #expect(await code(PutEvaluationsRequest(evaluations: one, resultToken: "")) == .invalidResultToken)
            #expect(await code(PutEvaluationsRequest(evaluations: one, resultToken: "no-such-rule")) == .invalidResultToken)
            #expect(await code(PutEvaluationsRequest(evaluations: [], resultToken: "rule")) == .invalidParameterValue)
            #expect(await code(PutEvaluationsRequest(evaluations: nil, resultToken: "rule")) == .invalidParameterValue)
            #expect(await code(PutEvaluationsRequest(evaluations: [Feed.evaluation("b", .insufficientData)], resultToken: "rule")) == .invalidParameterValue)
            let many = (0..<101).map { Feed.evaluation("b\($0)", .compliant) }
            #expect(await code(PutEvaluationsRequest(evaluations: many, resultToken: "rule")) == .validation)
            #expect(await code(PutEvaluationsRequest(evaluations: [Feed.evaluation(String(repeating: "x", count: 769), .compliant)], resultToken: "rule")) == .validation)
            // Times the engine cannot record are refused, never a trap (1e16 s overflows Int64 ms).
            for seconds in [1e16, -1e300, 253_402_300_800.0] {
                let far = Evaluation(
                    complianceResourceType: "AWS::S3::Bucket", complianceResourceId: "b", complianceType: .compliant,
                    orderingTimestamp: Date(timeIntervalSince1970: seconds))
                #expect(await code(PutEvaluationsRequest(evaluations: [far], resultToken: "rule")) == .invalidParameterValue)
            }
            // 768 characters is the most a resource id may have.
            #expect(await code(PutEvaluationsRequest(evaluations: [Feed.evaluation(String(repeating: "x", count: 768), .compliant)], resultToken: "rule")) == nil)
            // TestMode checks all but the token, and records nothing.
            let sequence = engine.lastSequence
            #expect(await code(PutEvaluationsRequest(evaluations: one, resultToken: "anything", testMode: true)) == nil)
            #expect(engine.lastSequence == sequence)
            // The token may also be the rule's ARN or id.
            let rule = try #require(try await engine.describeConfigRules(.init(configRuleNames: ["rule"]), context: alice).configRules?.first)
            #expect(await code(PutEvaluationsRequest(evaluations: one, resultToken: rule.configRuleArn ?? "")) == nil)
            #expect(await code(PutEvaluationsRequest(evaluations: one, resultToken: rule.configRuleId ?? "")) == nil)
            #expect(try await Feed.allResults(engine, "rule").count == 2)
        }
    }

    @Test("PutExternalEvaluation reaches process checks only, for the caller's own account")
    func externalEvaluations() async throws {
        try await withEngine { engine in
            let body = """
                Resources:
                  Check:
                    Type: AWS::Config::ConfigRule
                    Properties:
                      ConfigRuleName: manual-check
                      Source:
                        Owner: AWS
                        SourceIdentifier: AWS_CONFIG_PROCESS_CHECK
                """
            _ = try await engine.putConformancePack(put("process", body: body), context: alice)
            try await engine.putConfigRule(userRule("plain"), context: alice)
            let check = try await Feed.deployedName(engine, pack: "process", rule: "manual-check")
            func external(_ rule: String, type: String = "AWS::::Account", id: String = alice.accountId, _ compliance: ComplianceType = .compliant) async -> ConformanceError.Code? {
                await errorCode {
                    _ = try await engine.putExternalEvaluation(PutExternalEvaluationRequest(
                        configRuleName: rule,
                        externalEvaluation: ExternalEvaluation(
                            complianceResourceType: type, complianceResourceId: id, complianceType: compliance,
                            orderingTimestamp: Date(timeIntervalSince1970: 1_700_000_000))), context: alice)
                }
            }
            #expect(await external(check) == nil)
            #expect(await external("plain") == .noSuchConfigRule)
            #expect(await external("missing") == .noSuchConfigRule)
            #expect(await external(check, type: "AWS::S3::Bucket") == .invalidParameterValue)
            #expect(await external(check, id: "999999999999") == .invalidParameterValue)
            #expect(await external(check, .insufficientData) == .invalidParameterValue)
            let summary = try await engine.getConformancePackComplianceSummary(.init(conformancePackNames: ["process"]), context: alice)
            #expect(summary.conformancePackComplianceSummaryList?.first?.conformancePackComplianceStatus == .compliant)
        }
    }

    @Test("DeleteEvaluationResults empties a user rule at once; a pack's rule refuses it")
    func deleteEvaluationResults() async throws {
        try await withEngine { engine in
            try await engine.putConfigRule(userRule("rule"), context: alice)
            _ = try await engine.putConformancePack(put("pack", body: template(rules: ["r"])), context: alice)
            let packRule = try await Feed.deployedName(engine, pack: "pack", rule: "r")
            try await Feed.put(engine, "rule", (0..<50).map { Feed.evaluation("b\($0)", .nonCompliant) })
            try await Feed.put(engine, packRule, [Feed.evaluation("b", .nonCompliant)])
            _ = try await engine.deleteEvaluationResults(.init(configRuleName: "rule"), context: alice)
            #expect(try await Feed.allResults(engine, "rule").isEmpty)
            let compliance = try await engine.describeComplianceByConfigRule(.init(configRuleNames: ["rule"]), context: alice)
            #expect(compliance.complianceByConfigRules?.first?.compliance?.complianceType == .insufficientData)
            #expect(await errorCode { _ = try await engine.deleteEvaluationResults(.init(configRuleName: packRule), context: alice) } == .accessDenied)
            #expect(await errorCode { _ = try await engine.deleteEvaluationResults(.init(configRuleName: "missing"), context: alice) } == .noSuchConfigRule)
            // New results arrive afresh.
            try await Feed.put(engine, "rule", [Feed.evaluation("again", .compliant)])
            #expect(try await Feed.allResults(engine, "rule").compactMap(Feed.resourceId) == ["again"])
        }
    }

    @Test("Deleting a pack deletes its rules' results; an update keeps the results of the rules it keeps")
    func packChanges() async throws {
        try await withEngine { engine in
            _ = try await engine.putConformancePack(put("pack", body: template(rules: ["kept", "dropped"])), context: alice)
            let kept = try await Feed.deployedName(engine, pack: "pack", rule: "kept")
            let dropped = try await Feed.deployedName(engine, pack: "pack", rule: "dropped")
            try await Feed.put(engine, kept, [Feed.evaluation("b1", .nonCompliant)])
            try await Feed.put(engine, dropped, [Feed.evaluation("b2", .compliant)])
            _ = try await engine.putConformancePack(put("pack", body: template(rules: ["kept", "added"])), context: alice)
            #expect(try await Feed.allResults(engine, kept).compactMap(Feed.resourceId) == ["b1"])
            #expect(await errorCode { _ = try await Feed.allResults(engine, dropped) } == .noSuchConfigRule)
            let details = try await engine.getConformancePackComplianceDetails(.init(conformancePackName: "pack"), context: alice)
            #expect(details.conformancePackRuleEvaluationResults?.count == 1)
            // The same rule name deployed again later starts with no results.
            _ = try await engine.putConformancePack(put("pack", body: template(rules: ["kept", "dropped"])), context: alice)
            #expect(try await Feed.allResults(engine, dropped).isEmpty)
            _ = try await engine.deleteConformancePack(.init(conformancePackName: "pack"), context: alice)
            _ = try await engine.putConformancePack(put("pack", body: template(rules: ["kept"])), context: alice)
            let again = try await Feed.deployedName(engine, pack: "pack", rule: "kept")
            #expect(try await Feed.allResults(engine, again).isEmpty)
        }
    }

    @Test("The bulk ingest records what passes, reports what does not by index, and with strict records nothing")
    func bulkIngest() async throws {
        try await withEngine { engine in
            try await engine.putConfigRule(userRule("rule"), context: alice)
            try await engine.putConfigRule(userRule("other"), context: bob)
            let at = Date(timeIntervalSince1970: 1_700_000_000)
            func record(_ account: String, _ region: String, _ rule: String, _ id: String, _ type: String) -> EvaluationRecord {
                EvaluationRecord(
                    accountId: account, region: region, configRuleName: rule, complianceResourceType: "AWS::S3::Bucket",
                    complianceResourceId: id, complianceType: type, orderingTimestamp: at)
            }
            let records = [
                record(alice.accountId, alice.region, "rule", "a", "COMPLIANT"),
                record(bob.accountId, bob.region, "other", "b", "NON_COMPLIANT"),
                record(alice.accountId, alice.region, "missing", "c", "COMPLIANT"),
                record(alice.accountId, alice.region, "rule", "d", "INSUFFICIENT_DATA"),
                record("12345", alice.region, "rule", "e", "COMPLIANT"),
                record(alice.accountId, alice.region, "rule", "f", "NOT_APPLICABLE"),
            ]
            let sequence = engine.lastSequence
            let strict = try await engine.ingest(records, strict: true)
            #expect(strict.accepted == 0)
            #expect(strict.rejected.map(\.index) == [2, 3, 4])
            #expect(engine.lastSequence == sequence, "strict: nothing recorded")
            let report = try await engine.ingest(records)
            #expect(report.accepted == 3)
            #expect(report.rejected.map(\.index) == [2, 3, 4])
            #expect(report.rejected.map(\.error.code) == [.noSuchConfigRule, .invalidParameterValue, .validation])
            #expect(try await Feed.allResults(engine, "rule").compactMap(Feed.resourceId) == ["a", "f"])
            let other = try await engine.getComplianceDetailsByConfigRule(.init(configRuleName: "other"), context: bob)
            #expect(other.evaluationResults?.count == 1)
        }
    }

    @Test("Controls from the template are carried onto the pack's rule compliance")
    func controls() async throws {
        try await withEngine { engine in
            let body = """
                Resources:
                  Versioning:
                    Type: AWS::Config::ConfigRule
                    Controls: ['1847', '2090']
                    Properties:
                      ConfigRuleName: versioning
                      Source:
                        Owner: AWS
                        SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED
                  Plain:
                    Type: AWS::Config::ConfigRule
                    Properties:
                      ConfigRuleName: plain
                      Source:
                        Owner: AWS
                        SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED
                """
            _ = try await engine.putConformancePack(put("pack", body: body), context: alice)
            let compliance = try await engine.describeConformancePackCompliance(.init(conformancePackName: "pack"), context: alice)
            let controls = compliance.conformancePackRuleComplianceList.map(\.controls)
            #expect(controls == [nil, ["1847", "2090"]], "rules by name: plain, then versioning")
        }
    }

    @Test("A query racing a write of evaluations that then fails never sees them")
    func failedEvaluationsNeverSeen() async throws {
        let disk = SimulatedDisk()
        let engine = try await ConformanceEngine.open(simulatedConfiguration(disk))
        try await engine.putConfigRule(userRule("rule"), context: alice)
        try await Feed.put(engine, "rule", [Feed.evaluation("kept", .compliant)])
        disk.blockSyncs()
        let write = Task { await errorCode { try await Feed.put(engine, "rule", [Feed.evaluation("lost", .nonCompliant)]) } }
        var waited = 0
        while engine.core.withLock({ $0.state.lastSequence }) == engine.lastSequence, waited < 2000 {
            try await Task.sleep(for: .milliseconds(5))
            waited += 1
        }
        #expect(try await Feed.allResults(engine, "rule").compactMap(Feed.resourceId) == ["kept"])
        let compliance = try await engine.describeComplianceByConfigRule(.init(configRuleNames: ["rule"]), context: alice)
        #expect(compliance.complianceByConfigRules?.first?.compliance?.complianceType == .compliant)
        disk.arm(.init(at: 1, kinds: [.syncData], errno: EIO))
        disk.unblockSyncs()
        #expect(await write.value == .internalFailure)
        disk.arm(nil)
        #expect(try await Feed.allResults(engine, "rule").compactMap(Feed.resourceId) == ["kept"])
        try await Feed.put(engine, "rule", [Feed.evaluation("after", .compliant)])
        #expect(try await Feed.allResults(engine, "rule").compactMap(Feed.resourceId) == ["kept", "after"])
        try await engine.close()
    }
}
