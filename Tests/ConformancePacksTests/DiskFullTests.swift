import EventLog
import Foundation
import Logging
import SimulatedDisk
import Testing
@testable import ConformancePacks

@Suite("A full disk, a failed write, a slow disk")
struct DiskFullTests {
    @Test("While the disk is full writes are refused with ServiceUnavailable and reads go on; with space again writes resume without a restart")
    func diskFull() async throws {
        let disk = SimulatedDisk()
        let engine = try await ConformanceEngine.open(simulatedConfiguration(disk))
        _ = try await engine.putConformancePack(put("kept", body: template(rules: ["r1"])), context: alice)
        // Fill the disk to the byte.
        let used = (disk.contents("/data/events/00000000000000000001.seg")?.count ?? 0)
        disk.setCapacity(used + 100)
        var refusals: [ConformanceError] = []
        for index in 0..<5 {
            let refusal = await conformanceError { () async throws(ConformanceError) in
                _ = try await engine.putConformancePack(put("lost\(index)", body: template(rules: ["r\(index)"])), context: alice)
            }
            if let refusal { refusals.append(refusal) }
        }
        #expect(refusals.count == 5)
        #expect(refusals.allSatisfy { $0.code == .serviceUnavailable && $0.message.contains("disk") && $0.message.contains("full") })
        // Reads answer, from the durable state only.
        #expect(try await packNames(engine) == ["kept"])
        #expect(engine.stateDigest() == (try freshReplayDigest(disk)))
        // Only the first refusal tried the disk; the others were refused at once.
        #expect(engine.log?.statistics.resumes == 1)
        // Space again: the very next write succeeds, no restart.
        disk.setCapacity(nil)
        _ = try await engine.putConformancePack(put("after", body: template(rules: ["r9"])), context: alice)
        #expect(try await packNames(engine) == ["after", "kept"])
        // After a power loss: every acknowledged write, no refused one.
        disk.powerLoss()
        disk.restart()
        let reopened = try await ConformanceEngine.open(simulatedConfiguration(disk))
        #expect(try await packNames(reopened) == ["after", "kept"])
        try await reopened.close()
        _ = engine
    }

    @Test("A failed fdatasync is cut back and answered InternalFailure 'not recorded'; the engine goes on")
    func failedSync() async throws {
        let disk = SimulatedDisk()
        let engine = try await ConformanceEngine.open(simulatedConfiguration(disk))
        _ = try await engine.putConformancePack(put("kept", body: template(rules: ["r1"])), context: alice)
        disk.arm(.init(at: 1, kinds: [.syncData]))
        let failure = await errorCode { _ = try await engine.putConformancePack(put("lost", body: template(rules: ["r2"])), context: alice) }
        #expect(failure == .internalFailure)
        disk.arm(nil)
        #expect(try await packNames(engine) == ["kept"])
        _ = try await engine.putConformancePack(put("next", body: template(rules: ["r3"])), context: alice)
        try await engine.close()
        let reopened = try await ConformanceEngine.open(simulatedConfiguration(disk))
        #expect(try await packNames(reopened) == ["kept", "next"])
        try await reopened.close()
    }

    @Test("When even the cut-back fails, the engine fences: InternalFailure to everything until reopened")
    func unknownOutcomeFences() async throws {
        let disk = SimulatedDisk()
        let engine = try await ConformanceEngine.open(simulatedConfiguration(disk))
        _ = try await engine.putConformancePack(put("kept", body: template(rules: ["r1"])), context: alice)
        disk.arm(.init(at: 1, kinds: [.syncData], crash: true))
        #expect(await errorCode { _ = try await engine.putConformancePack(put("lost", body: template(rules: ["r2"])), context: alice) } == .internalFailure)
        #expect(await errorCode { _ = try await engine.describeConformancePacks(.init(), context: alice) } == .internalFailure)
        try? await engine.close()
        disk.powerLoss()
        disk.restart()
        let reopened = try await ConformanceEngine.open(simulatedConfiguration(disk))
        #expect(try await packNames(reopened) == ["kept"])
        try await reopened.close()
    }

    @Test("A disk that stalls: writes past the in-flight limit wait, bounded, then get ThrottlingException")
    func backPressure() async throws {
        let disk = SimulatedDisk()
        var configuration = simulatedConfiguration(disk)
        configuration.inFlightLimit = 2048
        configuration.writeRoomTimeout = .milliseconds(50)
        let engine = try await ConformanceEngine.open(configuration)
        disk.blockSyncs()
        let outcomes = await withTaskGroup(of: ConformanceError.Code?.self) { group in
            for index in 0..<12 {
                group.addTask {
                    await errorCode { _ = try await engine.putConformancePack(put("p\(index)", body: template(rules: ["r\(index)"])), context: alice) }
                }
                try? await Task.sleep(for: .milliseconds(5))
            }
            try? await Task.sleep(for: .milliseconds(200))
            disk.unblockSyncs()
            var outcomes: [ConformanceError.Code?] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        #expect(outcomes.contains(.throttling))
        #expect(outcomes.contains(nil))
        #expect(outcomes.allSatisfy { $0 == nil || $0 == .throttling })
        try await engine.close()
    }

    @Test("Opening after a torn tail logs what recovery cut: bytes and sequences")
    func recoveryIsLogged() async throws {
        let disk = SimulatedDisk()
        let engine = try await ConformanceEngine.open(simulatedConfiguration(disk))
        _ = try await engine.putConformancePack(put("kept", body: template(rules: ["r1"])), context: alice)
        try await engine.close()
        let segment = "/data/events/00000000000000000001.seg"
        disk.setContents(segment, (disk.contents(segment) ?? []) + [1, 2, 3, 4, 5])
        let capture = CapturedLog()
        let reopened = try await ConformanceEngine.open(simulatedConfiguration(disk, logger: capture.logger))
        try await reopened.close()
        // The put recorded sequences 1 and 2; five bytes of no batch followed.
        #expect(capture.lines.contains {
            $0.hasPrefix("warning Recovered the event log") && $0.contains("log.bytes_cut=5") && $0.contains("log.lost_sequences=from 3 on")
        })
    }
}

@Suite("Review findings: cancellation and snapshot claims")
struct WriteOutcomeTests {
    @Test("A write whose caller is cancelled while it waits for the disk gets its true outcome, not 'not recorded'")
    func cancelledWriteKnowsItsOutcome() async throws {
        let disk = SimulatedDisk()
        let engine = try await ConformanceEngine.open(simulatedConfiguration(disk))
        disk.blockSyncs()
        let write = Task { await errorCode { _ = try await engine.putConformancePack(put("p", body: template(rules: ["r"])), context: alice) } }
        try await Task.sleep(for: .milliseconds(50))
        write.cancel()
        try await Task.sleep(for: .milliseconds(20))
        disk.unblockSyncs()
        #expect(await write.value == nil, "the write was recorded, so it must be answered as such")
        #expect(try await packNames(engine) == ["p"])
        try await engine.close()
    }

    @Test("A write that fails after claiming a periodic snapshot does not stop later snapshots")
    func snapshotClaimReleasedOnFailure() async throws {
        let disk = SimulatedDisk()
        let engine = try await ConformanceEngine.open(simulatedConfiguration(disk, snapshotEveryBytes: 400))
        disk.arm(.init(at: 1, kinds: [.syncData]))
        #expect(await errorCode { _ = try await engine.putConformancePack(put("lost", body: template(rules: ["r"])), context: alice) } == .internalFailure)
        disk.arm(nil)
        for index in 0..<3 {
            _ = try await engine.putConformancePack(put("p\(index)", body: template(rules: ["r\(index)"])), context: alice)
            await engine.core.withLock { $0.snapshotTask }?.value
        }
        #expect(!disk.names(in: "/data/snapshots").filter { $0.hasSuffix(".snap") }.isEmpty)
        try await engine.close()
    }
}
