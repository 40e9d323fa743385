import Testing
@testable import ComplianceStore

@Suite("Pages")
struct PageTests {
    static let filters: [ResultFilter] = {
        let complianceSets: [Set<ResultCompliance>] = [[], [.compliant], [.nonCompliant], [.notApplicable], [.compliant, .nonCompliant], [.nonCompliant, .notApplicable], [.compliant, .notApplicable], [.compliant, .nonCompliant, .notApplicable]]
        let types: [String?] = [nil, Workload.types[0], Workload.types[3], "AWS::Unknown::Type"]
        let ids: [[String]?] = [nil, [Workload.ids[3], "shared", "caf\u{E9}"], ["cafe\u{301}"], ["nope", Workload.ids[10], Workload.ids[10]], []]
        return complianceSets.flatMap { set in types.flatMap { type in ids.map { ResultFilter(compliances: set, resourceType: type, resourceIds: $0) } } }
    }()

    static func expected(_ model: ReferenceModel, _ store: ComplianceStore, rule: UInt32, _ filter: ResultFilter) -> [ResultRow] {
        model.rows(rule, store).filter { row in
            (filter.compliances.isEmpty || filter.compliances.contains(row.compliance))
                && (filter.resourceType.map { row.resourceType.utf8.elementsEqual($0.utf8) } ?? true)
                && (filter.resourceIds.map { ids in ids.contains { row.resourceId.utf8.elementsEqual($0.utf8) } } ?? true)
        }
    }

    /// Every page of a chain over `store`, following `nextAfter`.
    static func chain(_ store: ComplianceStore, rule: UInt32, _ filter: ResultFilter, limit: Int) -> [ResultRow] {
        var rows: [ResultRow] = []
        var after: UInt64? = nil
        for _ in 0..<10_000 {
            let page = store.page(rule: rule, filter: filter, after: after, limit: limit)
            #expect(page.rows.count <= limit)
            rows += page.rows
            guard page.more else { break }
            after = page.nextAfter
        }
        return rows
    }

    @Test("Every filter combination, in pages of 1, 7 and 1000, matches a brute-force filter and sort")
    func filters() {
        let (store, model, problems) = GroupTests.randomMix(seed: 21, steps: 400)
        #expect(problems.isEmpty)
        for rule in store.ruleSlots {
            for filter in Self.filters {
                let expected = Self.expected(model, store, rule: rule, filter)
                for limit in [1, 7, 1_000] {
                    let rows = Self.chain(store, rule: rule, filter, limit: limit)
                    #expect(rows == expected, "rule \(rule) filter \(filter) limit \(limit)")
                }
                let first = store.page(rule: rule, filter: filter, after: nil, limit: 3)
                #expect(first.more == (expected.count > 3))
            }
        }
        #expect(store.page(rule: 9_999, filter: .init(), after: nil, limit: 10) == ResultPage(rows: [], more: false))
        if let rule = store.ruleSlots.first {
            #expect(store.page(rule: rule, filter: .init(), after: .max, limit: 10).rows.isEmpty)
        }
    }

    @Test("A page chain over a published version returns each result once while the writer keeps writing")
    func chainWhileWriting() {
        var (store, model, _) = GroupTests.randomMix(seed: 22, steps: 300)
        var workload = Workload(seed: 23)
        for rule in store.ruleSlots.prefix(4) {
            let published = store
            let expected = Self.expected(model, published, rule: rule, ResultFilter())
            var rows: [ResultRow] = []
            var after: UInt64? = nil
            while true {
                let page = published.page(rule: rule, filter: .init(), after: after, limit: 5)
                rows += page.rows
                // The writer changes its own copy between pages: new results, moves, deletes.
                workload.time += 1
                _ = store.record(workload.inputs(rules: store.ruleSlots, count: 20), recordedTime: workload.time)
                if workload.rng.next() % 5 == 0 { store.deleteResults(rule: rule, recordedTime: workload.time) }
                guard page.more else { break }
                after = page.nextAfter
            }
            #expect(rows == expected)
            #expect(Set(rows.map(\.key)).count == rows.count)
            model = ReferenceModel()  // the model no longer follows the writer
        }
    }

    @Test("Strings the version does not see do not exist for it")
    func invisibleStrings() {
        var store = ComplianceStore()
        let rule = store.ruleSlot(forKey: "rule")
        let published = store
        _ = store.record([EvaluationInput(rule: rule, resourceType: "T", resourceId: "x", compliance: .compliant, orderingTimestamp: 1)], recordedTime: 1)
        #expect(published.page(rule: rule, filter: .init(resourceType: "T"), after: nil, limit: 10).rows.isEmpty)
        #expect(published.page(rule: rule, filter: .init(resourceIds: ["x"]), after: nil, limit: 10).rows.isEmpty)
        #expect(store.page(rule: rule, filter: .init(resourceIds: ["x"]), after: nil, limit: 10).rows.count == 1)
        #expect(published.findRuleSlot(forKey: "rule") == rule)
    }
}
