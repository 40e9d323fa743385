import Testing
@testable import ComplianceStore

@Suite("Recording results")
struct RecordTests {
    func input(_ rule: UInt32, _ id: String, _ compliance: ResultCompliance, _ ordering: Int64, _ annotation: String? = nil) -> EvaluationInput {
        EvaluationInput(rule: rule, resourceType: "AWS::S3::Bucket", resourceId: id, compliance: compliance, orderingTimestamp: ordering, annotation: annotation)
    }

    @Test("A later ordering timestamp replaces, an equal one replaces, an earlier one is ignored")
    func timestamps() {
        var store = ComplianceStore()
        let rule = store.ruleSlot(forKey: "rule")
        let outcome0 = store.record([input(rule, "a", .compliant, 100, "first")], recordedTime: 1)
        #expect(outcome0 == RecordOutcome(stored: 1))
        let outcome1 = store.record([input(rule, "a", .compliant, 200, "later")], recordedTime: 2)
        #expect(outcome1 == RecordOutcome(stored: 1))
        #expect(store.page(rule: rule, filter: .init(), after: nil, limit: 10).rows.map(\.annotation) == ["later"])
        let outcome2 = store.record([input(rule, "a", .compliant, 200, "equal")], recordedTime: 3)
        #expect(outcome2 == RecordOutcome(stored: 1))
        let row = store.page(rule: rule, filter: .init(), after: nil, limit: 10).rows[0]
        #expect(row.annotation == "equal" && row.recordedTime == 3 && row.orderingTimestamp == 200)
        let outcome3 = store.record([input(rule, "a", .nonCompliant, 199, "earlier")], recordedTime: 4)
        #expect(outcome3 == RecordOutcome(ignored: 1))
        let after = store.page(rule: rule, filter: .init(), after: nil, limit: 10).rows[0]
        #expect(after == row)
        #expect(store.ruleSummary(rule)?.lastChanged == 3)
    }

    @Test("A replacement moves the result between compliances, and an earlier one elsewhere is ignored")
    func moves() {
        var store = ComplianceStore()
        let rule = store.ruleSlot(forKey: "rule")
        _ = store.record([input(rule, "a", .compliant, 100)], recordedTime: 1)
        _ = store.record([input(rule, "a", .nonCompliant, 150)], recordedTime: 2)
        var summary = store.ruleSummary(rule)!
        #expect((summary.compliantCount, summary.nonCompliantCount, summary.notApplicableCount) == (0, 1, 0))
        let ignored = store.record([input(rule, "a", .notApplicable, 120)], recordedTime: 3)
        #expect(ignored.ignored == 1)
        _ = store.record([input(rule, "a", .notApplicable, 150)], recordedTime: 4)
        summary = store.ruleSummary(rule)!
        #expect((summary.compliantCount, summary.nonCompliantCount, summary.notApplicableCount) == (0, 0, 1))
        let page = store.page(rule: rule, filter: .init(compliances: [.notApplicable]), after: nil, limit: 10)
        #expect(page.rows.count == 1 && page.rows[0].compliance == .notApplicable)
    }

    @Test("Inputs for rules that do not exist are ignored and intern nothing")
    func unknownRule() {
        var store = ComplianceStore()
        let rule = store.ruleSlot(forKey: "rule")
        let strings = store.visibleStrings
        let outcome = store.record([input(rule + 100, "a", .compliant, 1), input(rule, "b", .compliant, 1)], recordedTime: 1)
        #expect(outcome == RecordOutcome(stored: 1, ignored: 1))
        #expect(store.visibleStrings == strings + 2)  // the type and "b", not "a"
        #expect(store.stringView.find("a") == nil)
    }

    @Test("Rule compliance follows AWS: non-compliant wins, then compliant, else insufficient data", arguments: [
        (compliant: 0, nonCompliant: 0, notApplicable: 0, expected: RuleCompliance.insufficientData),
        (compliant: 0, nonCompliant: 0, notApplicable: 3, expected: RuleCompliance.insufficientData),
        (compliant: 2, nonCompliant: 0, notApplicable: 3, expected: RuleCompliance.compliant),
        (compliant: 2, nonCompliant: 1, notApplicable: 0, expected: RuleCompliance.nonCompliant),
        (compliant: 0, nonCompliant: 100, notApplicable: 0, expected: RuleCompliance.nonCompliant),
        (compliant: 5, nonCompliant: 101, notApplicable: 1, expected: RuleCompliance.nonCompliant),
    ])
    func ruleCompliance(compliant: Int, nonCompliant: Int, notApplicable: Int, expected: RuleCompliance) {
        var store = ComplianceStore()
        let rule = store.ruleSlot(forKey: "rule")
        var inputs: [EvaluationInput] = []
        for index in 0..<compliant { inputs.append(input(rule, "c\(index)", .compliant, 1)) }
        for index in 0..<nonCompliant { inputs.append(input(rule, "n\(index)", .nonCompliant, 1)) }
        for index in 0..<notApplicable { inputs.append(input(rule, "x\(index)", .notApplicable, 1)) }
        _ = store.record(inputs, recordedTime: 7)
        let summary = store.ruleSummary(rule)!
        #expect(summary.compliance == expected)
        #expect(summary.cappedCount == min(nonCompliant, 100))
        #expect(summary.capExceeded == (nonCompliant > 100))
        #expect(summary.totalCount == compliant + nonCompliant + notApplicable)
        #expect(summary.lastChanged == (inputs.isEmpty ? 0 : 7))
    }

    @Test("Copies are versions: a copy keeps its results while the working copy changes")
    func versions() {
        var store = ComplianceStore()
        let rule = store.ruleSlot(forKey: "rule")
        _ = store.record((0..<1_000).map { input(rule, "r\($0)", .compliant, 1) }, recordedTime: 1)
        let published = store
        let bytes = published.serializedBytes()
        _ = store.record((0..<1_000).map { input(rule, "r\($0)", .nonCompliant, 2) }, recordedTime: 2)
        _ = store.record((1_000..<2_000).map { input(rule, "r\($0)", .notApplicable, 2) }, recordedTime: 2)
        #expect(published.serializedBytes() == bytes)
        #expect(published.ruleSummary(rule)?.compliantCount == 1_000)
        #expect(published.stringView.find("r1500") == nil)
        #expect(store.ruleSummary(rule)?.nonCompliantCount == 1_000)
    }
}
