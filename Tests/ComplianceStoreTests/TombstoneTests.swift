import Testing
@testable import ComplianceStore

@Suite("Tombstones and rollback")
struct TombstoneTests {
    static func filled(_ count: Int) -> (ComplianceStore, UInt32) {
        var store = ComplianceStore()
        let rule = store.ruleSlot(forKey: "rule")
        let inputs = (0..<count).map {
            EvaluationInput(rule: rule, resourceType: "T", resourceId: "r\($0)", compliance: ResultCompliance.allCases[$0 % 3], orderingTimestamp: 1)
        }
        _ = store.record(inputs, recordedTime: 5)
        return (store, rule)
    }

    @Test("Deleting a rule's results is O(1) and hands its trees to the graveyard")
    func deleteResults() {
        var (store, rule) = Self.filled(30_000)
        let trees = store.rules[rule]!
        let done0 = store.deleteResults(rule: rule, recordedTime: 9)
        #expect(done0)
        // The store let go of the trees without freeing them: the graveyard holds them.
        #expect(store.rules[rule]!.compliant.root == nil)
        var graveyard = store.takeGraveyard()
        #expect(graveyard.treeCount == 3 && graveyard.resultCount == 30_000)
        #expect(store.takeGraveyard().treeCount == 0)
        #expect(graveyard.trees.values.contains { $0.root === trees.compliant.root })
        let summary = store.ruleSummary(rule)!
        #expect(summary.totalCount == 0 && summary.lastChanged == 9 && summary.compliance == .insufficientData)
        graveyard = ComplianceGraveyard()
        _ = graveyard
    }

    @Test("A dropped rule is gone, and created again with its key it starts empty")
    func dropAndRecreate() {
        var (store, rule) = Self.filled(1_000)
        let done1 = store.dropRule(rule, recordedTime: 9)
        #expect(done1)
        #expect(store.ruleSummary(rule) == nil)
        #expect(store.findRuleSlot(forKey: "rule") == nil)
        let input = EvaluationInput(rule: rule, resourceType: "T", resourceId: "r1", compliance: .compliant, orderingTimestamp: 1)
        let outcome = store.record([input], recordedTime: 10)
        #expect(outcome.ignored == 1)
        let again = store.ruleSlot(forKey: "rule")
        #expect(again == rule)
        #expect(store.ruleSummary(again)?.totalCount == 0)
        #expect(store.page(rule: again, filter: .init(), after: nil, limit: 10).rows.isEmpty)
        #expect(store.takeGraveyard().resultCount == 1_000)
    }

    @Test("Rolling back restores the published version and forgets the strings interned since")
    func rollBack() {
        var (store, rule) = Self.filled(500)
        let published = store
        let bytes = published.serializedBytes()
        let inputs = (0..<2_000).map {
            EvaluationInput(rule: rule, resourceType: "U\($0 % 7)", resourceId: "new-\($0)", compliance: .nonCompliant, orderingTimestamp: 2)
        }
        _ = store.record(inputs, recordedTime: 6)
        _ = store.ruleSlot(forKey: "another")
        store.rollBack(to: published)
        #expect(store.serializedBytes() == bytes)
        #expect(store.strings.count == published.visibleStrings)
        #expect(store.strings.find("new-5") == nil)
        // The writer goes on from there, reusing the forgotten ids.
        _ = store.record([EvaluationInput(rule: rule, resourceType: "T", resourceId: "after", compliance: .compliant, orderingTimestamp: 3)], recordedTime: 7)
        #expect(store.stringView.find("after") == UInt32(published.visibleStrings + 1))
        #expect(published.serializedBytes() == bytes)
    }
}
