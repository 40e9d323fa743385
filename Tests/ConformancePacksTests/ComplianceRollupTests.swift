import Foundation
import Testing
@testable import ConformancePacks

/// Rule, pack and score roll-ups (spec §6.2–6.4), table-driven, through every query that shows them.
@Suite("Compliance roll-ups")
struct ComplianceRollupTests {
    /// One row of §6.2: a rule's current results and what the rule's compliance must be.
    struct RuleCase: Sendable, CustomStringConvertible {
        var results: [ComplianceType]
        var expected: ConformancePackComplianceType
        var capped: Int?
        var capExceeded: Bool?
        var description: String { "\(results.count) results → \(expected.rawValue)" }
    }

    static let ruleCases: [RuleCase] = [
        RuleCase(results: [], expected: .insufficientData),
        RuleCase(results: [.notApplicable, .notApplicable], expected: .insufficientData),
        RuleCase(results: [.compliant], expected: .compliant),
        RuleCase(results: [.compliant, .notApplicable], expected: .compliant),
        RuleCase(results: [.compliant, .nonCompliant, .notApplicable], expected: .nonCompliant, capped: 1, capExceeded: false),
        RuleCase(results: Array(repeating: .nonCompliant, count: 100), expected: .nonCompliant, capped: 100, capExceeded: false),
        RuleCase(results: Array(repeating: .nonCompliant, count: 101) + [.compliant], expected: .nonCompliant, capped: 100, capExceeded: true),
    ]

    @Test("A rule's compliance follows its current results", arguments: ruleCases)
    func ruleCompliance(_ rollup: RuleCase) async throws {
        try await withEngine { engine in
            _ = try await engine.putConformancePack(put("pack", body: template(rules: ["r"])), context: alice)
            let rule = try await Feed.deployedName(engine, pack: "pack", rule: "r")
            for chunk in stride(from: 0, to: rollup.results.count, by: 100) {
                let evaluations = rollup.results[chunk..<min(chunk + 100, rollup.results.count)].enumerated().map { offset, type in
                    Feed.evaluation("bucket-\(chunk + offset)", type)
                }
                try await Feed.put(engine, rule, evaluations)
            }
            let pack = try await engine.describeConformancePackCompliance(.init(conformancePackName: "pack"), context: alice)
            #expect(pack.conformancePackRuleComplianceList.map(\.complianceType) == [rollup.expected])
            let byRule = try await engine.describeComplianceByConfigRule(.init(configRuleNames: [rule]), context: alice)
            let compliance = try #require(byRule.complianceByConfigRules?.first?.compliance)
            #expect(compliance.complianceType?.rawValue == rollup.expected.rawValue)
            #expect(compliance.complianceContributorCount?.cappedCount == rollup.capped)
            #expect(compliance.complianceContributorCount?.capExceeded == rollup.capExceeded)
            // A pack of one rule has the rule's compliance (§6.3).
            let summary = try await engine.getConformancePackComplianceSummary(.init(conformancePackNames: ["pack"]), context: alice)
            #expect(summary.conformancePackComplianceSummaryList?.first?.conformancePackComplianceStatus == rollup.expected)
        }
    }

    /// One row of §6.3: the compliances of a pack's rules and the pack's.
    static let packCases: [([ComplianceType?], ConformancePackComplianceType)] = [
        ([], .insufficientData),
        ([nil, nil], .insufficientData),
        ([nil, .compliant], .compliant),
        ([.compliant, .compliant], .compliant),
        ([.compliant, .nonCompliant, nil], .nonCompliant),
        ([.notApplicable, nil], .insufficientData),
    ]

    @Test("A pack is NON_COMPLIANT with any such rule, else COMPLIANT with any such rule, else INSUFFICIENT_DATA", arguments: 0..<packCases.count)
    func packCompliance(_ index: Int) async throws {
        let (rules, expected) = Self.packCases[index]
        try await withEngine { engine in
            let names = rules.indices.map { "r\($0)" }
            _ = try await engine.putConformancePack(put("pack", body: template(rules: names.isEmpty ? ["unused"] : names)), context: alice)
            for (position, type) in rules.enumerated() {
                guard let type else { continue }
                let rule = try await Feed.deployedName(engine, pack: "pack", rule: "r\(position)")
                try await Feed.put(engine, rule, [Feed.evaluation("bucket", type)])
            }
            let summary = try await engine.getConformancePackComplianceSummary(.init(conformancePackNames: ["pack"]), context: alice)
            #expect(summary.conformancePackComplianceSummaryList?.first?.conformancePackComplianceStatus == expected)
        }
    }

    @Test("The compliance score of the spec's example: 5 rules on 5 resources, 2 resources failing 2 rules, is 84.0")
    func scoreExample() async throws {
        try await withEngine { engine in
            _ = try await engine.putConformancePack(put("pack", body: template(ruleCount: 5)), context: alice)
            _ = try await engine.putConformancePack(put("empty", body: template(rules: ["lonely"])), context: alice)
            for index in 0..<5 {
                let rule = try await Feed.deployedName(engine, pack: "pack", rule: "rule-\(index)")
                let evaluations = (0..<5).map { resource in
                    Feed.evaluation("bucket-\(resource)", index < 2 && resource < 2 ? .nonCompliant : .compliant)
                }
                try await Feed.put(engine, rule, evaluations)
            }
            let scores = try await engine.listConformancePackComplianceScores(.init(), context: alice)
            #expect(scores.conformancePackComplianceScores.map(\.conformancePackName) == ["empty", "pack"])
            #expect(scores.conformancePackComplianceScores.map(\.score) == ["INSUFFICIENT_DATA", "84.0"])
            // By score: INSUFFICIENT_DATA last ascending, first descending.
            let ascending = try await engine.listConformancePackComplianceScores(.init(sortBy: .score), context: alice)
            #expect(ascending.conformancePackComplianceScores.map(\.conformancePackName) == ["pack", "empty"])
            let descending = try await engine.listConformancePackComplianceScores(.init(sortOrder: .descending, sortBy: .score), context: alice)
            #expect(descending.conformancePackComplianceScores.map(\.conformancePackName) == ["empty", "pack"])
            let byName = try await engine.listConformancePackComplianceScores(.init(sortOrder: .descending), context: alice)
            #expect(byName.conformancePackComplianceScores.map(\.conformancePackName) == ["pack", "empty"])
            // Filtered, and paged one at a time.
            let one = try await engine.listConformancePackComplianceScores(
                .init(filters: .init(conformancePackNames: ["pack", "missing"]), limit: 1), context: alice)
            #expect(one.conformancePackComplianceScores.map(\.conformancePackName) == ["pack"])
            #expect(one.nextToken == nil)
            let first = try await engine.listConformancePackComplianceScores(.init(limit: 1), context: alice)
            let second = try await engine.listConformancePackComplianceScores(.init(limit: 1, nextToken: first.nextToken), context: alice)
            #expect(first.conformancePackComplianceScores.map(\.conformancePackName) + second.conformancePackComplianceScores.map(\.conformancePackName) == ["empty", "pack"])
            #expect(second.nextToken == nil)
        }
    }

    @Test("The latest OrderingTimestamp wins: a later one replaces, an equal one replaces, an earlier one is ignored")
    func timestampOrdering() async throws {
        try await withEngine { engine in
            try await engine.putConfigRule(userRule("rule"), context: alice)
            try await Feed.put(engine, "rule", [Feed.evaluation("b", .compliant, at: 100, annotation: "first")])
            try await Feed.put(engine, "rule", [Feed.evaluation("b", .nonCompliant, at: 50, annotation: "older")])
            var results = try await Feed.allResults(engine, "rule")
            #expect(results.map(\.annotation) == ["first"])
            try await Feed.put(engine, "rule", [Feed.evaluation("b", .nonCompliant, at: 100, annotation: "same time, later")])
            results = try await Feed.allResults(engine, "rule")
            #expect(results.map(\.annotation) == ["same time, later"])
            #expect(results.map(\.complianceType) == [.nonCompliant])
            try await Feed.put(engine, "rule", [Feed.evaluation("b", .compliant, at: 200)])
            results = try await Feed.allResults(engine, "rule")
            #expect(results.map(\.complianceType) == [.compliant])
            #expect(results.first?.evaluationResultIdentifier?.orderingTimestamp == Date(timeIntervalSince1970: 1_700_000_200))
        }
    }
}
