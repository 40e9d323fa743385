import Testing
@testable import ConformancePacks

@Suite("Config rules")
struct ConfigRuleTests {
    @Test("User rules can be created, updated and deleted; ids and ARNs stay across updates")
    func userRules() async throws {
        try await withEngine { engine in
            try await engine.putConfigRule(userRule("my-rule"), context: alice)
            let created = try #require(try await engine.describeConfigRules(.init(configRuleNames: ["my-rule"]), context: alice).configRules?.first)
            #expect(created.configRuleArn == "arn:aws:config:us-east-1:111111111111:config-rule/\(created.configRuleId ?? "")")
            #expect(created.createdBy == nil)
            var update = userRule("my-rule")
            update.configRule.description = "now described"
            try await engine.putConfigRule(update, context: alice)
            let updated = try #require(try await engine.describeConfigRules(.init(configRuleNames: ["my-rule"]), context: alice).configRules?.first)
            #expect(updated.configRuleId == created.configRuleId)
            #expect(updated.description == "now described")
            // Found by id when the name is absent.
            var byId = userRule("ignored")
            byId.configRule.configRuleName = nil
            byId.configRule.configRuleId = created.configRuleId
            byId.configRule.description = "by id"
            try await engine.putConfigRule(byId, context: alice)
            #expect(try await engine.describeConfigRules(.init(configRuleNames: ["my-rule"]), context: alice).configRules?.first?.description == "by id")
            try await engine.deleteConfigRule(.init(configRuleName: "my-rule"), context: alice)
            #expect(await errorCode { try await engine.deleteConfigRule(.init(configRuleName: "my-rule"), context: alice) } == .noSuchConfigRule)
            #expect(await errorCode { _ = try await engine.describeConfigRules(.init(configRuleNames: ["my-rule"]), context: alice) } == .noSuchConfigRule)
        }
    }

    @Test("Rules a pack deployed refuse PutConfigRule and DeleteConfigRule with AccessDeniedException")
    func packRulesAreProtected() async throws {
        try await withEngine { engine in
            _ = try await engine.putConformancePack(put("Pack", body: template(rules: ["owned"])), context: alice)
            let name = try #require(try await engine.describeConfigRules(.init(), context: alice).configRules?.first?.configRuleName)
            do throws(ConformanceError) {
                try await engine.deleteConfigRule(.init(configRuleName: name), context: alice)
                Issue.record("expected AccessDeniedException")
            } catch {
                #expect(error.code == .accessDenied)
                #expect(error.message == "An AWS service owns ServiceLinkedConfigRule. You do not have permissions to take action on this rule.")
            }
            #expect(await errorCode { try await engine.putConfigRule(userRule(name), context: alice) } == .accessDenied)
        }
    }

    @Test("PutConfigRule errors", arguments: [
        (ConfigRule(configRuleName: "r", source: Source(owner: .aws, sourceIdentifier: "X"), createdBy: "me"), ConformanceError.Code.invalidParameterValue),
        (ConfigRule(configRuleName: "r", source: Source(owner: .aws, sourceIdentifier: "AWS_CONFIG_PROCESS_CHECK")), .invalidParameterValue),
        (ConfigRule(configRuleName: "r", source: Source(owner: .aws)), .invalidParameterValue),
        (ConfigRule(configRuleName: "r", source: Source(owner: .unknown("NOBODY"), sourceIdentifier: "X")), .validation),
        (ConfigRule(configRuleName: "   ", source: Source(owner: .aws, sourceIdentifier: "X")), .validation),
        (ConfigRule(configRuleName: String(repeating: "r", count: 129), source: Source(owner: .aws, sourceIdentifier: "X")), .validation),
        (ConfigRule(source: Source(owner: .aws, sourceIdentifier: "X")), .invalidParameterValue),
        (ConfigRule(configRuleName: "r", source: Source(owner: .aws, sourceIdentifier: "X"), maximumExecutionFrequency: .unknown("Daily")), .validation),
    ])
    func putConfigRuleErrors(_ rule: ConfigRule, _ code: ConformanceError.Code) async throws {
        try await withEngine { engine in
            #expect(await errorCode { try await engine.putConfigRule(PutConfigRuleRequest(configRule: rule), context: alice) } == code)
        }
    }

    @Test("A partition holds at most 1000 rules; packs that would exceed it fail")
    func ruleLimit() async throws {
        try await withEngine { engine in
            _ = try await engine.putConformancePack(put("Pack", body: template(ruleCount: 10)), context: alice)
            for index in 0..<990 {
                try await engine.putConfigRule(userRule("user-\(index)"), context: alice)
            }
            #expect(await errorCode { try await engine.putConfigRule(userRule("one-too-many"), context: alice) } == .maxNumberOfConfigRulesExceeded)
            try await engine.putConfigRule(userRule("user-5"), context: alice)  // updates are fine
            _ = try await engine.putConformancePack(put("Other", body: template(ruleCount: 1)), context: alice)
            let state = try await engine.describeConformancePackStatus(.init(conformancePackNames: ["Other"]), context: alice).conformancePackStatusDetails?.first?.conformancePackState
            #expect(state == .createFailed)
            // Paging through all 1000 takes 40 pages of 25.
            var token: String?
            var pages = 0
            var seen = 0
            repeat {
                let page = try await engine.describeConfigRules(.init(nextToken: token), context: alice)
                seen += page.configRules?.count ?? 0
                token = page.nextToken
                pages += 1
            } while token != nil
            #expect(pages == 40 && seen == 1000)
        }
    }

    @Test("Filters.EvaluationMode keeps rules with that mode")
    func evaluationModeFilter() async throws {
        try await withEngine { engine in
            var proactive = userRule("proactive")
            proactive.configRule.evaluationModes = [EvaluationModeConfiguration(mode: .proactive)]
            try await engine.putConfigRule(proactive, context: alice)
            try await engine.putConfigRule(userRule("detective"), context: alice)
            let rules = try await engine.describeConfigRules(.init(filters: .init(evaluationMode: .proactive)), context: alice)
            #expect(rules.configRules?.map(\.configRuleName) == ["proactive"])
        }
    }
}
