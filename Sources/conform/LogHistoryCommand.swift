import ArgumentParser
import ConformancePacks
import EventLog
import Foundation

/// `conform log history DIR --account ID --pack NAME | --rule NAME`: the timeline of one pack or rule.
struct LogHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "The timeline of one pack or rule: one line per event that touched it, with its status and compliance after the event.",
        discussion: """
            Replays the log from its first event through the engine's apply path. A pack line shows \
            its ConformancePackState, rule count, rules by compliance and score; a rule line its \
            compliance and result counts. With --pack and --rule, the rule is the pack's (NAME or NAME-<pack id>).
            """
    )

    @OptionGroup var options: LogDirectoryOptions

    @Option(help: "The account of the pack or rule.")
    var account = "123456789012"

    @Option(help: "The region of the pack or rule.")
    var region = "us-east-1"

    @Option(help: "The pack to follow (with --rule: the pack that owns the rule).")
    var pack: String?

    @Option(help: "The rule to follow.")
    var rule: String?

    @Option(help: "The last sequence to replay (default: the end of the log).")
    var to: UInt64?

    @Option(help: "Output format: text or json (one object per line).")
    var format: ReplayFormat = .text

    func validate() throws {
        guard pack != nil || rule != nil else { throw ValidationError("Name a --pack or a --rule (or both) to follow.") }
        if let to, to < 1 { throw ValidationError("--to must be 1 or more; sequences start at 1.") }
    }

    func run() throws {
        let subject: HistorySubject = if let rule {
            .rule(account: account, region: region, name: rule, pack: pack)
        } else {
            .pack(account: account, region: region, name: pack ?? "")
        }
        let location = LogLocation(options)
        var progress = ReplayProgress(after: 0, through: to ?? ReplayProgress.lastSequence(of: location.events))
        var lines = 0
        do {
            let stepper = try LogStepper(logDirectory: location.events, snapshotDirectory: nil, through: to)
            try stepper.history(of: subject, progress: { progress.update($0) }) { entry in
                progress.clear()
                print(line(entry))
                lines += 1
            }
            progress.clear()
        } catch {
            progress.clear()
            throw exitWithReplayError(error)
        }
        if lines == 0 {
            printError("no event touched \(rule.map { "rule \($0)" } ?? "pack \(pack ?? "")") in \(account)/\(region)")
        }
    }

    private func line(_ entry: HistoryEntry) -> String {
        let step = entry.step
        switch format {
        case .text:
            var text = "\(step.sequence)\t\(formatTimestamp(step.timestamp))\t\(step.touches.type)\t"
            switch entry.view {
            case .absent: text += "absent"
            case .pack(let p):
                text += "\(p.state) rules=\(p.ruleCount) compliant=\(p.compliantRules) non_compliant=\(p.nonCompliantRules) insufficient_data=\(p.insufficientDataRules) score=\(score(p.score))"
                if let reason = p.statusReason { text += " reason=\"\(reason)\"" }
            case .rule(let r):
                text += "\(r.compliance) compliant=\(r.compliant) non_compliant=\(r.nonCompliant) not_applicable=\(r.notApplicable) state=\(r.state) name=\(r.name)"
                if let owner = r.ownerPack { text += " pack=\(owner)" }
            }
            return text
        case .json:
            var object: [String: Any] = [
                "sequence": step.sequence, "timestamp": step.timestamp, "type": step.touches.type, "named": entry.named,
                "description": step.description,
            ]
            switch entry.view {
            case .absent: object["exists"] = false
            case .pack(let p):
                object["exists"] = true
                object["state"] = p.state
                object["rules"] = p.ruleCount
                object["compliance"] = [
                    "compliant": p.compliantRules, "nonCompliant": p.nonCompliantRules, "insufficientData": p.insufficientDataRules,
                    "score": p.score.map { $0 as Any } ?? "INSUFFICIENT_DATA",
                ]
                if let reason = p.statusReason { object["statusReason"] = reason }
            case .rule(let r):
                object["exists"] = true
                object["name"] = r.name
                object["state"] = r.state
                object["compliance"] = r.compliance
                object["counts"] = ["compliant": r.compliant, "nonCompliant": r.nonCompliant, "notApplicable": r.notApplicable]
                if let owner = r.ownerPack { object["pack"] = owner }
            }
            return jsonLine(object)
        }
    }

    private func score(_ score: Double?) -> String {
        score.map { String(format: "%.2f", $0) } ?? "INSUFFICIENT_DATA"
    }
}
