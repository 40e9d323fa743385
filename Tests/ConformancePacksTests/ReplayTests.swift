import EventLog
import Foundation
import Logging
import Testing
@testable import ConformancePacks

@Suite("Determinism, replay and snapshots")
struct ReplayTests {
    static let contexts = [
        alice, bob,
        RequestContext(accountId: "111111111111", region: "eu-west-1"),
        RequestContext(accountId: "333333333333", region: "us-east-1"),
    ]

    /// Runs `count` random commands (puts, updates, deletes, rule commands, registry writes,
    /// queries, and requests that fail) against `engine`, moving the clock as it goes; calls
    /// `afterEach` after every command.
    static func drive(
        _ engine: ConformanceEngine, clock: ManualClock, seed: UInt64, count: Int, afterEach: ((ConformanceEngine) -> Void)? = nil
    ) async -> [String: Int] {
        var random = SeededGenerator(seed: seed)
        var outcomes: [String: Int] = [:]
        let packNames = (0..<6).map { "Pack\($0)" }
        let accounts = ["111111111111", "333333333333", "444444444444", "555555555555"]
        func organization(_ random: inout SeededGenerator) -> Organization {
            let members = accounts.filter { _ in Bool.random(using: &random) }
            // 111111111111 manages; 333333333333 administers when it is a member.
            return try! Organization(
                managementAccountId: "111111111111", memberAccountIds: members,
                delegatedAdministratorAccountIds: members.contains("333333333333") ? ["333333333333"] : [])
        }
        _ = try? await engine.putOrganization(organization(&random))
        for step in 0..<count {
            let context = contexts.randomElement(using: &random)!
            let pack = packNames.randomElement(using: &random)!
            let choice = Int.random(in: 0..<100, using: &random)
            clock.advance(Double(Int.random(in: 0...4000, using: &random)) / 1000)
            let outcome: ConformanceError.Code? = await errorCode { () async throws in
                switch choice {
                case 0..<35:
                    let rules = (0..<Int.random(in: 1...4, using: &random)).map { _ in "r\(Int.random(in: 0..<6, using: &random))" }
                    var request = put(pack, body: template(rules: rules))
                    request.conformancePackInputParameters = step % 3 == 0 ? [ConformancePackInputParameter(parameterName: "p", parameterValue: "\(step)")] : nil
                    request.tags = [Tag(key: "step", value: "\(step)")]
                    _ = try await engine.putConformancePack(request, context: context)
                case 35..<40:
                    _ = try await engine.putConformancePack(put(pack, body: "Resources: {}\n"), context: context)
                case 40..<45:
                    _ = try await engine.putConformancePack(
                        PutConformancePackRequest(conformancePackName: pack, templateS3Uri: "s3://bucket/t\(step % 3).yaml"), context: context)
                case 45..<48:
                    let details = TemplateSSMDocumentDetails(documentName: "doc-\(step % 2)", documentVersion: ["$LATEST", "$DEFAULT", "1", "2"][step % 4])
                    _ = try await engine.putConformancePack(PutConformancePackRequest(conformancePackName: pack, templateSSMDocumentDetails: details), context: context)
                case 48..<60:
                    try await engine.deleteConformancePack(.init(conformancePackName: pack), context: context)
                case 60..<70:
                    try await engine.putConfigRule(userRule("user-\(Int.random(in: 0..<10, using: &random))"), context: context)
                case 70..<75:
                    try await engine.deleteConfigRule(.init(configRuleName: "user-\(Int.random(in: 0..<10, using: &random))"), context: context)
                case 75..<78:
                    // A pack's rule: AccessDenied, or NoSuchConfigRule when absent.
                    let rules = try await engine.describeConfigRules(.init(), context: context).configRules ?? []
                    if let owned = rules.first(where: { $0.createdBy != nil })?.configRuleName {
                        try await engine.deleteConfigRule(.init(configRuleName: owned), context: context)
                    }
                case 78..<82:
                    try await engine.putTemplate(s3Uri: "s3://bucket/t\(step % 3).yaml", body: template(rules: ["s3-\(step % 5)", "shared"]))
                case 82..<84:
                    try await engine.putTemplate(documentName: "doc-\(step % 2)", body: template(rules: ["ssm-\(step % 7)"]))
                case 84..<89:
                    _ = try await engine.describeConformancePackStatus(.init(), context: context)
                case 89..<91:
                    _ = try await engine.describeConformancePacks(.init(limit: 2), context: context)
                case 91..<95:
                    let rules = (0..<Int.random(in: 1...3, using: &random)).map { _ in "o\(Int.random(in: 0..<4, using: &random))" }
                    let excluded = accounts.filter { _ in Int.random(in: 0..<4, using: &random) == 0 }
                    _ = try await engine.putOrganizationConformancePack(
                        PutOrganizationConformancePackRequest(
                            organizationConformancePackName: "Org\(step % 3)", templateBody: template(rules: rules), excludedAccounts: excluded),
                        context: context)
                case 95..<97:
                    try await engine.deleteOrganizationConformancePack(.init(organizationConformancePackName: "Org\(step % 3)"), context: context)
                case 97:
                    try await engine.putOrganization(organization(&random))
                case 98:
                    try await engine.putDeploymentFault(DeploymentFault(
                        organizationConformancePackName: "Org\(step % 3)", accountId: accounts.randomElement(using: &random)!,
                        operation: DeploymentFault.Operation.allCases.randomElement(using: &random), remaining: Int.random(in: 1...3, using: &random),
                        errorCode: "Fault\(step)", errorMessage: "injected at step \(step)"))
                default:
                    _ = try await engine.getOrganizationConformancePackDetailedStatus(
                        .init(organizationConformancePackName: "Org\(step % 3)", limit: 2), context: context)
                }
            }
            outcomes[outcome?.rawValue ?? "ok", default: 0] += 1
            if (91..<99).contains(choice), outcome == nil { outcomes["organization ok", default: 0] += 1 }
            afterEach?(engine)
        }
        return outcomes
    }

    @Test("Live state, a fresh replay of the log, and a snapshot plus tail have the same digest", arguments: [UInt64(1), 2])
    func replayMatchesLive(seed: UInt64) async throws {
        print("ReplayTests seed \(seed)")
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = ManualClock()
        let engine = try await ConformanceEngine.open(configuration(directory, clock: clock, seed: seed, delay: .seconds(5), snapshotEveryBytes: 50_000))
        let outcomes = await Self.drive(engine, clock: clock, seed: seed, count: 1200)
        print("ReplayTests outcomes \(outcomes.sorted { $0.key < $1.key })")
        #expect(outcomes["ok", default: 0] > 400)
        #expect(outcomes["ResourceInUseException", default: 0] > 0)
        #expect(outcomes["ConformancePackTemplateValidationException", default: 0] > 0)
        #expect(outcomes["AccessDeniedException", default: 0] > 0)
        #expect(outcomes["organization ok", default: 0] > 30)
        #expect(invariantViolations(engine.core.withLock { $0.state }) == [])
        let live = engine.stateDigest()
        let last = engine.lastSequence
        #expect(last > 1000)
        let log = try #require(engine.log)

        // A fresh replay of the whole log.
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let replayed = try ConformanceEngine.rebuild(
            snapshots: nil, logDirectory: log.directory, io: SystemFileIO(), through: last, ownsLog: false, logger: logger,
            reader: { from throws(LogError) in try log.read(from: from) }
        ).state
        #expect(SnapshotCodec.digest(replayed) == live)
        #expect(SnapshotCodec.encode(replayed) == SnapshotCodec.encode(engine.core.withLock { $0.state }))

        // The newest periodic snapshot plus the tail after it.
        await engine.core.withLock { $0.snapshotTask }?.value
        let load = log.snapshots.loadNewest(maxFormatVersion: SnapshotCodec.formatVersion) { _ in .use }
        #expect(load.skipped.isEmpty)
        let snapshotSequence = try #require(load.snapshot?.sequence)
        #expect(snapshotSequence >= 250 && snapshotSequence < last)
        let fromSnapshot = try ConformanceEngine.rebuild(
            snapshots: log.snapshots, logDirectory: log.directory, io: SystemFileIO(), through: last, ownsLog: false, logger: logger,
            reader: { from throws(LogError) in try log.read(from: from) }
        ).state
        #expect(SnapshotCodec.digest(fromSnapshot) == live)

        // Restart: close writes a final snapshot; reopening loads it. Then without snapshots.
        try await engine.close()
        let reopened = try await ConformanceEngine.open(configuration(directory, clock: clock, seed: seed))
        #expect(reopened.stateDigest() == live)
        #expect(reopened.lastSequence == last)
        try await reopened.close()
        try FileManager.default.removeItem(atPath: directory + "/snapshots")
        let replayedOnOpen = try await ConformanceEngine.open(configuration(directory, clock: clock, seed: seed))
        #expect(replayedOnOpen.stateDigest() == live)
        try await replayedOnOpen.close()
    }

    @Test("The same seed gives the same digest; a different seed a different one")
    func deterministic() async throws {
        var digests: [String] = []
        for seed in [UInt64(9), 9, 10] {
            let directory = temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let clock = ManualClock()
            let engine = try await ConformanceEngine.open(configuration(directory, clock: clock, seed: seed, delay: .seconds(2)))
            _ = await Self.drive(engine, clock: clock, seed: seed, count: 200)
            digests.append(engine.stateDigest())
            try await engine.close()
        }
        #expect(digests[0] == digests[1])
        #expect(digests[0] != digests[2])
    }

    @Test("An invalid snapshot is skipped and the log replayed in full")
    func corruptSnapshotIsSkipped() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = ManualClock()
        let engine = try await ConformanceEngine.open(configuration(directory, clock: clock))
        _ = await Self.drive(engine, clock: clock, seed: 3, count: 150)
        let live = engine.stateDigest()
        try await engine.close()
        let files = try FileManager.default.contentsOfDirectory(atPath: directory + "/snapshots").filter { $0.hasSuffix(".snap") }
        #expect(files.count == 1)
        for file in files {
            let path = directory + "/snapshots/" + file
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            bytes[bytes.count / 2] ^= 0xFF
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
        let reopened = try await ConformanceEngine.open(configuration(directory, clock: clock))
        #expect(reopened.stateDigest() == live)
        try await reopened.close()
    }

    @Test("A snapshot whose blob does not decode is skipped too")
    func undecodableSnapshotIsSkipped() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = ManualClock()
        let engine = try await ConformanceEngine.open(configuration(directory, clock: clock))
        _ = await Self.drive(engine, clock: clock, seed: 4, count: 100)
        let live = engine.stateDigest()
        let last = engine.lastSequence
        try await engine.close()
        // A file whose checks and fingerprint all pass, over the final snapshot, but whose blob is garbage.
        let fingerprint = try LogDirectory.fingerprint(directory: directory + "/events", of: last)
        try SnapshotStore(directory: directory + "/snapshots").write(
            sequence: last, formatVersion: SnapshotCodec.formatVersion, blob: [1, 2, 3], fingerprint: fingerprint)
        let reopened = try await ConformanceEngine.open(configuration(directory, clock: clock))
        #expect(reopened.stateDigest() == live)
        try await reopened.close()
        // The writer moved it aside (never deleted) so it is not read again.
        let names = try FileManager.default.contentsOfDirectory(atPath: directory + "/snapshots")
        #expect(names.contains { $0.hasSuffix(".snap.corrupt") })
    }

    @Test("A closed engine refuses requests with InternalFailure")
    func closedEngineRefuses() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let engine = try await ConformanceEngine.open(configuration(directory))
        try await engine.close()
        #expect(await errorCode { _ = try await engine.describeConformancePacks(.init(), context: alice) } == .internalFailure)
        #expect(await errorCode { _ = try await engine.putConformancePack(put("P", body: template(rules: ["r"])), context: alice) } == .internalFailure)
    }
}

@Suite("Write failures")
struct WriteFailureTests {
    @Test("When the log refuses a write, the command is not acknowledged and the engine fences itself")
    func fencesOnWriteFailure() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let engine = try await ConformanceEngine.open(configuration(directory))
        _ = try await engine.putConformancePack(put("Kept", body: template(rules: ["r"])), context: alice)
        let digest = engine.stateDigest()
        let log = try #require(engine.log)
        try await log.close()  // every later enqueue fails
        let failure = await errorCode { _ = try await engine.putConformancePack(put("Lost", body: template(rules: ["r"])), context: alice) }
        #expect(failure == .internalFailure)
        #expect(engine.stateDigest() == digest)
        #expect(await errorCode { _ = try await engine.describeConformancePacks(.init(), context: alice) } == .internalFailure)
        try? await engine.close()
        let reopened = try await ConformanceEngine.open(configuration(directory))
        #expect(reopened.stateDigest() == digest)
        try await reopened.close()
    }
}

@Suite("Read-only views")
struct ReadOnlyViewTests {
    @Test("A view at a sequence shows the state as it stood then, beside the writer, and refuses writes")
    func viewAtSequence() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = ManualClock()
        let engine = try await ConformanceEngine.open(configuration(directory, clock: clock, delay: .seconds(3)))
        _ = await ReplayTests.drive(engine, clock: clock, seed: 5, count: 120)
        let midDigest = engine.stateDigest()
        let midSequence = engine.lastSequence
        _ = await ReplayTests.drive(engine, clock: clock, seed: 6, count: 120)
        #expect(engine.lastSequence > midSequence)

        let past = try ConformanceEngine.openReadOnly(dataDirectory: directory, at: .sequence(midSequence))
        #expect(past.stateDigest() == midDigest)
        #expect(past.lastSequence == midSequence)
        #expect(!past.acceptsWrites && engine.acceptsWrites)
        #expect(await errorCode { _ = try await past.putConformancePack(put("P", body: template(rules: ["r"])), context: alice) } == .accessDenied)
        clock.advance(3600)  // nothing comes due in a view
        _ = try await past.describeConformancePacks(.init(), context: alice)
        #expect(past.stateDigest() == midDigest)
        try await past.close()

        let now = try ConformanceEngine.openReadOnly(dataDirectory: directory, at: .time(Date.distantFuture))
        #expect(now.stateDigest() == engine.stateDigest())
        let before = try ConformanceEngine.openReadOnly(dataDirectory: directory, at: .sequence(0))
        #expect(before.lastSequence == 0)
        try await engine.close()
    }
}

@Suite("Concurrent writers")
struct ConcurrencyTests {
    @Test("Concurrent puts under every-batch durability are all acknowledged, in one consistent order")
    func concurrentPuts() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var config = configuration(directory)
        config.durability = .everyBatch
        let engine = try await ConformanceEngine.open(config)
        let body = template(rules: ["a", "b"])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<16 {
                group.addTask {
                    for index in 0..<20 {
                        let context = RequestContext(accountId: String(format: "%012d", writer), region: "us-east-1")
                        _ = try await engine.putConformancePack(put("Pack\(index % 10)", body: body), context: context)
                        try await engine.putConfigRule(userRule("user-\(index)"), context: context)
                    }
                }
            }
            try await group.waitForAll()
        }
        // 16 writers × 20 × (2 pack events + 1 rule event).
        #expect(engine.lastSequence == 16 * 20 * 3)
        let live = engine.stateDigest()
        for writer in 0..<16 {
            let context = RequestContext(accountId: String(format: "%012d", writer), region: "us-east-1")
            #expect(try await engine.describeConformancePacks(.init(), context: context).conformancePackDetails?.count == 10)
        }
        try await engine.close()
        try FileManager.default.removeItem(atPath: directory + "/snapshots")
        let reopened = try await ConformanceEngine.open(configuration(directory))
        #expect(reopened.stateDigest() == live)
        try await reopened.close()
    }
}

@Suite("Offline replay")
struct OfflineReplayTests {
    @Test("replay(dataDirectory:) rebuilds the live digest beside a running writer, from the log or from a snapshot")
    func offlineReplay() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = ManualClock()
        let engine = try await ConformanceEngine.open(configuration(directory, clock: clock, delay: .seconds(1), snapshotEveryBytes: 20_000))
        _ = await ReplayTests.drive(engine, clock: clock, seed: 8, count: 300)
        await engine.core.withLock { $0.snapshotTask }?.value
        let fromLog = try ConformanceEngine.replay(dataDirectory: directory)
        #expect(fromLog.digest == engine.stateDigest())
        #expect(fromLog.lastSequence == engine.lastSequence)
        #expect(fromLog.snapshotSequence == nil)
        let fromSnapshot = try ConformanceEngine.replay(dataDirectory: directory, useSnapshots: true)
        #expect(fromSnapshot.digest == fromLog.digest)
        #expect(fromSnapshot.snapshotSequence != nil)
        try await engine.close()
    }
}
