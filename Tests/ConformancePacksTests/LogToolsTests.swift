import EventLog
import Foundation
import Testing
@testable import ConformancePacks

/// The log tools' domain side: what events touch, the stepping replayer, history and diff,
/// checked against a log written by the embedded engine.
@Suite("Log tools: touches, history, diff")
struct LogToolsTests {
    static let member = "222222222222"

    /// A log with every event type, and the sequences the tests compare at.
    struct Scenario {
        var directory: String
        /// After the first evaluations of rule `a` (r1 compliant, r2 non-compliant).
        var afterFirstEvaluations: UInt64 = 0
        /// After the update to rules a, c and r2 turning compliant.
        var afterUpdate: UInt64 = 0
        var ruleA = ""
        var ruleB = ""
        var ruleC = ""
    }

    static func writeScenario() async throws -> Scenario {
        var scenario = Scenario(directory: temporaryDirectory())
        let engine = try await ConformanceEngine.open(configuration(scenario.directory))
        func ruleName(_ base: String) async throws -> String {
            let rules = try await engine.describeConfigRules(.init(), context: alice).configRules ?? []
            return try #require(rules.first { $0.configRuleName?.hasPrefix(base + "-") == true }?.configRuleName)
        }
        func evaluate(_ rule: String, _ results: [(String, ComplianceType)]) async throws {
            _ = try await engine.putEvaluations(
                PutEvaluationsRequest(evaluations: results.map { Feed.evaluation($0.0, $0.1) }, resultToken: rule), context: alice)
        }
        _ = try await engine.putOrganization(Organization(managementAccountId: alice.accountId, memberAccountIds: [member]))
        _ = try await engine.putConformancePack(put("demo", body: template(rules: ["a", "b"])), context: alice)
        scenario.ruleA = try await ruleName("a")
        scenario.ruleB = try await ruleName("b")
        try await evaluate(scenario.ruleA, [("r1", .compliant), ("r2", .nonCompliant)])
        scenario.afterFirstEvaluations = engine.lastSequence
        try await engine.putConfigRule(userRule("user"), context: alice)
        try await evaluate("user", [("x", .compliant)])
        _ = try await engine.deleteEvaluationResults(.init(configRuleName: "user"), context: alice)
        try await engine.deleteConfigRule(.init(configRuleName: "user"), context: alice)
        try await engine.putTemplate(s3Uri: "s3://bucket/t.yaml", body: template(rules: ["s3"]))
        try await engine.putTemplate(documentName: "doc", body: template(rules: ["ssm"]))
        try await engine.putDeploymentFault(DeploymentFault(
            organizationConformancePackName: "org", accountId: member, operation: .create, errorCode: "E", errorMessage: "m"))
        _ = try await engine.deleteDeploymentFault(organizationConformancePackName: "org", accountId: member, operation: .create)
        _ = try await engine.putOrganizationConformancePack(
            PutOrganizationConformancePackRequest(organizationConformancePackName: "org", templateBody: template(rules: ["o"])), context: alice)
        try await engine.deleteOrganizationConformancePack(.init(organizationConformancePackName: "org"), context: alice)
        _ = try await engine.putConformancePack(put("demo", body: template(rules: ["a", "c"])), context: alice)
        scenario.ruleC = try await ruleName("c")
        try await evaluate(scenario.ruleA, [("r2", .compliant)])
        scenario.afterUpdate = engine.lastSequence
        try await engine.deleteConformancePack(.init(conformancePackName: "demo"), context: alice)
        try await engine.close()
        return scenario
    }

    static func steps(_ directory: String) throws -> [LogStepper.Step] {
        let stepper = try LogStepper(logDirectory: directory + "/events", snapshotDirectory: nil)
        var steps: [LogStepper.Step] = []
        while let step = try stepper.step() { steps.append(step) }
        return steps
    }

    @Test("Every event type says what it touches: accounts, packs (member packs too) and rules")
    func touchesOfEveryType() async throws {
        let scenario = try await Self.writeScenario()
        defer { try? FileManager.default.removeItem(atPath: scenario.directory) }
        let steps = try Self.steps(scenario.directory)
        #expect(Set(steps.map(\.touches.type)) == Set(EventTouches.typeNames))
        func first(_ type: String) throws -> EventTouches { try #require(steps.first { $0.touches.type == type }?.touches) }
        let demo = EventTouches.Named(account: alice.accountId, region: alice.region, name: "demo")
        func rule(_ name: String) -> EventTouches.Named { .init(account: alice.accountId, region: alice.region, name: name) }

        let organization = try first("OrganizationChanged")
        #expect(organization.account == alice.accountId)
        #expect(organization.accounts == [alice.accountId, Self.member])
        #expect(organization.packs.isEmpty && organization.rules.isEmpty)

        let requested = try first("PackRequested")
        #expect(requested.account == alice.accountId && requested.region == alice.region && requested.pack == "demo")
        #expect(requested.packs == [demo])
        #expect(requested.rules == [rule(scenario.ruleA), rule(scenario.ruleB)])
        #expect(requested.matches(pack: "demo") && requested.matches(account: alice.accountId, rule: scenario.ruleA))
        #expect(!requested.matches(account: Self.member) && !requested.matches(pack: "other") && !requested.matches(rule: "user"))
        for type in ["PackCompleted", "PackDeleteRequested", "PackDeleted"] {
            // The organization pack's deletion deletes member packs first: take demo's.
            let touches = try #require(steps.first { $0.touches.type == type && $0.touches.pack == "demo" }?.touches)
            #expect(touches.packs == [demo] && touches.rules.isEmpty && touches.accounts == [alice.accountId], "\(type)")
        }
        let evaluations = try first("EvaluationsRecorded")
        #expect(evaluations.rules == [rule(scenario.ruleA)] && evaluations.accounts == [alice.accountId] && evaluations.pack == nil)
        for type in ["ConfigRulePut", "ConfigRuleDeleted", "EvaluationResultsDeleted"] {
            let touches = try first(type)
            #expect(touches.rules == [rule("user")] && touches.packs.isEmpty && touches.matches(rule: "user"), "\(type)")
        }
        for type in ["S3TemplateStored", "SSMDocumentStored"] {
            let touches = try first(type)
            #expect(touches.accounts.isEmpty && touches.account == nil && !touches.matches(account: alice.accountId), "\(type)")
            #expect(touches.matches())
        }
        for type in ["DeploymentFaultPut", "DeploymentFaultDeleted"] {
            let touches = try first(type)
            #expect(touches.account == Self.member && touches.accounts == [Self.member], "\(type)")
        }
        let orgPack = try first("OrgPackRequested")
        #expect(orgPack.pack == "org" && orgPack.account == alice.accountId)
        #expect(orgPack.accounts == [alice.accountId, Self.member])
        let memberPacks = orgPack.packs.filter { $0.name != "org" }
        #expect(memberPacks.count == 2 && memberPacks.allSatisfy { $0.name.hasPrefix("OrgConformsPack-org-") })
        #expect(Set(memberPacks.map(\.account)) == [alice.accountId, Self.member])
        #expect(orgPack.matches(account: Self.member, pack: memberPacks[0].name))
        // The deletion does not carry the member pack's name: the stepper finds it in the state.
        let orgDelete = try first("OrgPackDeleteRequested")
        #expect(orgDelete.packs.filter { $0.name != "org" } == memberPacks)
        // Straight from a record, without a state, the deletion still names the accounts.
        let reader = try LogDirectory.openReader(directory: scenario.directory + "/events")
        var fromRecords: [String: EventTouches] = [:]
        while let event = try reader.next() {
            let touches = try #require(EventTouches.of(event.record))
            fromRecords[touches.type] = fromRecords[touches.type] ?? touches
        }
        #expect(fromRecords["OrgPackDeleteRequested"]?.accounts == [alice.accountId, Self.member])
        #expect(fromRecords["PackRequested"] == requested)
        #expect(EventTouches.of(EventRecord(type: 60000, schemaVersion: 1, payload: [1, 2])) == nil)
    }

    @Test("History: one line per event that touched the pack or rule, with its status and compliance after it")
    func history() async throws {
        let scenario = try await Self.writeScenario()
        defer { try? FileManager.default.removeItem(atPath: scenario.directory) }
        func entries(_ subject: HistorySubject) throws -> [HistoryEntry] {
            let stepper = try LogStepper(logDirectory: scenario.directory + "/events", snapshotDirectory: nil)
            var entries: [HistoryEntry] = []
            try stepper.history(of: subject) { entries.append($0) }
            return entries
        }
        let pack = try entries(.pack(account: alice.accountId, region: alice.region, name: "demo"))
        #expect(pack.map(\.step.touches.type) == [
            "PackRequested", "PackCompleted", "EvaluationsRecorded", "PackRequested", "PackCompleted", "EvaluationsRecorded",
            "PackDeleteRequested", "PackDeleted",
        ])
        let views = pack.map { entry -> PackView? in if case .pack(let view) = entry.view { view } else { nil } }
        #expect(views.map { $0?.state } == [
            "CREATE_IN_PROGRESS", "CREATE_COMPLETE", "CREATE_COMPLETE", "CREATE_IN_PROGRESS", "CREATE_COMPLETE", "CREATE_COMPLETE",
            "DELETE_IN_PROGRESS", nil,
        ])
        #expect(views[1]?.ruleCount == 2 && views[1]?.insufficientDataRules == 2 && views[1]?.score == nil)
        #expect(views[2]?.nonCompliantRules == 1 && views[2]?.insufficientDataRules == 1 && views[2]?.score == 50)
        #expect(views[5]?.compliantRules == 1 && views[5]?.score == 100)
        #expect(pack[2].named == false && pack[0].named && pack[7].named)
        #expect(pack.last?.view == .absent)

        // The pack's rule `a`, by its template name: created by the completion, then its results.
        let rule = try entries(.rule(account: alice.accountId, region: alice.region, name: "a", pack: "demo"))
        #expect(rule.map(\.step.touches.type) == [
            "PackRequested", "PackCompleted", "EvaluationsRecorded", "PackRequested", "EvaluationsRecorded", "PackDeleteRequested", "PackDeleted",
        ])
        let ruleViews = rule.map { entry -> RuleView? in if case .rule(let view) = entry.view { view } else { nil } }
        #expect(ruleViews[0] == nil && ruleViews[1]?.name == scenario.ruleA && ruleViews[1]?.compliance == "INSUFFICIENT_DATA")
        #expect(ruleViews[2]?.compliance == "NON_COMPLIANT" && ruleViews[2]?.compliant == 1 && ruleViews[2]?.nonCompliant == 1)
        #expect(ruleViews[4]?.compliance == "COMPLIANT" && ruleViews[4]?.compliant == 2 && ruleViews[4]?.nonCompliant == 0)
        #expect(ruleViews[5]?.state == "DELETING" && ruleViews[6] == nil)

        // A user rule by its own name; nothing for a rule that never was.
        let user = try entries(.rule(account: alice.accountId, region: alice.region, name: "user", pack: nil))
        #expect(user.map(\.step.touches.type) == ["ConfigRulePut", "EvaluationsRecorded", "EvaluationResultsDeleted", "ConfigRuleDeleted"])
        #expect(try entries(.rule(account: alice.accountId, region: alice.region, name: "never", pack: nil)).isEmpty)
    }

    @Test("Diff compares the rebuilt states: packs, rules, organization, compliance and flipped resources")
    func diff() async throws {
        let scenario = try await Self.writeScenario()
        defer { try? FileManager.default.removeItem(atPath: scenario.directory) }
        func diff(_ a: UInt64, _ b: UInt64?, limit: Int = 10) throws -> StateDiff {
            let stepper = try LogStepper(
                logDirectory: scenario.directory + "/events", snapshotDirectory: scenario.directory + "/snapshots", start: a, through: b)
            let mark = stepper.mark()
            #expect(mark.sequence == a)
            try stepper.run()
            return stepper.diff(since: mark, flipLimit: limit)
        }
        let update = try diff(scenario.afterFirstEvaluations, scenario.afterUpdate)
        #expect(update.fromSequence == scenario.afterFirstEvaluations && update.toSequence == scenario.afterUpdate)
        let demo = try #require(update.packs.first { $0.pack.name == "demo" })
        #expect(demo.kind == .updated && demo.stateBefore == "CREATE_COMPLETE" && demo.stateAfter == "CREATE_COMPLETE")
        #expect(demo.rulesAdded == [scenario.ruleC] && demo.rulesRemoved == [scenario.ruleB])
        #expect(Set(update.rules.map { "\($0.kind.rawValue) \($0.rule.name)" }) == ["added \(scenario.ruleC)", "removed \(scenario.ruleB)"])
        let a = try #require(update.compliance.first { $0.rule.name == scenario.ruleA })
        #expect(a.before.compliance == "NON_COMPLIANT" && a.after.compliance == "COMPLIANT")
        #expect(a.before.nonCompliant == 1 && a.after.nonCompliant == 0 && a.after.compliant == 2)
        #expect(a.flipped == [StateDiff.Flip(resourceType: "AWS::S3::Bucket", resourceId: "r2", before: "NON_COMPLIANT", after: "COMPLIANT")])
        // The org pack came and went within the range: its record stays as DELETE_SUCCESSFUL... or is gone; either way the
        // organization itself did not change.
        #expect(update.organization == nil)

        let whole = try diff(0, nil)
        #expect(whole.organization?.membersAdded == [Self.member])
        #expect(whole.packs.allSatisfy { $0.pack.name != "demo" })
        #expect(try diff(scenario.afterUpdate, scenario.afterUpdate).isEmpty)
        let created = try diff(0, scenario.afterFirstEvaluations)
        #expect(created.packs.map(\.kind) == [.added] && created.packs.first?.rulesAdded == [scenario.ruleA, scenario.ruleB].sorted())
        let first = try #require(created.compliance.first)
        #expect(first.flipped.map(\.resourceId) == ["r1", "r2"] && first.flipped.allSatisfy { $0.before == nil })
        #expect(try diff(0, scenario.afterFirstEvaluations, limit: 1).compliance.first?.moreFlipped == 1)
    }

    @Test("Diff lists at most the limit of flipped resources, then how many more")
    func flipLimit() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let engine = try await ConformanceEngine.open(configuration(directory))
        try await engine.putConfigRule(userRule("user"), context: alice)
        let names = (0..<15).map { "b\($0)" }
        _ = try await engine.putEvaluations(
            PutEvaluationsRequest(evaluations: names.map { Feed.evaluation($0, .compliant) }, resultToken: "user"), context: alice)
        let before = engine.lastSequence
        _ = try await engine.putEvaluations(
            PutEvaluationsRequest(evaluations: names.map { Feed.evaluation($0, .nonCompliant, at: 1) }, resultToken: "user"), context: alice)
        try await engine.close()
        let stepper = try LogStepper(logDirectory: directory + "/events", snapshotDirectory: nil, start: before)
        let mark = stepper.mark()
        try stepper.run()
        let change = try #require(stepper.diff(since: mark).compliance.first)
        #expect(change.flipped.count == 10 && change.moreFlipped == 5)
        #expect(change.flipped.allSatisfy { $0.before == "COMPLIANT" && $0.after == "NON_COMPLIANT" })
        #expect(change.before.compliant == 15 && change.after.nonCompliant == 15)
    }

    @Test("The stepper names damage with file and offset, never traps")
    func damagedLog() async throws {
        let scenario = try await Self.writeScenario()
        defer { try? FileManager.default.removeItem(atPath: scenario.directory) }
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: scenario.directory + "/events")
            .filter { $0.hasSuffix(".seg") }.sorted().first)
        let path = scenario.directory + "/events/" + segment
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count / 2] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect {
            let stepper = try LogStepper(logDirectory: scenario.directory + "/events", snapshotDirectory: nil)
            try stepper.run()
        } throws: { error in
            guard let error = error as? LogError else { return false }
            return error.file == path && error.offset != nil
        }
    }
}
