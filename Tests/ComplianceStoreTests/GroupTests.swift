import Testing
@testable import ComplianceStore

@Suite("Groups")
struct GroupTests {
    /// Runs a random mix of every mutation on a store and on the model, checking after each step.
    static func randomMix(seed: UInt64, steps: Int) -> (ComplianceStore, ReferenceModel, [String]) {
        var workload = Workload(seed: seed)
        var store = ComplianceStore()
        var model = ReferenceModel()
        var problems: [String] = []
        let ruleKeys = (0..<12).map { "rule-\($0)" }
        let groupKeys = (0..<4).map { "pack-\($0)" }
        for key in ruleKeys { model.rules[store.ruleSlot(forKey: key)] = .init() }
        for key in groupKeys { model.groups[store.groupSlot(forKey: key)] = 0 }
        for step in 0..<steps {
            workload.time += 1
            let time = workload.time
            let live = store.ruleSlots
            switch workload.rng.next() % 20 {
            case 0..<12 where !live.isEmpty:
                let inputs = workload.inputs(rules: live, count: Int(workload.rng.next() % 30) + 1)
                let outcome = store.record(inputs, recordedTime: time)
                let expected = model.record(inputs, at: time)
                if outcome != expected { problems.append("step \(step): outcome \(outcome) != \(expected)") }
            case 12..<15 where !live.isEmpty:
                let rule = workload.pick(live)
                let groups = store.groupSlots
                let group: UInt32? = groups.isEmpty || workload.rng.next() % 4 == 0 ? nil : workload.pick(groups)
                store.assign(rule: rule, to: group, recordedTime: time)
                model.assign(rule, to: group, at: time)
            case 15 where !live.isEmpty:
                let rule = workload.pick(live)
                store.deleteResults(rule: rule, recordedTime: time)
                model.deleteResults(rule, at: time)
            case 16 where !live.isEmpty:
                let rule = workload.pick(live)
                store.dropRule(rule, recordedTime: time)
                model.dropRule(rule, at: time)
            case 17:
                let slot = store.ruleSlot(forKey: workload.pick(ruleKeys))
                if model.rules[slot] == nil { model.rules[slot] = .init() }
            case 18:
                if let group = store.groupSlots.first, workload.rng.next() % 3 == 0 {
                    store.dropGroup(group)
                    model.dropGroup(group)
                }
            default:
                let slot = store.groupSlot(forKey: workload.pick(groupKeys))
                if model.groups[slot] == nil { model.groups[slot] = 0 }
            }
            problems += model.check(store, "seed \(seed) step \(step)")
            if problems.count > 5 { break }
        }
        return (store, model, problems)
    }

    @Test("Group and rule counters match a brute-force recomputation after every step of a random mix", arguments: [UInt64(11), 12, 13])
    func countersMatch(seed: UInt64) {
        print("Group random mix seed \(seed)")
        let (_, _, problems) = Self.randomMix(seed: seed, steps: 1_500)
        #expect(problems.isEmpty, "\(problems.prefix(5))")
    }

    @Test("The score change time moves only when the ratio C / (C + N) changes")
    func scoreChanged() {
        var store = ComplianceStore()
        let pack = store.groupSlot(forKey: "pack")
        let a = store.ruleSlot(forKey: "a")
        let b = store.ruleSlot(forKey: "b")
        func record(_ rule: UInt32, _ id: String, _ compliance: ResultCompliance, at time: Int64) {
            _ = store.record([EvaluationInput(rule: rule, resourceType: "T", resourceId: id, compliance: compliance, orderingTimestamp: time)], recordedTime: time)
        }
        store.assign(rule: a, to: pack, recordedTime: 1)
        #expect(store.groupSummary(pack)?.scoreChanged == 0)  // joining with no pairs: still no score
        record(a, "x", .compliant, at: 10)  // 0 pairs -> 1/1: changed
        #expect(store.groupSummary(pack)?.scoreChanged == 10)
        record(a, "y", .compliant, at: 20)  // 1/1 -> 2/2: same score
        #expect(store.groupSummary(pack)?.scoreChanged == 10)
        record(a, "z", .notApplicable, at: 25)  // not a pair
        #expect(store.groupSummary(pack)?.scoreChanged == 10)
        record(a, "z", .nonCompliant, at: 30)  // 2/3: changed
        #expect(store.groupSummary(pack)?.scoreChanged == 30)
        record(b, "w", .nonCompliant, at: 40)  // b is not in the pack
        #expect(store.groupSummary(pack)?.scoreChanged == 30)
        store.assign(rule: b, to: pack, recordedTime: 50)  // 2/4: changed
        #expect(store.groupSummary(pack)?.scoreChanged == 50)
        #expect(store.groupSummary(pack)?.score == 50)
        store.deleteResults(rule: a, recordedTime: 60)  // 0/1
        #expect(store.groupSummary(pack)?.scoreChanged == 60)
        store.dropRule(b, recordedTime: 70)  // no pairs
        #expect(store.groupSummary(pack)?.scoreChanged == 70)
        #expect(store.groupSummary(pack)?.score == nil)
        let summary = store.groupSummary(pack)!
        #expect((summary.compliantRules, summary.nonCompliantRules, summary.insufficientDataRules) == (0, 0, 1))
    }

    @Test("Dropping a group ungroups its rules; assigning to a missing group does nothing")
    func dropGroup() {
        var store = ComplianceStore()
        let pack = store.groupSlot(forKey: "pack")
        let rule = store.ruleSlot(forKey: "rule")
        let done0 = store.assign(rule: rule, to: pack, recordedTime: 1)
        #expect(done0)
        #expect(store.rules(in: pack) == [rule])
        let done1 = store.dropGroup(pack)
        #expect(done1)
        #expect(store.ruleSummary(rule)?.group == nil)
        #expect(store.groupSummary(pack) == nil)
        let done2 = store.assign(rule: rule, to: pack, recordedTime: 2)
        #expect(!done2)
        let done3 = store.assign(rule: rule + 99, to: nil, recordedTime: 2)
        #expect(!done3)
        let again = store.groupSlot(forKey: "pack")
        #expect(again == pack && store.rules(in: again).isEmpty)
    }
}
