import EventLog
import Foundation
import Logging
import Testing
@testable import ConformancePacks

/// Pages of results while evaluations keep arriving, and the state they come from: replayed,
/// snapshotted and restarted, at scale.
@Suite("Compliance pages and replay")
struct CompliancePagingTests {
    @Test("Keyset pages stay valid while evaluations arrive: no result twice, none of those present at the start skipped")
    func pagesUnderConcurrentWrites() async throws {
        try await withEngine { engine in
            _ = try await engine.putConformancePack(put("pack", body: template(rules: ["a", "b"])), context: alice)
            let ruleA = try await Feed.deployedName(engine, pack: "pack", rule: "a")
            let ruleB = try await Feed.deployedName(engine, pack: "pack", rule: "b")
            for rule in [ruleA, ruleB] {
                for chunk in 0..<5 {
                    try await Feed.put(engine, rule, (0..<100).map { Feed.evaluation("r\(chunk * 100 + $0)", $0 % 3 == 0 ? .nonCompliant : .compliant) })
                }
            }
            let writer = Task {
                for round in 0..<40 {
                    // New resources, and flips of existing ones between compliant and not.
                    try await Feed.put(engine, ruleA, (0..<20).map { Feed.evaluation("new-\(round)-\($0)", .compliant, at: Double(round)) })
                    try await Feed.put(engine, ruleB, (0..<20).map { Feed.evaluation("r\(round * 10 + $0)", round % 2 == 0 ? .nonCompliant : .compliant, at: Double(round + 1)) })
                }
            }
            var seen: [String: Int] = [:]
            var token: String?
            repeat {
                let page = try await engine.getConformancePackComplianceDetails(
                    .init(conformancePackName: "pack", limit: 7, nextToken: token), context: alice)
                for result in page.conformancePackRuleEvaluationResults ?? [] {
                    let qualifier = result.evaluationResultIdentifier.evaluationResultQualifier
                    seen["\(qualifier?.configRuleName ?? "")/\(qualifier?.resourceId ?? "")", default: 0] += 1
                }
                token = page.nextToken
                await Task.yield()
            } while token != nil
            try await writer.value
            #expect(seen.values.allSatisfy { $0 == 1 }, "returned twice: \(seen.filter { $0.value > 1 }.keys.sorted())")
            for rule in [ruleA, ruleB] {
                for index in 0..<500 {
                    #expect(seen["\(rule)/r\(index)"] == 1, "\(rule)/r\(index) was skipped")
                }
            }
        }
    }

    @Test("Every filter of GetConformancePackComplianceDetails, alone and together, against a brute-force answer")
    func detailFilters() async throws {
        try await withEngine { engine in
            _ = try await engine.putConformancePack(put("pack", body: template(rules: ["a", "b", "c"])), context: alice)
            var rules: [String] = []
            for short in ["a", "b", "c"] { rules.append(try await Feed.deployedName(engine, pack: "pack", rule: short)) }
            var truth: [(rule: String, type: String, id: String, compliance: ComplianceType)] = []
            var generator = SeededGenerator(seed: 5)
            for rule in rules {
                var evaluations: [Evaluation] = []
                for index in 0..<60 {
                    let type = ["AWS::S3::Bucket", "AWS::EC2::Instance", "AWS::IAM::Role"][index % 3]
                    let compliance: ComplianceType = [.compliant, .nonCompliant, .notApplicable][Int.random(in: 0..<3, using: &generator)]
                    evaluations.append(Feed.evaluation("id-\(index)", compliance, resourceType: type))
                    truth.append((rule, type, "id-\(index)", compliance))
                }
                try await Feed.put(engine, rule, Array(evaluations.prefix(60)))
            }
            let filters: [ConformancePackEvaluationFilters?] = [
                nil,
                .init(configRuleNames: [rules[1]]),
                .init(complianceType: .nonCompliant),
                .init(resourceType: "AWS::EC2::Instance"),
                .init(resourceType: "AWS::S3::Bucket", resourceIds: ["id-0", "id-3", "id-4", "absent"]),
                .init(configRuleNames: [rules[0], rules[2]], complianceType: .compliant, resourceType: "AWS::IAM::Role"),
            ]
            for filter in filters {
                var got: [String] = []
                var token: String?
                repeat {
                    let page = try await engine.getConformancePackComplianceDetails(
                        .init(conformancePackName: "pack", filters: filter, limit: 11, nextToken: token), context: alice)
                    got += (page.conformancePackRuleEvaluationResults ?? []).map {
                        let q = $0.evaluationResultIdentifier.evaluationResultQualifier
                        return "\(q?.configRuleName ?? "")/\(q?.resourceType ?? "")/\(q?.resourceId ?? "")"
                    }
                    token = page.nextToken
                } while token != nil
                let expected = truth.filter { row in
                    row.compliance != .notApplicable
                        && (filter?.configRuleNames.map { $0.contains(row.rule) } ?? true)
                        && (filter?.complianceType.map { $0.rawValue == row.compliance.rawValue } ?? true)
                        && (filter?.resourceType.map { $0 == row.type } ?? true)
                        && (filter?.resourceIds.map { $0.contains(row.id) } ?? true)
                }
                // Rules by name; within a rule, resource types in the order first seen (S3, EC2,
                // IAM), then resource ids in the order first seen (id-0, id-1, ...).
                let typeRank = ["AWS::S3::Bucket": 0, "AWS::EC2::Instance": 1, "AWS::IAM::Role": 2]
                let ordered = expected.sorted {
                    ($0.rule, typeRank[$0.type]!, Int($0.id.dropFirst(3))!) < ($1.rule, typeRank[$1.type]!, Int($1.id.dropFirst(3))!)
                }
                #expect(got == ordered.map { "\($0.rule)/\($0.type)/\($0.id)" }, "filter \(String(describing: filter))")
            }
            #expect(await errorCode {
                _ = try await engine.getConformancePackComplianceDetails(.init(conformancePackName: "pack", filters: .init(resourceIds: ["x"])), context: alice)
            } == .invalidParameterValue)
            #expect(await errorCode {
                _ = try await engine.getConformancePackComplianceDetails(.init(conformancePackName: "pack", filters: .init(configRuleNames: ["nope"])), context: alice)
            } == .noSuchConfigRuleInConformancePack)
            #expect(await errorCode {
                _ = try await engine.getConformancePackComplianceDetails(.init(conformancePackName: "absent"), context: alice)
            } == .noSuchConformancePack)
            #expect(await errorCode {
                _ = try await engine.getConformancePackComplianceDetails(.init(conformancePackName: "pack", filters: .init(complianceType: .insufficientData)), context: alice)
            } == .invalidParameterValue)
            // A token is bound to its filters.
            let page = try await engine.getConformancePackComplianceDetails(.init(conformancePackName: "pack", limit: 2), context: alice)
            #expect(await errorCode {
                _ = try await engine.getConformancePackComplianceDetails(
                    .init(conformancePackName: "pack", filters: .init(complianceType: .compliant), limit: 2, nextToken: page.nextToken), context: alice)
            } == .invalidNextToken)
        }
    }

    @Test("Live digest = fresh replay = snapshot plus tail, with many random evaluations among the seeded commands")
    func digestWithEvaluations() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = ManualClock()
        let engine = try await ConformanceEngine.open(configuration(directory, clock: clock, seed: 3, snapshotEveryBytes: 4 << 20))
        var generator = SeededGenerator(seed: 17)
        var rules: [RequestContext: [String]] = [:]
        for context in [alice, bob] {
            _ = try await engine.putConformancePack(put("p", body: template(ruleCount: 20)), context: context)
            for index in 0..<20 { rules[context, default: []].append(try await Feed.deployedName(engine, pack: "p", rule: "rule-\(index)", context: context)) }
            try await engine.putConfigRule(userRule("user"), context: context)
            rules[context, default: []].append("user")
        }
        // 1,000,000 results, each for a resource id not seen before (hostile input: a million
        // distinct ids), then 100,000 for ids seen before (replacements), mixed with pack
        // updates, deletions of results and rules, in 110 ingests of 10,000.
        let total = 1_100_000
        let contexts = [alice, bob]
        let resources = (0..<50_000).map { "fresh-\($0 / 10_000)-\($0 % 10_000)" }
        let notes = (0..<20).map { "note \($0)" }
        let types = ["AWS::S3::Bucket", "AWS::EC2::Instance"]
        let compliances = ["COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE"]
        let times = (0..<1000).map { Date(timeIntervalSince1970: 1_700_000_000 + Double($0)) }
        for round in 0..<(total / 10_000) {
            clock.advance(1)
            var records: [EvaluationRecord] = []
            records.reserveCapacity(10_000)
            for _ in 0..<10_000 {
                let random = generator.next()
                let context = contexts[Int(random & 1)]
                records.append(EvaluationRecord(
                    accountId: context.accountId, region: context.region, configRuleName: rules[context]![Int(random >> 1 % 21) % 21],
                    complianceResourceType: types[Int(random >> 8 & 1)],
                    complianceResourceId: round < 100 ? "fresh-\(round)-\(records.count)" : resources[Int(random >> 9 % 50_000) % 50_000],
                    complianceType: compliances[Int(random >> 28 % 3) % 3],
                    annotation: random >> 31 & 1 == 0 ? notes[Int(random >> 32) % 20] : nil,
                    orderingTimestamp: times[Int(random >> 40) % 1000]))
            }
            let report = try await engine.ingest(records)
            #expect(report.rejected.isEmpty)
            switch round % 25 {
            case 7: _ = try await engine.deleteEvaluationResults(.init(configRuleName: "user"), context: alice)
            case 13: _ = try await engine.putConformancePack(put("p", body: template(ruleCount: 20)), context: bob)
            case 19:
                try await engine.deleteConfigRule(.init(configRuleName: "user"), context: bob)
                try await engine.putConfigRule(userRule("user"), context: bob)
            default: break
            }
        }
        // Memory stays proportional to what is stored (the store's own accounting, independent
        // of the other tests in this process): strings, columns and nodes.
        let memory = engine.core.withLock { $0.state.compliance.memory() }
        #expect(memory.strings >= 1_000_000)
        #expect(memory.bytesPerResult < 120, "\(memory.bytesPerResult) bytes per result")
        let live = engine.stateDigest()
        let last = engine.lastSequence
        await engine.core.withLock { $0.snapshotTask }?.value
        try await engine.close()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let fresh = try ConformanceEngine.replay(dataDirectory: directory, useSnapshots: false, logger: logger)
        #expect(fresh.digest == live)
        #expect(fresh.lastSequence == last)
        // The close wrote a final snapshot at the end; without it, the newest periodic one plus
        // the tail after it must give the same state.
        let snapshots = try FileManager.default.contentsOfDirectory(atPath: directory + "/snapshots").filter { $0.hasSuffix(".snap") }.sorted()
        #expect(snapshots.count == 2)
        try FileManager.default.removeItem(atPath: directory + "/snapshots/" + (snapshots.last ?? ""))
        let fromSnapshot = try ConformanceEngine.replay(dataDirectory: directory, useSnapshots: true, logger: logger)
        #expect(fromSnapshot.snapshotSequence.map { $0 < last } == true)
        #expect(fromSnapshot.digest == live)
        let reopened = try await ConformanceEngine.open(configuration(directory, clock: clock, seed: 3))
        #expect(reopened.stateDigest() == live)
        try await reopened.close()
    }
}
