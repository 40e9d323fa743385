import ComplianceStore

/// A pack as `conform log history` shows it after an event: its status and compliance summary.
package struct PackView: Sendable, Hashable {
    /// `ConformancePackState` (`CREATE_COMPLETE`, …).
    package var state: String
    package var statusReason: String?
    /// The rules the pack has deployed.
    package var ruleCount: Int
    package var compliantRules = 0
    package var nonCompliantRules = 0
    package var insufficientDataRules = 0
    /// 0…100, or nil for `INSUFFICIENT_DATA`.
    package var score: Double?
}

/// A rule as `conform log history` shows it after an event: its compliance and result counts.
package struct RuleView: Sendable, Hashable {
    /// The rule's real name (a pack's rules carry the pack id: `name-conformance-pack-…`).
    package var name: String
    /// `ConfigRuleState` (`ACTIVE`, `DELETING`).
    package var state: String
    package var ownerPack: String?
    /// `COMPLIANT`, `NON_COMPLIANT` or `INSUFFICIENT_DATA`.
    package var compliance: String
    package var compliant = 0
    package var nonCompliant = 0
    package var notApplicable = 0
}

/// What `conform log history` follows.
package enum HistorySubject: Sendable, Hashable {
    /// A pack of an account partition.
    case pack(account: String, region: String, name: String)
    /// A rule of an account partition; with `pack`, `name` may be the template's rule name (the
    /// pack's rule is then `name-<pack id>`).
    case rule(account: String, region: String, name: String, pack: String?)
}

/// The subject after an event: a pack, a rule, or absent.
package enum HistoryView: Sendable, Hashable {
    case pack(PackView)
    case rule(RuleView)
    case absent
}

/// One line of a history: an event that touched the subject, and the subject after it.
package struct HistoryEntry: Sendable {
    package var step: LogStepper.Step
    package var view: HistoryView
    /// Whether the event names the subject (else only the subject's state changed under it, as
    /// a pack's completion does to the rules it deploys).
    package var named: Bool
}

extension LogStepper {
    /// The subject in the current state.
    package func view(of subject: HistorySubject) -> HistoryView {
        switch subject {
        case .pack(let account, let region, let name):
            return Self.packView(state, PartitionKey(accountId: account, region: region), name).map(HistoryView.pack) ?? .absent
        case .rule(let account, let region, let name, let pack):
            return Self.ruleView(state, PartitionKey(accountId: account, region: region), name, pack: pack).map(HistoryView.rule) ?? .absent
        }
    }

    /// Steps to the end of the range, calling `entry` for every event that names the subject or
    /// changes what ``view(of:)`` shows of it; `progress` after every event.
    package func history(
        of subject: HistorySubject, progress: (UInt64) -> Void = { _ in }, entry: (HistoryEntry) throws -> Void
    ) throws {
        var last = view(of: subject)
        while let step = try step() {
            let now = view(of: subject)
            let named = names(step.touches, subject, now)
            if named || now != last { try entry(HistoryEntry(step: step, view: now, named: named)) }
            last = now
            progress(step.sequence)
        }
    }

    /// Whether `touches` names the subject: a pack by name; a rule by its name, by the name it
    /// has now, or (with its pack) by `name-<pack id>`.
    private func names(_ touches: EventTouches, _ subject: HistorySubject, _ view: HistoryView) -> Bool {
        switch subject {
        case .pack(let account, let region, let name):
            return touches.packs.contains(EventTouches.Named(account: account, region: region, name: name))
        case .rule(let account, let region, let name, let pack):
            var names = [name]
            if case .rule(let rule) = view { names.append(rule.name) }
            if let pack, let id = state[partition: PartitionKey(accountId: account, region: region)].packs[pack]?.id {
                names.append("\(name)-\(id)")
            }
            return touches.rules.contains { $0.account == account && $0.region == region && names.contains($0.name) }
        }
    }

    static func packView(_ state: EngineState, _ key: PartitionKey, _ name: String) -> PackView? {
        guard let pack = state[partition: key].packs[name] else { return nil }
        let summary = StateReport.compliance(state.compliance, key, name, rules: pack.ruleNames.count)
        return PackView(
            state: pack.state.modelState.rawValue, statusReason: pack.statusReason, ruleCount: pack.ruleNames.count,
            compliantRules: summary.compliantRules, nonCompliantRules: summary.nonCompliantRules,
            insufficientDataRules: summary.insufficientDataRules, score: summary.score)
    }

    static func ruleView(_ state: EngineState, _ key: PartitionKey, _ name: String, pack: String?) -> RuleView? {
        let partition = state[partition: key]
        var rule = partition.rules[name]
        if let pack {
            if rule?.ownerPack != pack { rule = nil }
            if rule == nil, let id = partition.packs[pack]?.id { rule = partition.rules["\(name)-\(id)"] }
            if rule?.ownerPack != pack { rule = nil }
        }
        guard let rule else { return nil }
        let (compliance, summary) = ComplianceView.rule(state.compliance, key, rule.name)
        var view = RuleView(name: rule.name, state: rule.state.rawValue, ownerPack: rule.ownerPack, compliance: compliance.rawValue)
        if let summary {
            view.compliant = summary.compliantCount
            view.nonCompliant = summary.nonCompliantCount
            view.notApplicable = summary.notApplicableCount
        }
        return view
    }
}
