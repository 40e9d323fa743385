import EventLog
import Foundation
import Logging
import Synchronization
import Testing
@testable import ConformancePacks

@Suite("Time travel: replay to a point and views of past points")
struct TimeTravelTests {
    static var quiet: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    @Test("Replay to every sequence the live engine reported gives the digest it reported there", arguments: [UInt64(21), 22])
    func replayToEverySequence(seed: UInt64) async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = ManualClock()
        // Small snapshots, so most points start from one and some snapshots lie past the point.
        let engine = try await ConformanceEngine.open(configuration(directory, clock: clock, seed: seed, delay: .seconds(3), snapshotEveryBytes: 8_000))
        var live: [UInt64: String] = try [0: ConformanceEngine.replay(dataDirectory: directory, to: .sequence(0), logger: Self.quiet).report.digest]
        _ = await ReplayTests.drive(engine, clock: clock, seed: seed, count: 250) { engine in
            live[engine.lastSequence] = engine.stateDigest()
        }
        await engine.core.withLock { $0.snapshotTask }?.value
        #expect(live.count > 150)
        var fromSnapshots = 0
        for (sequence, digest) in live {
            let replay = try ConformanceEngine.replay(dataDirectory: directory, to: .sequence(sequence), logger: Self.quiet)
            #expect(replay.report.digest == digest, "sequence \(sequence)")
            #expect(replay.report.lastSequence == sequence)
            #expect(replay.eventsReplayed == sequence - (replay.snapshotSequence ?? 0))
            if replay.snapshotSequence != nil { fromSnapshots += 1 }
        }
        #expect(fromSnapshots > 0)
        // The embedded view of a past point, beside the writer, says the same.
        for sequence in live.keys.sorted().filter({ $0 % 7 == 0 }) {
            let view = try await engine.view(at: .sequence(sequence))
            #expect(view.stateDigest() == live[sequence], "view at \(sequence)")
            #expect(!view.acceptsWrites)
        }
        // Beyond the end: the end.
        let end = try ConformanceEngine.replay(dataDirectory: directory, to: .sequence(.max), logger: Self.quiet)
        #expect(end.report.digest == engine.stateDigest())
        #expect(try await engine.view(at: .sequence(.max)).stateDigest() == engine.stateDigest())
        try await engine.close()
    }

    @Test("The report of a small known history")
    func reportOfKnownHistory() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let engine = try await ConformanceEngine.open(configuration(directory))
        _ = try await engine.putConformancePack(put("Baseline", body: template(rules: ["versioning", "mfa"])), context: alice)
        try await engine.putConfigRule(userRule("own"), context: alice)
        let beforeResults = engine.lastSequence
        let versioning = try await Feed.deployedName(engine, pack: "Baseline", rule: "versioning")
        let mfa = try await Feed.deployedName(engine, pack: "Baseline", rule: "mfa")
        try await Feed.put(engine, versioning, [Feed.evaluation("a", .compliant), Feed.evaluation("b", .compliant), Feed.evaluation("c", .nonCompliant)])
        try await Feed.put(engine, mfa, [Feed.evaluation("root", .compliant)])
        _ = try await engine.putConformancePack(put("Other", body: template(rules: ["x"])), context: bob)
        try await engine.close()

        let report = try ConformanceEngine.replay(dataDirectory: directory, to: nil, logger: Self.quiet).report
        #expect(report.partitions.map { "\($0.accountId)/\($0.region)" } == ["111111111111/us-east-1", "222222222222/eu-west-1"])
        let mine = report.partitions[0]
        #expect(mine.packs.map(\.name) == ["Baseline"])
        #expect(mine.packs[0].status == "CREATE_COMPLETE")
        #expect(mine.packs[0].compliance == .init(
            compliance: "NON_COMPLIANT", compliantRules: 1, nonCompliantRules: 1, insufficientDataRules: 0, score: 75))
        #expect(Set(mine.rules.map(\.name)) == [versioning, mfa, "own"])
        let rule = try #require(mine.rules.first { $0.name == versioning })
        #expect(rule.pack == "Baseline" && rule.compliance == "NON_COMPLIANT" && rule.compliantResources == 2 && rule.nonCompliantResources == 1)
        #expect(mine.rules.first { $0.name == "own" }?.pack == nil)
        #expect(report.partitions[1].packs.map(\.name) == ["Other"])

        // Before any result: the pack's rules have insufficient data and it has no score.
        let earlier = try ConformanceEngine.replay(dataDirectory: directory, to: .sequence(beforeResults), logger: Self.quiet).report
        #expect(earlier.lastSequence == beforeResults)
        #expect(earlier.partitions.count == 1)
        #expect(earlier.partitions[0].packs[0].compliance == .init(
            compliance: "INSUFFICIENT_DATA", compliantRules: 0, nonCompliantRules: 0, insufficientDataRules: 2, score: nil))
    }

    @Test("Views of past points: one build per point, shared by time and sequence, at most four kept")
    func viewCache() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let engine = try await ConformanceEngine.open(configuration(directory))
        for index in 0..<12 {
            try await engine.putConfigRule(userRule("rule-\(index)"), context: alice)
            try await Task.sleep(for: .milliseconds(3))  // batches at distinct times
        }
        let digests = try (0...12).map { try ConformanceEngine.replay(dataDirectory: directory, to: .sequence(UInt64($0)), logger: Self.quiet).report.digest }

        // Concurrent first requests for one point build it once.
        let views = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<16 { group.addTask { try await engine.view(at: .sequence(5)).stateDigest() } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(views == Array(repeating: digests[5], count: 16))
        #expect(engine.views.contents.builds == 1)

        // A time that resolves to sequence 5 shares its entry.
        let reader = try LogDirectory.openReader(directory: directory + "/events", from: 5, through: 5)
        let stamp = try #require(try reader.next()).batchTimestamp
        let atTime = try await engine.view(at: .time(Date(epochMilliseconds: Int64(stamp))))
        #expect(atTime.lastSequence == 5 && atTime.stateDigest() == digests[5])
        #expect(engine.views.contents.builds == 1)
        #expect(engine.views.contents.times == 1)
        // Remembered: answered even once the log is gone from under it (no scan).
        try FileManager.default.moveItem(atPath: directory + "/events", toPath: directory + "/moved")
        #expect(try await engine.view(at: .time(Date(epochMilliseconds: Int64(stamp)))).lastSequence == 5)
        try FileManager.default.moveItem(atPath: directory + "/moved", toPath: directory + "/events")

        // The end is the live state: no build. Ten more points: four kept, least recently used out.
        #expect(try await engine.view(at: .time(.distantFuture)).stateDigest() == digests[12])
        #expect(engine.views.contents.builds == 1)
        for sequence in UInt64(0)...10 where sequence != 5 {
            #expect(try await engine.view(at: .sequence(sequence)).stateDigest() == digests[Int(sequence)])
        }
        #expect(engine.views.contents.builds == 11)
        #expect(engine.views.contents.kept == [7, 8, 9, 10])
        _ = try await engine.view(at: .sequence(10))  // kept: no build
        #expect(engine.views.contents.builds == 11)
        _ = try await engine.view(at: .sequence(5))  // evicted: built again
        #expect(engine.views.contents.builds == 12)
        #expect(engine.views.contents.kept.count == 4)
        try await engine.close()
    }

    @Test("A damaged batch inside the log is an error naming it, not a shorter state")
    func damagedLog() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let engine = try await ConformanceEngine.open(configuration(directory))
        for index in 0..<6 { try await engine.putConfigRule(userRule("rule-\(index)"), context: alice) }
        try await engine.close()
        try FileManager.default.removeItem(atPath: directory + "/snapshots")
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: directory + "/events").first { $0.hasSuffix(".seg") })
        let path = directory + "/events/" + segment
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[16 + 48 + 2] ^= 0xFF  // the first batch's payload (segment header 16, batch header 48); valid batches follow
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: LogError.self) { _ = try ConformanceEngine.replay(dataDirectory: directory, to: nil, logger: Self.quiet) }
        #expect(error?.code == .corruptSegment)
        #expect(error?.file == path)
    }

    @Test("At most two views are built at once: a third new point is refused, a point under way is waited for")
    func buildsAreBounded() async throws {
        let views = PointViews(capacity: 4)
        let gate = Mutex(false)
        let view = ConformanceEngine.readOnlyView(of: EngineState(), configuration: .init(dataDirectory: "/nonexistent"))
        let build: @Sendable () throws -> ConformanceEngine = {
            while !gate.withLock({ $0 }) { Thread.sleep(forTimeInterval: 0.005) }
            return view
        }
        async let first = views.view(at: 1, build: build)
        async let second = views.view(at: 2, build: build)
        while views.contents.builds < 2 { try await Task.sleep(for: .milliseconds(5)) }
        await #expect(throws: ConformanceError.self) { _ = try await views.view(at: 3, build: build) }
        async let again = views.view(at: 1, build: build)  // under way: waits, no third build
        try await Task.sleep(for: .milliseconds(20))
        gate.withLock { $0 = true }
        _ = try await (first, second, again)
        #expect(views.contents.builds == 2)
        #expect(views.contents.kept == [1, 2])
        _ = try await views.view(at: 3, build: build)  // room again
        #expect(views.contents.builds == 3)
    }

    @Test("A time resolved at the end follows the batches written since, reading only those")
    func timeAtTheEndFollowsTheLog() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let engine = try await ConformanceEngine.open(configuration(directory))
        for index in 0..<3 { try await engine.putConfigRule(userRule("rule-\(index)"), context: alice) }
        let future = Date(timeIntervalSinceNow: 86_400)
        #expect(try await engine.view(at: .time(future)).lastSequence == 3)
        #expect(engine.views.resolution(at: future.epochMilliseconds)?.scanned == 3)
        // Nothing new: answered without the log (moved away meanwhile).
        try FileManager.default.moveItem(atPath: directory + "/events", toPath: directory + "/moved")
        #expect(try await engine.view(at: .time(future)).lastSequence == 3)
        try FileManager.default.moveItem(atPath: directory + "/moved", toPath: directory + "/events")
        // Two more events: the same time now stands for the new end.
        for index in 3..<5 { try await engine.putConfigRule(userRule("rule-\(index)"), context: alice) }
        #expect(try await engine.view(at: .time(future)).lastSequence == 5)
        #expect(engine.views.resolution(at: future.epochMilliseconds)?.scanned == 5)
        // A time before every batch stays at 0 as the log grows.
        let past = Date(timeIntervalSince1970: 0)
        #expect(try await engine.view(at: .time(past)).lastSequence == 0)
        try await engine.putConfigRule(userRule("rule-5"), context: alice)
        #expect(try await engine.view(at: .time(past)).lastSequence == 0)
        try await engine.close()
    }
}
