import EventLog
import Foundation
import Logging
import SimulatedDisk
import Testing
@testable import ConformancePacks
#if canImport(Glibc)
import Glibc
#endif

/// The power-loss simulation (the SQLite and TigerBeetle way): a fixed seeded workload of engine
/// commands, with snapshots and segment rolls, is run once per I/O call k; at call k the disk
/// either fails (EIO or ENOSPC, then carries on) or crashes (that call and every later one fail,
/// and the plug is pulled: only what a completed fsync covered survives). Then the engine is
/// reopened on what is left and checked.
@Suite("Power-loss simulation")
struct PowerLossTests {
    /// One command of the workload and the key it touches.
    enum Command: Sendable {
        case putPack(String, rules: Int)
        case deletePack(String)
        case putRule(String)
        case deleteRule(String)
    }

    /// What the client was told: done, not done, or (a write or sync failed and could not be
    /// undone) that the outcome is unknown, which a power loss may settle either way.
    enum Answer: Sendable, Equatable { case acknowledged, refused, unknown }

    /// The seeded workload: waves of up to three concurrent commands, so groups hold several.
    static func workload(seed: UInt64) -> [[Command]] {
        var generator = SeededGenerator(seed: seed)
        var waves: [[Command]] = []
        var packs: [String] = []
        var rules: [String] = []
        for wave in 0..<16 {
            var commands: [Command] = []
            for slot in 0..<Int.random(in: 1...3, using: &generator) {
                let name = "w\(wave)s\(slot)"
                switch Int.random(in: 0..<10, using: &generator) {
                case 0..<5:
                    commands.append(.putPack("p-" + name, rules: Int.random(in: 1...4, using: &generator)))
                    packs.append("p-" + name)
                case 5..<7:
                    commands.append(.putRule("u-" + name))
                    rules.append("u-" + name)
                case 7..<9 where !packs.isEmpty:
                    commands.append(.deletePack(packs.remove(at: Int.random(in: 0..<packs.count, using: &generator))))
                default:
                    if rules.isEmpty {
                        commands.append(.putRule("u-" + name))
                        rules.append("u-" + name)
                    } else {
                        commands.append(.deleteRule(rules.remove(at: Int.random(in: 0..<rules.count, using: &generator))))
                    }
                }
            }
            waves.append(commands)
        }
        return waves
    }

    static func run(_ command: Command, on engine: ConformanceEngine) async -> Answer {
        let error = await conformanceError { () async throws(ConformanceError) in
            switch command {
            case .putPack(let name, let rules):
                _ = try await engine.putConformancePack(put(name, body: template(ruleCount: rules, prefix: name)), context: alice)
            case .deletePack(let name):
                try await engine.deleteConformancePack(DeleteConformancePackRequest(conformancePackName: name), context: alice)
            case .putRule(let name):
                try await engine.putConfigRule(userRule(name), context: alice)
            case .deleteRule(let name):
                try await engine.deleteConfigRule(DeleteConfigRuleRequest(configRuleName: name), context: alice)
            }
        }
        guard let error else { return .acknowledged }
        // A fenced engine answers every later command with the same refusal, so each of those
        // counts as unknown too: weaker, but never a false alarm.
        let fenced = error.code == .internalFailure
            && (error.message.contains("stopped accepting requests") || error.message.contains("unknown"))
        return fenced ? .unknown : .refused
    }

    /// Runs the workload; returns every command with its answer, in order.
    static func drive(_ engine: ConformanceEngine, _ waves: [[Command]]) async -> [(Command, Answer)] {
        var answers: [(Command, Answer)] = []
        for wave in waves {
            let results = await withTaskGroup(of: (Int, Answer).self) { group in
                for (index, command) in wave.enumerated() {
                    group.addTask { (index, await run(command, on: engine)) }
                }
                var results: [(Int, Answer)] = []
                for await result in group { results.append(result) }
                return results.sorted { $0.0 < $1.0 }
            }
            for (index, answer) in results { answers.append((wave[index], answer)) }
        }
        return answers
    }

    /// What must be true of `engine`, reopened after the run that gave `answers`.
    ///
    /// - Parameter acknowledgedSurvive: whether acknowledged writes must have survived (not under
    ///   `none` or `interval` after a power loss, which may lose them by design).
    static func violations(
        _ engine: ConformanceEngine, _ answers: [(Command, Answer)], disk: SimulatedDisk, acknowledgedSurvive: Bool = true
    ) async throws -> [String] {
        var problems: [String] = []
        let packs = Set(try await packNames(engine))
        var rules = Set<String>()
        var token: String?
        repeat {
            let page = try await engine.describeConfigRules(.init(nextToken: token), context: alice)
            rules.formUnion(page.configRules?.compactMap(\.configRuleName) ?? [])
            token = page.nextToken
        } while token != nil
        // Each key is put at most once and deleted at most once afterwards, so its expected
        // presence follows from the two answers.
        var put: [String: Answer] = [:]
        var deleted: [String: Answer] = [:]
        for (command, answer) in answers {
            switch command {
            case .putPack(let name, _), .putRule(let name): put[name] = answer
            case .deletePack(let name), .deleteRule(let name): deleted[name] = answer
            }
        }
        for (name, answer) in put {
            let present = name.hasPrefix("p-") ? packs.contains(name) : rules.contains(name)
            let removed = deleted[name] == .acknowledged
            if acknowledgedSurvive, answer == .acknowledged, !removed, !present, deleted[name] != .unknown {
                problems.append("acknowledged \(name) is missing")
            }
            if answer == .refused, present { problems.append("refused \(name) is present") }
            if acknowledgedSurvive, removed, present { problems.append("\(name), whose delete was acknowledged, is present") }
            if acknowledgedSurvive, answer == .acknowledged, deleted[name] == .refused, !present {
                problems.append("\(name), whose delete was refused, is missing")
            }
        }
        problems += invariantViolations(engine.core.withLock { $0.state })
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let fresh = try ConformanceEngine.replay(dataDirectory: "/data", useSnapshots: false, logger: logger, io: disk)
        if fresh.digest != engine.stateDigest() { problems.append("the reopened state differs from a fresh replay of the log") }
        let fromSnapshot = try ConformanceEngine.replay(dataDirectory: "/data", useSnapshots: true, logger: logger, io: disk)
        if fromSnapshot.digest != fresh.digest { problems.append("snapshot plus tail differs from the fresh replay") }
        let verification = try LogInspector.verify(directory: "/data/events", io: disk)
        if !verification.isWhole { problems.append("the log does not verify: \(verification.problems)") }
        return problems
    }

    enum Mode: CustomStringConvertible {
        case crash(SimulatedDisk.UnsyncedBytes)
        case fail(Int32)

        var description: String {
            switch self {
            case .crash(let unsynced): "crash (\(unsynced))"
            case .fail(let errno): "fail with errno \(errno)"
            }
        }
    }

    /// One run: the workload with a fault at call `k`, then a power loss, a reopen and the checks.
    static func run(k: Int, mode: Mode, waves: [[Command]], durability: ConformanceEngine.Durability) async throws -> [String] {
        let disk = SimulatedDisk()
        let config = simulatedConfiguration(disk, durability: durability, snapshotEveryBytes: 2_000, segmentSizeLimit: 4096)
        let engine = try await ConformanceEngine.open(config)
        switch mode {
        case .crash: disk.arm(.init(at: k, crash: true))
        case .fail(let errno): disk.arm(.init(at: k, errno: errno))
        }
        let answers = await drive(engine, waves)
        try? await engine.close()
        disk.arm(nil)
        switch mode {
        case .crash(let unsynced):
            disk.powerLoss(unsynced: unsynced)
        case .fail:
            // The process lived on and closed the log; under `everyBatch` a power loss now must
            // lose nothing it was told. Under `none` acknowledged writes may wait for a sync that a
            // failed one made impossible: only a process restart is checked.
            if durability == .everyBatch { disk.powerLoss() }
        }
        disk.restart()
        let reopened = try await ConformanceEngine.open(simulatedConfiguration(disk, durability: durability))
        // After a power loss, `none` and `interval` may lose what they acknowledged; the rest holds.
        let crashed = if case .crash = mode { true } else { false }
        let problems = try await violations(reopened, answers, disk: disk, acknowledgedSurvive: durability == .everyBatch || !crashed)
        try await reopened.close()
        return problems.map { "k=\(k), \(mode): \($0)" }
    }

    /// ``run(k:mode:waves:durability:)``, with a failure to reopen or check reported as a problem.
    static func checkedRun(k: Int, mode: Mode, waves: [[Command]], durability: ConformanceEngine.Durability) async -> [String] {
        do {
            return try await run(k: k, mode: mode, waves: waves, durability: durability)
        } catch {
            return ["k=\(k), \(mode): \(error)"]
        }
    }

    @Test("Crash or fail at every I/O call of a seeded workload: nothing acknowledged lost, nothing refused kept, replay agrees, the log verifies")
    func everyCall() async throws {
        let waves = Self.workload(seed: 7)
        // A run without faults counts the calls (and must itself pass the checks).
        let disk = SimulatedDisk()
        let engine = try await ConformanceEngine.open(simulatedConfiguration(disk, snapshotEveryBytes: 2_000, segmentSizeLimit: 4096))
        disk.arm(nil)
        let answers = await Self.drive(engine, waves)
        try await engine.close()
        // The calls of close() (the final sync, snapshot and prune) are points too.
        let calls = disk.callsCounted
        #expect(answers.allSatisfy { $0.1 == .acknowledged })
        // The workload must exercise what the simulation is for: snapshots and segment rolls.
        let files = try disk.list("/data/snapshots") + disk.list("/data/events")
        #expect(files.filter { $0.hasSuffix(".snap") }.count >= 1, "snapshots: \(files)")
        #expect(files.filter { $0.hasSuffix(".seg") }.count >= 2, "segments: \(files)")
        let reopened = try await ConformanceEngine.open(simulatedConfiguration(disk))
        #expect(try await Self.violations(reopened, answers, disk: disk) == [])
        try await reopened.close()
        #expect(calls > 80, "the workload makes \(calls) I/O calls")

        // Every call when there are few; a fixed-seed sample of 250 otherwise (the count varies
        // a little from run to run: the snapshot thread and the writer interleave).
        var generator = SeededGenerator(seed: 11)
        let points = calls <= 250 ? Array(1...calls) : Array((1...calls).shuffled(using: &generator).prefix(250)).sorted()
        var problems: [String] = []
        var runs = 0
        for k in points {
            let crashMode: SimulatedDisk.UnsyncedBytes = [.dropped, .tornPrefix(seed: UInt64(k)), .zeros(seed: UInt64(k))][k % 3]
            for mode in [Mode.crash(crashMode), .fail(EIO), .fail(ENOSPC)] {
                problems += await Self.checkedRun(k: k, mode: mode, waves: waves, durability: .everyBatch)
                runs += 1
            }
        }
        // Under `none` and `interval` a power loss may lose acknowledged writes by design; what
        // must hold is that a failed write never comes back, the rest survives the process, and
        // whatever survives a crash replays to the same state with or without snapshots.
        for k in points where k % 4 == 0 {
            problems += await Self.checkedRun(k: k, mode: .fail(EIO), waves: waves, durability: .none)
            let unsynced: SimulatedDisk.UnsyncedBytes = [.dropped, .tornPrefix(seed: UInt64(k)), .zeros(seed: UInt64(k))][k / 4 % 3]
            problems += await Self.checkedRun(k: k, mode: .crash(unsynced), waves: waves, durability: .none)
            problems += await Self.checkedRun(k: k + 1, mode: .crash(unsynced), waves: waves, durability: .interval(milliseconds: 1))
            runs += 3
        }
        print("PowerLossTests: \(calls) I/O calls in the workload, \(points.count) points, \(runs) runs")
        #expect(problems == [])
    }
}
