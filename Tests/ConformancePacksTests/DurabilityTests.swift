import EventLog
import Foundation
import Logging
import SimulatedDisk
import Synchronization
import Testing
@testable import ConformancePacks

/// A configuration whose data directory is `/data` on `disk`.
func simulatedConfiguration(
    _ disk: SimulatedDisk, durability: ConformanceEngine.Durability = .everyBatch, clock: ManualClock = ManualClock(),
    seed: UInt64 = 1, snapshotEveryBytes: Int = 64 << 20, segmentSizeLimit: Int = 64 << 20, logger: Logger? = nil
) -> ConformanceEngine.Configuration {
    var configuration = configuration("/data", clock: clock, seed: seed, snapshotEveryBytes: snapshotEveryBytes)
    configuration.durability = durability
    configuration.io = disk
    configuration.segmentSizeLimit = segmentSizeLimit
    if let logger { configuration.logger = logger }
    return configuration
}

/// The pack names of a partition.
func packNames(_ engine: ConformanceEngine, _ context: RequestContext = alice) async throws -> [String] {
    try await engine.describeConformancePacks(.init(), context: context).conformancePackDetails?.map(\.conformancePackName) ?? []
}

/// A full replay of the log on `disk`, without snapshots.
func freshReplayDigest(_ disk: SimulatedDisk) throws -> String {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    return try ConformanceEngine.replay(dataDirectory: "/data", useSnapshots: false, logger: logger, io: disk).digest
}

/// A log handler that keeps every message, for tests that check what the engine reports.
final class CapturedLog: @unchecked Sendable {
    // Safe to share: `lines` is only touched under `lock`.
    private let lock = Mutex<[String]>([])
    var lines: [String] { lock.withLock { $0 } }
    func append(_ line: String) { lock.withLock { $0.append(line) } }

    var logger: Logger {
        Logger(label: "captured") { _ in Handler(sink: self) }
    }

    struct Handler: LogHandler {
        let sink: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            sink.append("\(event.level) \(event.message) \(fields.joined(separator: " "))")
        }
    }
}

@Suite("Snapshots are trusted only when their log vouches for them")
struct StaleSnapshotTests {
    @Test("A snapshot from a history that a lost tail cut off is moved aside, and the refilled log is replayed instead")
    func snapshotBeyondLostTail() async throws {
        let disk = SimulatedDisk()
        let first = try await ConformanceEngine.open(simulatedConfiguration(disk))
        for name in ["a", "b", "c", "d", "e", "f"] {
            _ = try await first.putConformancePack(put(name, body: template(rules: ["r-\(name)"])), context: alice)
        }
        try await first.close()  // a snapshot at sequence 12
        // The log loses everything after pack "c" (sequence 6), as a repair or a lost tail does;
        // the snapshot stays.
        let segment = "/data/events/00000000000000000001.seg"
        let bytes = try #require(disk.contents(segment))
        var offsets: [Int] = []
        var at = 16
        while at + 48 <= bytes.count {
            offsets.append(at)
            at += 48 + (Int(bytes[at + 24]) | Int(bytes[at + 25]) << 8 | Int(bytes[at + 26]) << 16)
        }
        disk.setContents(segment, Array(bytes[..<offsets[3]]))
        // New, different commands refill sequences 7...14; the process then dies before any
        // snapshot of its own is written.
        let refill = try await ConformanceEngine.open(simulatedConfiguration(disk))
        #expect(try await packNames(refill) == ["a", "b", "c"])
        for name in ["w", "x", "y", "z"] {
            _ = try await refill.putConformancePack(put(name, body: template(rules: ["r-\(name)"])), context: alice)
        }
        #expect(refill.lastSequence == 14)
        let live = refill.stateDigest()
        disk.powerLoss()
        disk.restart()
        // Before fingerprints, the next start loaded the snapshot at 12 of the first history.
        let reopened = try await ConformanceEngine.open(simulatedConfiguration(disk))
        #expect(try await packNames(reopened) == ["a", "b", "c", "w", "x", "y", "z"])
        #expect(reopened.stateDigest() == live)
        #expect(reopened.stateDigest() == (try freshReplayDigest(disk)))
        #expect(disk.names(in: "/data/snapshots").contains("snapshot-00000000000000000012.snap.stale"))
        try await reopened.close()
        _ = refill
    }

    @Test("Opening the engine removes the temporary files of snapshot writes that a crash interrupted")
    func leftoverSnapshotTemporaries() async throws {
        let disk = SimulatedDisk()
        let first = try await ConformanceEngine.open(simulatedConfiguration(disk))
        _ = try await first.putConformancePack(put("a", body: template(rules: ["r"])), context: alice)
        try await first.close()
        disk.setContents("/data/snapshots/.tmp-4242-snapshot-00000000000000000009.snap", [1, 2, 3])
        let reopened = try await ConformanceEngine.open(simulatedConfiguration(disk))
        #expect(!disk.names(in: "/data/snapshots").contains { $0.hasPrefix(".tmp-") })
        #expect(try await packNames(reopened) == ["a"])
        try await reopened.close()
    }

    @Test("The snapshot of another log, at a sequence this log also reaches, is never loaded")
    func snapshotOfAnotherHistory() async throws {
        let capture = CapturedLog()
        let disk = SimulatedDisk()
        // History one: six packs, and a snapshot at its end.
        let first = try await ConformanceEngine.open(simulatedConfiguration(disk))
        for name in ["a", "b", "c", "d", "e", "f"] {
            _ = try await first.putConformancePack(put(name, body: template(rules: ["r-\(name)"])), context: alice)
        }
        try await first.close()
        let oldSnapshot = try #require(disk.contents("/data/snapshots/snapshot-00000000000000000012.snap"))
        // History two, in a fresh log of the same directory, with different commands.
        for name in disk.names(in: "/data/events") { try disk.remove("/data/events/" + name) }
        for name in disk.names(in: "/data/snapshots") { try disk.remove("/data/snapshots/" + name) }
        let second = try await ConformanceEngine.open(simulatedConfiguration(disk, seed: 2))
        for name in ["u", "v", "w", "x", "y", "z"] {
            _ = try await second.putConformancePack(put(name, body: template(rules: ["r-\(name)"])), context: alice)
        }
        let live = second.stateDigest()
        try await second.close()
        // The first history's snapshot comes back under the same name (a restored backup, a copy).
        disk.setContents("/data/snapshots/snapshot-00000000000000000012.snap", oldSnapshot)
        let reopened = try await ConformanceEngine.open(simulatedConfiguration(disk, logger: capture.logger))
        #expect(reopened.stateDigest() == live)
        #expect(try await packNames(reopened) == ["u", "v", "w", "x", "y", "z"])
        try await reopened.close()
        #expect(disk.names(in: "/data/snapshots").contains("snapshot-00000000000000000012.snap.stale"))
        #expect(capture.lines.contains { $0.contains("Passed over a snapshot") && $0.contains("does not match the log") })
    }

    @Test("The log written by the release before fingerprints still opens to the same packs and rules; its snapshot is not trusted")
    func formatOneFixture() async throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/log-format-1").path
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for sub in ["events", "snapshots"] {
            try FileManager.default.copyItem(atPath: fixture + "/" + sub, toPath: directory + "/" + sub)
        }
        let capture = CapturedLog()
        var logger = capture.logger
        logger.logLevel = .trace
        var config = configuration(directory)
        config.logger = logger
        let engine = try await ConformanceEngine.open(config)
        #expect(engine.lastSequence == 20)
        #expect(capture.lines.contains { $0.contains("Passed over a snapshot") && $0.contains("written by an earlier release") })
        let a = RequestContext(accountId: "111111111111", region: "us-east-1")
        let b = RequestContext(accountId: "222222222222", region: "eu-west-1")
        #expect(try await packNames(engine, a) == ["pack-one"])
        #expect(try await packNames(engine, b) == ["pack-b", "pack-b2"])
        let rulesA = try await engine.describeConfigRules(.init(), context: a).configRules?.map(\.configRuleName) ?? []
        #expect(rulesA == ["r1-conformance-pack-mu7fiikqv", "r5-conformance-pack-mu7fiikqv", "user-rule", "user-rule-2"])
        let rulesB = try await engine.describeConfigRules(.init(), context: b).configRules?.map(\.configRuleName) ?? []
        #expect(rulesB.count == 4)
        let digest = engine.stateDigest()
        try await engine.close()
        // The full replay agrees, and so does a replay from the snapshot the close just wrote.
        #expect(try ConformanceEngine.replay(dataDirectory: directory).digest == digest)
        let fromSnapshot = try ConformanceEngine.replay(dataDirectory: directory, useSnapshots: true)
        #expect(fromSnapshot.digest == digest)
        // Nothing changed since open, but the whole log was replayed (its snapshot was not
        // trusted): the close covers it with a snapshot, so the next open starts from there.
        #expect(fromSnapshot.snapshotSequence == 20)
    }

    @Test("The log of the release with fingerprinted snapshots opens to the same packs and rules; its snapshot, from before the compliance store, is passed over cleanly")
    func formatTwoFixture() async throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/log-format-2").path
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for sub in ["events", "snapshots"] {
            try FileManager.default.copyItem(atPath: fixture + "/" + sub, toPath: directory + "/" + sub)
        }
        // Its snapshot (at 15, format 2) matches the log but predates the compliance store: the
        // log is replayed instead, and the snapshot left in place (it is not damaged).
        let fromSnapshot = try ConformanceEngine.replay(dataDirectory: directory, useSnapshots: true)
        #expect(fromSnapshot.snapshotSequence == nil)
        #expect(FileManager.default.fileExists(atPath: directory + "/snapshots/snapshot-00000000000000000015.snap"))
        #expect(fromSnapshot.lastSequence == 20)
        #expect(try ConformanceEngine.replay(dataDirectory: directory).digest == fromSnapshot.digest)
        let engine = try await ConformanceEngine.open(configuration(directory))
        let a = RequestContext(accountId: "111111111111", region: "us-east-1")
        let b = RequestContext(accountId: "222222222222", region: "eu-west-1")
        #expect(try await packNames(engine, a) == ["pack-one"])
        #expect(try await packNames(engine, b) == ["pack-b", "pack-b2"])
        let rulesA = try await engine.describeConfigRules(.init(), context: a).configRules?.map(\.configRuleName) ?? []
        #expect(rulesA == ["r1-conformance-pack-t0phnyzf2", "r5-conformance-pack-t0phnyzf2", "user-rule", "user-rule-2"])
        #expect(engine.stateDigest() == fromSnapshot.digest)
        try await engine.close()
    }

    @Test("After repeated snapshots, the newest two are kept")
    func pruning() async throws {
        let disk = SimulatedDisk()
        let engine = try await ConformanceEngine.open(simulatedConfiguration(disk, snapshotEveryBytes: 1_000))
        for index in 0..<20 {
            _ = try await engine.putConformancePack(put("p\(index % 5)", body: template(rules: ["r\(index % 5)"])), context: alice)
            await engine.core.withLock { $0.snapshotTask }?.value
        }
        try await engine.close()
        let snapshots = disk.names(in: "/data/snapshots").filter { $0.hasSuffix(".snap") }
        #expect(snapshots.count == 2, "\(snapshots)")
        #expect(disk.names(in: "/data/snapshots").allSatisfy { !$0.hasPrefix(".tmp") })
    }
}

@Suite("Snapshots cover only what is synced")
struct SyncedSnapshotTests {
    @Test("Under `none`, a periodic snapshot is taken only of synced events: a power loss never leaves one beyond the log")
    func periodicSnapshotIsSynced() async throws {
        let disk = SimulatedDisk()
        let engine = try await ConformanceEngine.open(simulatedConfiguration(disk, durability: .none, snapshotEveryBytes: 1_500))
        for index in 0..<4 {
            _ = try await engine.putConformancePack(put("p\(index)", body: template(rules: ["r\(index)"])), context: alice)
        }
        await engine.core.withLock { $0.snapshotTask }?.value
        let snapshots = disk.names(in: "/data/snapshots").filter { $0.hasSuffix(".snap") }
        #expect(snapshots.count == 1)
        disk.powerLoss()
        disk.restart()
        let reopened = try await ConformanceEngine.open(simulatedConfiguration(disk, durability: .none))
        #expect(reopened.lastSequence >= 6, "the snapshot's events were synced before it was written")
        #expect(reopened.stateDigest() == (try freshReplayDigest(disk)))
        try await reopened.close()
        _ = engine
    }

    @Test("close() writes its snapshot only after the log's final sync: a crash at that sync leaves none beyond the log")
    func closeSnapshotFollowsSync() async throws {
        let disk = SimulatedDisk()
        let engine = try await ConformanceEngine.open(simulatedConfiguration(disk, durability: .none))
        for index in 0..<3 {
            _ = try await engine.putConformancePack(put("p\(index)", body: template(rules: ["r\(index)"])), context: alice)
        }
        disk.arm(.init(at: 1, kinds: [.syncData], crash: true))
        try? await engine.close()
        disk.powerLoss()
        disk.restart()
        #expect(disk.names(in: "/data/snapshots").filter { $0.hasSuffix(".snap") }.isEmpty)
        let reopened = try await ConformanceEngine.open(simulatedConfiguration(disk, durability: .none))
        #expect(reopened.stateDigest() == (try freshReplayDigest(disk)))
        try await reopened.close()
    }
}
