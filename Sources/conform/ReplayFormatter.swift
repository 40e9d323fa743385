import ConformancePacks
import Foundation

/// Formats a ``StateReport`` for `conform replay`: text for people, JSON for programs.
struct ReplayFormatter {
    let report: StateReport
    /// Only the digest (`--digest`).
    let digestOnly: Bool
    let json: Bool

    func render() throws -> String {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            let data: Data
            if digestOnly {
                data = try encoder.encode(Digest(lastSequence: report.lastSequence, digest: report.digest))
            } else {
                data = try encoder.encode(report)
            }
            return String(decoding: data, as: UTF8.self)
        }
        if digestOnly { return report.digest }
        var lines = ["state after sequence \(report.lastSequence), digest \(report.digest)"]
        if report.partitions.isEmpty { lines.append("(no packs, organization packs or rules)") }
        for partition in report.partitions {
            lines.append("account \(partition.accountId) region \(partition.region)")
            for pack in partition.packs {
                let c = pack.compliance
                var line = "  pack \(pack.name): \(pack.status)"
                if let reason = pack.statusReason { line += " (\(reason))" }
                if let owner = pack.organizationPack { line += ", of organization pack \(owner)" }
                line += "; \(c.compliance), score \(c.score.map { String(format: "%.1f", $0) } ?? "INSUFFICIENT_DATA")"
                line += "; rules: \(c.compliantRules) compliant, \(c.nonCompliantRules) non-compliant, \(c.insufficientDataRules) insufficient data"
                lines.append(line)
            }
            for pack in partition.organizationPacks {
                lines.append("  organization pack \(pack.name): \(pack.status)")
                for member in pack.members {
                    lines.append("    member \(member.accountId): \(member.status)\(member.errorCode.map { " (\($0))" } ?? "")")
                }
            }
            for rule in partition.rules {
                var line = "  rule \(rule.name): \(rule.state)"
                if let pack = rule.pack { line += ", in pack \(pack)" }
                line += "; \(rule.compliance) (\(rule.compliantResources) compliant, \(rule.nonCompliantResources) non-compliant resources)"
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n")
    }

    /// `--digest --format json`.
    struct Digest: Encodable {
        var lastSequence: UInt64
        var digest: String
    }
}
