@testable import ComplianceStore

/// A brute-force model of a store: plain dictionaries keyed by strings' UTF-8 bytes (Swift's
/// `String` equality is Unicode-canonical, the store's is not).
struct ReferenceModel {
    struct ResultKey: Hashable {
        var type: [UInt8]
        var id: [UInt8]
    }

    struct Result: Equatable {
        var compliance: ResultCompliance
        var ordering: Int64
        var recorded: Int64
        var annotation: [UInt8]?
    }

    struct Rule {
        var results: [ResultKey: Result] = [:]
        var group: UInt32 = 0
        var lastChanged: Int64 = 0

        func count(_ compliance: ResultCompliance) -> Int { results.values.filter { $0.compliance == compliance }.count }
    }

    var rules: [UInt32: Rule] = [:]
    var groups: [UInt32: Int64] = [:]

    func pairs(_ group: UInt32) -> (Int, Int) {
        var pairs = (0, 0)
        for rule in rules.values where rule.group == group {
            pairs.0 += rule.count(.compliant)
            pairs.1 += rule.count(.nonCompliant)
        }
        return pairs
    }

    /// Runs `change`, noting `time` as the score change of each group whose score it changed.
    mutating func changing(_ time: Int64, _ change: (inout ReferenceModel) -> Void) {
        let before = groups.keys.map { ($0, pairs($0)) }
        change(&self)
        for (group, old) in before where groups[group] != nil {
            if GroupCounters.scoreDiffers(old, pairs(group)) { groups[group] = time }
        }
    }

    mutating func record(_ inputs: [EvaluationInput], at time: Int64) -> RecordOutcome {
        var outcome = RecordOutcome()
        for input in inputs {
            guard rules[input.rule] != nil else {
                outcome.ignored += 1
                continue
            }
            let key = ResultKey(type: Array(input.resourceType.utf8), id: Array(input.resourceId.utf8))
            if let current = rules[input.rule]!.results[key], input.orderingTimestamp < current.ordering {
                outcome.ignored += 1
                continue
            }
            outcome.stored += 1
            changing(time) { model in
                model.rules[input.rule]!.results[key] = Result(
                    compliance: input.compliance, ordering: input.orderingTimestamp, recorded: time,
                    annotation: input.annotation.map { Array($0.utf8) })
                model.rules[input.rule]!.lastChanged = time
            }
        }
        return outcome
    }

    mutating func assign(_ rule: UInt32, to group: UInt32?, at time: Int64) {
        guard rules[rule] != nil, group.map({ groups[$0] != nil }) ?? true else { return }
        changing(time) { $0.rules[rule]!.group = group ?? 0 }
    }

    mutating func deleteResults(_ rule: UInt32, at time: Int64) {
        guard let current = rules[rule], !current.results.isEmpty else { return }
        changing(time) { model in
            model.rules[rule]!.results = [:]
            model.rules[rule]!.lastChanged = time
        }
    }

    mutating func dropRule(_ rule: UInt32, at time: Int64) {
        guard rules[rule] != nil else { return }
        changing(time) { $0.rules[rule] = nil }
    }

    mutating func dropGroup(_ group: UInt32) {
        guard groups.removeValue(forKey: group) != nil else { return }
        for (slot, rule) in rules where rule.group == group { rules[slot]!.group = 0 }
    }

    /// Checks every rule summary and group summary of `store` against the model.
    func check(_ store: ComplianceStore, _ context: String) -> [String] {
        var problems: [String] = []
        if Set(store.ruleSlots) != Set(rules.keys) { problems.append("\(context): rule slots differ") }
        for (slot, rule) in rules {
            guard let summary = store.ruleSummary(slot) else {
                problems.append("\(context): rule \(slot) missing")
                continue
            }
            let nonCompliant = rule.count(.nonCompliant)
            let expected = RuleSummary(
                rule: slot, group: rule.group == 0 ? nil : rule.group, compliantCount: rule.count(.compliant),
                nonCompliantCount: nonCompliant, notApplicableCount: rule.count(.notApplicable),
                compliance: RuleCompliance(compliant: rule.count(.compliant), nonCompliant: nonCompliant),
                cappedCount: min(nonCompliant, 100), capExceeded: nonCompliant > 100, lastChanged: rule.lastChanged)
            if summary != expected { problems.append("\(context): rule \(slot): \(summary) != \(expected)") }
        }
        if Set(store.groupSlots) != Set(groups.keys) { problems.append("\(context): group slots differ") }
        for (slot, scoreChanged) in groups {
            let members = rules.filter { $0.value.group == slot }
            let states = members.values.map { RuleCompliance(compliant: $0.count(.compliant), nonCompliant: $0.count(.nonCompliant)) }
            let pairs = pairs(slot)
            let expected = GroupSummary(
                group: slot, compliantRules: states.filter { $0 == .compliant }.count,
                nonCompliantRules: states.filter { $0 == .nonCompliant }.count,
                insufficientDataRules: states.filter { $0 == .insufficientData }.count, compliantPairs: pairs.0,
                nonCompliantPairs: pairs.1, scoreChanged: scoreChanged)
            if store.groupSummary(slot) != expected {
                problems.append("\(context): group \(slot): \(String(describing: store.groupSummary(slot))) != \(expected)")
            }
            if store.rules(in: slot) != members.keys.sorted() { problems.append("\(context): group \(slot) members differ") }
        }
        return problems
    }

    /// Every result of `rule` as rows, in key order, with keys from `store`'s strings.
    func rows(_ rule: UInt32, _ store: ComplianceStore) -> [ResultRow] {
        guard let rule = rules[rule] else { return [] }
        let view = store.stringView
        return rule.results.map { key, result in
            let type = key.type.withUnsafeBytes { view.find(bytes: $0)! }
            let id = key.id.withUnsafeBytes { view.find(bytes: $0)! }
            return ResultRow(
                key: UInt64(type) << 32 | UInt64(id), resourceType: String(decoding: key.type, as: UTF8.self),
                resourceId: String(decoding: key.id, as: UTF8.self), compliance: result.compliance,
                orderingTimestamp: result.ordering, recordedTime: result.recorded,
                annotation: result.annotation.map { String(decoding: $0, as: UTF8.self) })
        }.sorted { $0.key < $1.key }
    }
}

/// A seeded random workload over a small universe of rules, groups, types and ids.
struct Workload {
    static let types = ["AWS::S3::Bucket", "AWS::EC2::Instance", "AWS::IAM::Role", "AWS::Lambda::Function", "AWS::RDS::DBInstance"]
    /// Ids include one used under several types, and "é" precomposed and decomposed.
    static let ids: [String] = (0..<60).map { "arn:aws:service:us-east-1:123456789012:resource/r-\($0)" } + ["caf\u{E9}", "cafe\u{301}", "shared"]
    static let annotations: [String?] = [nil, "ok", "bucket is public", "no encryption", nil]

    var rng: SeededGenerator
    var time: Int64 = 1_000

    init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    mutating func pick<T>(_ values: [T]) -> T { values[Int(rng.next() % UInt64(values.count))] }

    mutating func inputs(rules: [UInt32], count: Int) -> [EvaluationInput] {
        let rule = pick(rules)
        return (0..<count).map { _ in
            EvaluationInput(
                rule: rng.next() % 20 == 0 ? pick(rules) : rule, resourceType: pick(Self.types), resourceId: pick(Self.ids),
                compliance: pick(ResultCompliance.allCases), orderingTimestamp: 1_000 + Int64(rng.next() % 50),
                annotation: pick(Self.annotations))
        }
    }
}
