import Foundation
import Testing
@testable import ConformancePacks

@Suite("Account conformance packs")
struct PackLifecycleTests {
    @Test("Put creates a pack whose rules are deployed with suffixed names and service ARNs")
    func createDeploysRules() async throws {
        try await withEngine { engine in
            let response = try await engine.putConformancePack(put("MyPack", body: template(rules: ["iam-password-policy", "s3-versioning"])), context: alice)
            let arn = try #require(response.conformancePackArn)
            let packs = try await engine.describeConformancePacks(.init(conformancePackNames: ["MyPack"]), context: alice)
            let detail = try #require(packs.conformancePackDetails?.first)
            #expect(detail.conformancePackArn == arn)
            #expect(arn == "arn:aws:config:us-east-1:111111111111:conformance-pack/MyPack/\(detail.conformancePackId)")
            #expect(detail.conformancePackId.wholeMatch(of: /conformance-pack-[a-z0-9]{9}/) != nil)
            #expect(detail.createdBy == nil)

            let status = try await engine.describeConformancePackStatus(.init(conformancePackNames: ["MyPack"]), context: alice)
            let row = try #require(status.conformancePackStatusDetails?.first)
            #expect(row.conformancePackState == .createComplete)
            #expect(row.conformancePackStatusReason == nil)
            #expect(row.lastUpdateCompletedTime != nil)
            #expect(row.stackArn.wholeMatch(of: /arn:aws:cloudformation:us-east-1:111111111111:stack\/awsconfigconforms-MyPack-conformance-pack-[a-z0-9]{9}\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/) != nil)

            let rules = try await engine.describeConfigRules(.init(), context: alice).configRules ?? []
            #expect(rules.map(\.configRuleName) == ["iam-password-policy-\(detail.conformancePackId)", "s3-versioning-\(detail.conformancePackId)"])
            for rule in rules {
                #expect(rule.createdBy == "config-conforms.amazonaws.com")
                #expect(rule.configRuleState == .active)
                #expect(rule.evaluationModes == [EvaluationModeConfiguration(mode: .detective)])
                let id = try #require(rule.configRuleId)
                #expect(id.wholeMatch(of: /config-rule-[a-z0-9]{6}/) != nil)
                #expect(rule.configRuleArn == "arn:aws:config:us-east-1:111111111111:config-rule/aws-service-rule/config-conforms.amazonaws.com/\(id)")
            }
            // Other partitions see nothing.
            #expect(try await engine.describeConformancePacks(.init(), context: bob).conformancePackDetails == [])
        }
    }

    @Test("An update keeps id, ARN and StackArn, replaces rules and ignores new tags")
    func updateKeepsIdentity() async throws {
        let clock = ManualClock()
        try await withEngine(clock: clock) { engine in
            var request = put("Pack", body: template(rules: ["a", "b"]))
            request.tags = [Tag(key: "team", value: "one")]
            _ = try await engine.putConformancePack(request, context: alice)
            let before = try await engine.describeConformancePackStatus(.init(), context: alice).conformancePackStatusDetails?.first
            let rulesBefore = try await engine.describeConfigRules(.init(), context: alice).configRules ?? []
            clock.advance(60)
            request.templateBody = template(rules: ["b", "c"])
            request.tags = [Tag(key: "team", value: "two")]
            request.deliveryS3Bucket = "bucket"
            _ = try await engine.putConformancePack(request, context: alice)
            let after = try await engine.describeConformancePackStatus(.init(), context: alice).conformancePackStatusDetails?.first
            #expect(after?.conformancePackId == before?.conformancePackId)
            #expect(after?.conformancePackArn == before?.conformancePackArn)
            #expect(after?.stackArn == before?.stackArn)
            #expect(after?.lastUpdateRequestedTime == clock.now())
            let id = try #require(after?.conformancePackId)
            let rulesAfter = try await engine.describeConfigRules(.init(), context: alice).configRules ?? []
            #expect(rulesAfter.map(\.configRuleName) == ["b-\(id)", "c-\(id)"])
            // The rule kept across the update keeps its id and ARN.
            #expect(rulesAfter[0].configRuleArn == rulesBefore[1].configRuleArn)
            let detail = try await engine.describeConformancePacks(.init(), context: alice).conformancePackDetails?.first
            #expect(detail?.deliveryS3Bucket == "bucket")
            let state = engine.core.withLock { $0.state }
            #expect(state[partition: PartitionKey(accountId: alice.accountId, region: alice.region)].packs["Pack"]?.tags == [NameValue(name: "team", value: "one")])
        }
    }

    @Test("Delete removes the pack and its rules")
    func deleteRemovesEverything() async throws {
        try await withEngine { engine in
            _ = try await engine.putConformancePack(put("Pack", body: template(ruleCount: 3)), context: alice)
            try await engine.putConfigRule(userRule("mine"), context: alice)
            try await engine.deleteConformancePack(.init(conformancePackName: "Pack"), context: alice)
            #expect(await errorCode { _ = try await engine.describeConformancePacks(.init(conformancePackNames: ["Pack"]), context: alice) } == .noSuchConformancePack)
            #expect(try await engine.describeConformancePackStatus(.init(conformancePackNames: ["Pack"]), context: alice).conformancePackStatusDetails == [])
            #expect(try await engine.describeConfigRules(.init(), context: alice).configRules?.map(\.configRuleName) == ["mine"])
            #expect(await errorCode { try await engine.deleteConformancePack(.init(conformancePackName: "Pack"), context: alice) } == .noSuchConformancePack)
        }
    }

    @Test("With a deployment delay the pack is in progress until the clock passes it, and busy meanwhile")
    func statusMachineWithDelay() async throws {
        let clock = ManualClock()
        try await withEngine(clock: clock, delay: .seconds(30)) { engine in
            func state() async throws -> ConformancePackState? {
                try await engine.describeConformancePackStatus(.init(conformancePackNames: ["Pack"]), context: alice)
                    .conformancePackStatusDetails?.first?.conformancePackState
            }
            _ = try await engine.putConformancePack(put("Pack", body: template(rules: ["a"])), context: alice)
            #expect(try await state() == .createInProgress)
            #expect(try await engine.describeConfigRules(.init(), context: alice).configRules == [])
            #expect(await errorCode { _ = try await engine.putConformancePack(put("Pack", body: template(rules: ["a"])), context: alice) } == .resourceInUse)
            #expect(await errorCode { try await engine.deleteConformancePack(.init(conformancePackName: "Pack"), context: alice) } == .resourceInUse)
            let requested = clock.now()
            clock.advance(29)
            #expect(try await state() == .createInProgress)
            clock.advance(1)
            #expect(try await state() == .createComplete)
            let row = try await engine.describeConformancePackStatus(.init(), context: alice).conformancePackStatusDetails?.first
            #expect(row?.lastUpdateCompletedTime == requested.addingTimeInterval(30))
            #expect(try await engine.describeConfigRules(.init(), context: alice).configRules?.count == 1)

            // An update re-enters CREATE_IN_PROGRESS and keeps the old rules until it completes.
            _ = try await engine.putConformancePack(put("Pack", body: template(rules: ["b"])), context: alice)
            #expect(try await state() == .createInProgress)
            let kept = try await engine.describeConformancePackStatus(.init(), context: alice).conformancePackStatusDetails?.first
            #expect(kept?.lastUpdateCompletedTime == requested.addingTimeInterval(30))
            #expect(try await engine.describeConfigRules(.init(), context: alice).configRules?.first?.configRuleName?.hasPrefix("a-") == true)
            clock.advance(30)
            #expect(try await engine.describeConfigRules(.init(), context: alice).configRules?.first?.configRuleName?.hasPrefix("b-") == true)

            try await engine.deleteConformancePack(.init(conformancePackName: "Pack"), context: alice)
            #expect(try await state() == .deleteInProgress)
            #expect(try await engine.describeConfigRules(.init(), context: alice).configRules?.first?.configRuleState == .deleting)
            #expect(await errorCode { _ = try await engine.putConformancePack(put("Pack", body: template(rules: ["a"])), context: alice) } == .resourceInUse)
            clock.advance(30)
            #expect(try await state() == nil)
            #expect(try await engine.describeConfigRules(.init(), context: alice).configRules == [])
        }
    }

    @Test("Deploy-time problems end in CREATE_FAILED with a reason; a failed update keeps the previous rules")
    func deployFailures() async throws {
        try await withEngine { engine in
            func status(_ name: String) async throws -> ConformancePackStatusDetail? {
                try await engine.describeConformancePackStatus(.init(conformancePackNames: [name]), context: alice).conformancePackStatusDetails?.first
            }
            _ = try await engine.putConformancePack(put("Dup", body: template(rules: ["same", "same"])), context: alice)
            #expect(try await status("Dup")?.conformancePackState == .createFailed)
            #expect(try await status("Dup")?.conformancePackStatusReason?.contains("same") == true)

            let long = String(repeating: "r", count: 102)
            _ = try await engine.putConformancePack(put("Long", body: template(rules: [long])), context: alice)
            #expect(try await status("Long")?.conformancePackState == .createFailed)

            _ = try await engine.putConformancePack(put("Good", body: template(rules: ["a"])), context: alice)
            _ = try await engine.putConformancePack(put("Good", body: template(rules: ["x", "x"])), context: alice)
            #expect(try await status("Good")?.conformancePackState == .createFailed)
            let rules = try await engine.describeConfigRules(.init(), context: alice).configRules ?? []
            #expect(rules.count == 1)
            #expect(rules.first?.configRuleName?.hasPrefix("a-conformance-pack-") == true)
            // A failed pack can be updated again (and deleted).
            _ = try await engine.putConformancePack(put("Dup", body: template(rules: ["one"])), context: alice)
            #expect(try await status("Dup")?.conformancePackState == .createComplete)
            try await engine.deleteConformancePack(.init(conformancePackName: "Long"), context: alice)
        }
    }

    @Test("A template error is refused synchronously in AWS's message form, and nothing is stored")
    func templateErrors() async throws {
        try await withEngine { (engine) async throws in
            do throws(ConformanceError) {
                _ = try await engine.putConformancePack(put("Bad", body: "Resources: {}\n"), context: alice)
                Issue.record("expected a template error")
            } catch {
                #expect(error.code == .conformancePackTemplateValidation)
                #expect(error.message.hasPrefix("Invalid conformance pack template provided. Errors found: ["))
                #expect(error.message.hasSuffix("]. Fix your template and try again."))
            }
            #expect(try await engine.describeConformancePacks(.init(), context: alice).conformancePackDetails == [])
            #expect(engine.lastSequence == 0)
        }
    }

    @Test("The 51st pack of a partition is refused; updates of existing packs are not")
    func packLimit() async throws {
        try await withEngine { engine in
            let body = template(rules: ["r"])
            for index in 0..<50 {
                _ = try await engine.putConformancePack(put("Pack\(index)", body: body), context: alice)
            }
            #expect(await errorCode { _ = try await engine.putConformancePack(put("Pack50", body: body), context: alice) } == .maxNumberOfConformancePacksExceeded)
            _ = try await engine.putConformancePack(put("Pack7", body: body), context: alice)
            _ = try await engine.putConformancePack(put("Pack50", body: body), context: bob)
        }
    }

    @Test("Rules across packs are limited to 150 per partition: the pack that would exceed it fails")
    func packRuleLimit() async throws {
        try await withEngine { engine in
            _ = try await engine.putConformancePack(put("A", body: template(ruleCount: 100)), context: alice)
            _ = try await engine.putConformancePack(put("B", body: template(ruleCount: 51)), context: alice)
            let states = try await engine.describeConformancePackStatus(.init(), context: alice).conformancePackStatusDetails?.map(\.conformancePackState)
            #expect(states == [.createComplete, .createFailed])
            _ = try await engine.putConformancePack(put("B", body: template(ruleCount: 50)), context: alice)
            #expect(try await engine.describeConformancePackStatus(.init(conformancePackNames: ["B"]), context: alice).conformancePackStatusDetails?.first?.conformancePackState == .createComplete)
        }
    }
}
