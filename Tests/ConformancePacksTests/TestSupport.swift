import Foundation
import Logging
import Synchronization
import Testing
@testable import ConformancePacks

/// A clock the test moves by hand.
final class ManualClock: ConformanceClock {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_700_000_000)) { current = Mutex(start) }

    func now() -> Date { current.withLock { $0 } }

    func advance(_ seconds: Double) { current.withLock { $0 += seconds } }
}

/// SplitMix64: a repeatable id source and random generator for seeded tests.
final class SeededIdentifiers: IdentifierSource {
    private let state: Mutex<UInt64>

    init(seed: UInt64) { state = Mutex(seed) }

    func next() -> UInt64 {
        state.withLock { s in
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}

struct SeededGenerator: RandomNumberGenerator {
    let ids: SeededIdentifiers
    init(seed: UInt64) { ids = SeededIdentifiers(seed: seed) }
    mutating func next() -> UInt64 { ids.next() }
}

let alice = RequestContext(accountId: "111111111111", region: "us-east-1")
let bob = RequestContext(accountId: "222222222222", region: "eu-west-1")

/// A fresh directory under the system's temporary directory, removed by `cleanUp`.
func temporaryDirectory() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("conform-engine-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func configuration(
    _ directory: String, clock: ManualClock = ManualClock(), seed: UInt64 = 1,
    delay: Duration = .zero, snapshotEveryBytes: Int = 64 << 20
) -> ConformanceEngine.Configuration {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    return ConformanceEngine.Configuration(
        dataDirectory: directory, durability: .none, clock: clock,
        identifiers: SeededIdentifiers(seed: seed), deploymentDelay: delay,
        snapshotEveryBytes: snapshotEveryBytes, logger: logger
    )
}

/// Runs `body` with an engine on a fresh directory, then closes it and removes the directory.
func withEngine(
    clock: ManualClock = ManualClock(), seed: UInt64 = 1, delay: Duration = .zero,
    _ body: (ConformanceEngine) async throws -> Void
) async throws {
    let directory = temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let engine = try await ConformanceEngine.open(configuration(directory, clock: clock, seed: seed, delay: delay))
    do {
        try await body(engine)
    } catch {
        try? await engine.close()
        throw error
    }
    try await engine.close()
}

/// A template with one `AWS::Config::ConfigRule` per name.
func template(rules names: [String]) -> String {
    var text = "Resources:\n"
    for (index, name) in names.enumerated() {
        text += """
          Rule\(index):
            Type: AWS::Config::ConfigRule
            Properties:
              ConfigRuleName: \(name)
              Source:
                Owner: AWS
                SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED

        """
    }
    return text
}

func template(ruleCount: Int, prefix: String = "rule") -> String {
    template(rules: (0..<ruleCount).map { "\(prefix)-\($0)" })
}

func put(_ name: String, body: String) -> PutConformancePackRequest {
    PutConformancePackRequest(conformancePackName: name, templateBody: body)
}

/// The code of the `ConformanceError` `body` throws, or nil when it succeeds.
func errorCode(_ body: () async throws -> Void) async -> ConformanceError.Code? {
    do {
        try await body()
        return nil
    } catch let error as ConformanceError {
        return error.code
    } catch {
        Issue.record("not a ConformanceError: \(error)")
        return nil
    }
}

/// The `ConformanceError` `body` throws, or nil when it succeeds.
func conformanceError(_ body: () async throws(ConformanceError) -> Void) async -> ConformanceError? {
    do {
        try await body()
        return nil
    } catch {
        return error
    }
}

func userRule(_ name: String) -> PutConfigRuleRequest {
    PutConfigRuleRequest(configRule: ConfigRule(
        configRuleName: name,
        source: Source(owner: .aws, sourceIdentifier: "S3_BUCKET_VERSIONING_ENABLED")
    ))
}

/// The invariants every reachable state keeps; returns the violations found.
func invariantViolations(_ state: EngineState) -> [String] {
    var problems: [String] = []
    for (key, partition) in state.partitions {
        let at = "\(key.accountId)/\(key.region)"
        if partition.packs.count > 50 { problems.append("\(at): \(partition.packs.count) packs") }
        if partition.rules.count > 1000 { problems.append("\(at): \(partition.rules.count) rules") }
        var packRules = 0
        for pack in partition.packs.orderedValues {
            packRules += pack.ruleNames.count
            for name in pack.ruleNames where partition.rules[name]?.ownerPack != pack.name {
                problems.append("\(at): \(pack.name) lists \(name), which it does not own")
            }
            let due = state.due.entries.contains { $0.partition == key && $0.name.byteEquals(pack.name) && $0.time == pack.dueTime }
            if pack.state.isInProgress != (pack.pending != nil) || (pack.pending != nil) != due {
                problems.append("\(at): \(pack.name) is \(pack.state.modelState) with pending \(String(describing: pack.pending)), due entry \(due)")
            }
            if pack.state == .createFailed && pack.statusReason == nil {
                problems.append("\(at): \(pack.name) failed without a reason")
            }
        }
        if packRules > 150 { problems.append("\(at): \(packRules) rules across packs") }
        for rule in partition.rules.orderedValues {
            if let owner = rule.ownerPack, partition.packs[owner]?.ruleNames.contains(rule.name) != true {
                problems.append("\(at): \(rule.name) owned by \(owner), which does not list it")
            }
        }
    }
    problems += organizationViolations(state)
    return problems
}

/// The organization's invariants: the status index matches the rows; every owner entry has its
/// row and its member pack; a row that is neither failed nor deleted has both; a deleted row has
/// neither; an owned pack is in progress exactly when its row is.
func organizationViolations(_ state: EngineState) -> [String] {
    var problems: [String] = []
    for (creator, packs) in state.organizations.packs {
        for record in packs.orderedValues {
            let at = "\(creator.accountId)/\(creator.region) \(record.name)"
            let key = OrgPackKey(creator: creator, name: record.name)
            if record.byStatus.reduce(0, { $0 + $1.count }) != record.rows.count {
                problems.append("\(at): status index counts differ from \(record.rows.count) rows")
            }
            for row in record.rows.orderedValues {
                if record.byStatus[Int(row.status.code)][row.accountId] == nil {
                    problems.append("\(at): \(row.accountId) missing from its status index")
                }
                let member = PartitionKey(accountId: row.accountId, region: creator.region)
                let owned = state.memberPack(of: key, named: row.packName, in: member)
                let deleted = row.status == OrgStatus(.delete, .successful)
                if deleted && state.organizations.owner(of: row.packName, in: member) != nil {
                    problems.append("\(at): \(row.accountId) is deleted but still owns its member pack")
                }
                if !deleted && row.status.phase != .failed && owned == nil {
                    problems.append("\(at): \(row.accountId) is \(row.status.detailed.rawValue) without its member pack")
                }
                if let owned, owned.state.isInProgress != (row.status.phase == .inProgress) {
                    problems.append("\(at): \(row.accountId) is \(row.status.detailed.rawValue) with member pack \(owned.state.modelState.rawValue)")
                }
            }
        }
    }
    for (member, owner) in state.organizations.owners {
        let row = state.organizations.packs[owner.creator]?[owner.name]?.rows[member.partition.accountId]
        if row == nil || state.partitions[member.partition]?.packs[member.name.string] == nil {
            problems.append("owner entry \(member.partition.accountId) \(member.name.string) without its row or pack")
        }
    }
    return problems
}
