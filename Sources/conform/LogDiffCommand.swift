import ArgumentParser
import ConformancePacks
import EventLog
import Foundation

/// `conform log diff DIR --from A --to B`: what changed between two points of the log.
struct LogDiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "What changed between two points of a log: packs, rules, statuses, the organization and compliance.",
        discussion: """
            Rebuilds the state at --from (from a snapshot when one lies before it) and at --to, and \
            compares the two: packs added, removed and updated (with their rules and status), \
            rules added and removed, organization membership, organization packs, and each rule's \
            result counts with the resources that flipped.
            """
    )

    @OptionGroup var options: LogDirectoryOptions

    @Option(help: "The first point: an event sequence number (0 for the empty state) or an ISO-8601 time.")
    var from: String

    @Option(help: "The second point: an event sequence number or an ISO-8601 time (default: the end of the log).")
    var to: String?

    @Option(help: "The most flipped resources to list per rule.")
    var limit = 10

    @Option(help: "Output format: text or json (one object).")
    var format: ReplayFormat = .text

    func validate() throws {
        for (name, value) in [("--from", from), ("--to", to)] {
            if let value, ConformanceEngine.ReadPoint(parsing: value) == nil {
                throw ValidationError("\(name) must be an event sequence number or an ISO-8601 time (2024-01-02T03:04:05Z), not '\(value)'.")
            }
        }
        guard limit >= 0 else { throw ValidationError("--limit must not be negative.") }
    }

    func run() throws {
        let location = LogLocation(options)
        let diff: StateDiff
        var progress = ReplayProgress(after: 0, through: nil)
        do {
            let a = try sequence(from, location)
            let b = try to.map { try sequence($0, location) } ?? LogStepper.sequence(at: .sequence(.max), logDirectory: location.events)
            guard a <= b else {
                printError("error: --from (sequence \(a)) lies after --to (sequence \(b))")
                throw ExitCode(2)
            }
            let stepper = try LogStepper(logDirectory: location.events, snapshotDirectory: location.snapshots, start: a, through: b)
            let start = stepper.mark()
            progress = ReplayProgress(after: stepper.lastSequence, through: b)
            try stepper.run { progress.update($0) }
            progress.clear()
            diff = stepper.diff(since: start, flipLimit: limit)
        } catch {
            progress.clear()
            throw exitWithReplayError(error)
        }
        switch format {
        case .text: printText(diff)
        case .json: print(jsonLine(json(diff)))
        }
    }

    /// The sequence a point names; a sequence beyond the log's end is an error.
    private func sequence(_ text: String, _ location: LogLocation) throws -> UInt64 {
        guard let point = ConformanceEngine.ReadPoint(parsing: text) else { throw ExitCode(2) }
        let found = try LogStepper.sequence(at: point, logDirectory: location.events)
        if case .sequence(let wanted) = point, wanted > found {
            printError("error: the log \(location.events) ends at sequence \(found), before \(wanted)")
            throw ExitCode(2)
        }
        return found
    }

    private func at(_ named: StateDiff.Named) -> String { "\(named.account)/\(named.region) \(named.name)" }

    private func printText(_ diff: StateDiff) {
        print("diff \(diff.fromSequence) -> \(diff.toSequence)")
        if diff.isEmpty {
            print("no changes")
            return
        }
        for change in diff.packs {
            var text = "pack \(change.kind.rawValue) \(at(change.pack)) \(change.stateBefore ?? "-") -> \(change.stateAfter ?? "-")"
            if !change.rulesAdded.isEmpty { text += " rules added [\(change.rulesAdded.joined(separator: ", "))]" }
            if !change.rulesRemoved.isEmpty { text += " rules removed [\(change.rulesRemoved.joined(separator: ", "))]" }
            print(text)
        }
        for change in diff.rules {
            print("rule \(change.kind.rawValue) \(at(change.rule))\(change.ownerPack.map { " (pack \($0))" } ?? "")")
        }
        if let o = diff.organization {
            var text = "organization"
            if o.managementBefore != o.managementAfter { text += " management \(o.managementBefore) -> \(o.managementAfter)" }
            if !o.membersAdded.isEmpty { text += " members joined [\(o.membersAdded.joined(separator: ", "))]" }
            if !o.membersRemoved.isEmpty { text += " members left [\(o.membersRemoved.joined(separator: ", "))]" }
            if !o.administratorsAdded.isEmpty { text += " administrators added [\(o.administratorsAdded.joined(separator: ", "))]" }
            if !o.administratorsRemoved.isEmpty { text += " administrators removed [\(o.administratorsRemoved.joined(separator: ", "))]" }
            print(text)
        }
        for change in diff.organizationPacks {
            print("organization pack \(change.kind.rawValue) \(at(change.pack)) \(change.statusBefore ?? "-") -> \(change.statusAfter ?? "-")")
        }
        for change in diff.compliance {
            let (b, a) = (change.before, change.after)
            print("compliance \(at(change.rule)) \(b.compliance) -> \(a.compliance) compliant \(b.compliant) -> \(a.compliant) non_compliant \(b.nonCompliant) -> \(a.nonCompliant) not_applicable \(b.notApplicable) -> \(a.notApplicable)")
            for flip in change.flipped {
                print("  \(flip.resourceType) \(flip.resourceId): \(flip.before ?? "none") -> \(flip.after ?? "none")")
            }
            if change.moreFlipped > 0 { print("  and \(change.moreFlipped) more") }
        }
    }

    private func json(_ diff: StateDiff) -> [String: Any] {
        func orNull(_ value: String?) -> Any { value.map { $0 as Any } ?? NSNull() }
        func named(_ n: StateDiff.Named) -> [String: Any] { ["account": n.account, "region": n.region, "name": n.name] }
        func counts(_ c: StateDiff.Counts) -> [String: Any] {
            ["compliance": c.compliance, "compliant": c.compliant, "nonCompliant": c.nonCompliant, "notApplicable": c.notApplicable]
        }
        var object: [String: Any] = [
            "from": diff.fromSequence, "to": diff.toSequence,
            "packs": diff.packs.map { c -> [String: Any] in
                var o = named(c.pack)
                o["change"] = c.kind.rawValue
                o["stateBefore"] = orNull(c.stateBefore)
                o["stateAfter"] = orNull(c.stateAfter)
                o["rulesAdded"] = c.rulesAdded
                o["rulesRemoved"] = c.rulesRemoved
                return o
            },
            "rules": diff.rules.map { c -> [String: Any] in
                var o = named(c.rule)
                o["change"] = c.kind.rawValue
                if let owner = c.ownerPack { o["pack"] = owner }
                return o
            },
            "organizationPacks": diff.organizationPacks.map { c -> [String: Any] in
                var o = named(c.pack)
                o["change"] = c.kind.rawValue
                o["statusBefore"] = orNull(c.statusBefore)
                o["statusAfter"] = orNull(c.statusAfter)
                return o
            },
            "compliance": diff.compliance.map { c -> [String: Any] in
                var o = named(c.rule)
                o["before"] = counts(c.before)
                o["after"] = counts(c.after)
                o["flipped"] = c.flipped.map {
                    ["resourceType": $0.resourceType, "resourceId": $0.resourceId, "before": orNull($0.before), "after": orNull($0.after)]
                        as [String: Any]
                }
                o["moreFlipped"] = c.moreFlipped
                return o
            },
        ]
        if let o = diff.organization {
            object["organization"] = [
                "managementBefore": o.managementBefore, "managementAfter": o.managementAfter,
                "membersJoined": o.membersAdded, "membersLeft": o.membersRemoved,
                "administratorsAdded": o.administratorsAdded, "administratorsRemoved": o.administratorsRemoved,
            ]
        }
        return object
    }
}
