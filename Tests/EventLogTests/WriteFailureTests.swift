@testable import EventLog
import Foundation
import SimulatedDisk
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Options for a log on a simulated disk.
func simulatedOptions(_ disk: SimulatedDisk, durability: Durability = .everyBatch, segmentSizeLimit: Int = 64 << 20) -> LogOptions {
    var options = LogOptions(durability: durability, segmentSizeLimit: segmentSizeLimit, clock: { 1_700_000_000_000 })
    options.io = disk
    return options
}

/// Every event of a log on a simulated disk.
func readAll(_ directory: String, io: any FileIO) throws -> [LoggedEvent] {
    let reader = try LogDirectory.openReader(directory: directory, io: io)
    var events: [LoggedEvent] = []
    while let event = try reader.next() { events.append(event) }
    return events
}

/// `count` records of about `size` bytes each, seeded from `seed`.
func records(_ count: Int, from seed: UInt64, size: Int = 120) -> [EventRecord] {
    (0..<count).map { makeRecord(seed + UInt64($0), size: size) }
}

@Suite("Failed writes are cut back off the log")
struct RollbackTests {
    let directory = "/data/events"

    @Test("A group whose second batch fails to write leaves nothing of the group on disk, and the log resumes")
    func secondBatchFails() async throws {
        let disk = SimulatedDisk()
        let log = try EventLog.open(directory: directory, options: simulatedOptions(disk))
        let kept = records(3, from: 1)
        #expect(try await log.append(kept) == 1...3)
        // Five 1 MiB records are two batches (4 MiB each at most): fail the second one's write.
        let big = (0..<5).map { EventRecord(type: 1, schemaVersion: 1, payload: [UInt8](repeating: UInt8($0), count: LogCore.maxPayload)) }
        disk.arm(.init(at: 2, kinds: [.write], errno: EIO))
        await #expect { _ = try await log.append(big) } throws: { error in
            let e = error as? LogError
            return e?.code == .io && e?.message.contains("were not written (the log was cut back to sequence 3 and synced)") == true
        }
        disk.arm(nil)
        #expect(log.canResume)
        #expect(try readAll(directory, io: disk).map(\.record) == kept)
        // The first batch's bytes were cut and synced: a power loss cannot bring them back either.
        disk.powerLoss()
        #expect(try readAll(directory, io: disk).map(\.record) == kept)
        disk.restart()
        let reopened = try EventLog.open(directory: directory, options: simulatedOptions(disk))
        #expect(reopened.lastSequence == 3)
        #expect(reopened.recovery == nil, "there was nothing to cut: the writer had cut it already")
        try await reopened.close()
        _ = log
    }

    @Test("After a rolled-back failure the log resumes at the durable end; an old ticket still fails")
    func resumeAfterRollback() async throws {
        let disk = SimulatedDisk()
        let log = try EventLog.open(directory: directory, options: simulatedOptions(disk))
        _ = try await log.append(records(2, from: 10))
        disk.arm(.init(at: 1, kinds: [.syncData], errno: EIO))
        let lost = try log.submit(records(2, from: 20))
        await #expect(throws: LogError.self) { try await log.waitDurable(lost) }
        disk.arm(nil)
        #expect { _ = try log.enqueue(records(1, from: 30)) } throws: { ($0 as? LogError)?.code == .closed }
        try log.resume()
        #expect(log.statistics.resumes == 1)
        // The same sequences are handed out again, to other records.
        let again = try log.submit(records(2, from: 40))
        #expect(again.sequences == lost.sequences)
        try await log.waitDurable(again)
        await #expect(throws: LogError.self) { try await log.waitDurable(lost) }
        try await log.close()
        #expect(try readAll(directory, io: disk).map(\.record) == records(2, from: 10) + records(2, from: 40))
    }

    @Test("A group that rolled over segments is cut back across them: the new segments go")
    func rollbackAcrossSegments() async throws {
        let disk = SimulatedDisk()
        let log = try EventLog.open(directory: directory, options: simulatedOptions(disk, segmentSizeLimit: 4096))
        let kept = records(10, from: 100, size: 300)
        _ = try await log.append(kept)
        let keptSegments = disk.names(in: directory).filter { $0.hasSuffix(".seg") }
        // Twelve 1 MiB records in one group are three 4 MiB batches, each in a segment of its
        // own; the writes are: header, batch, header, batch, header, batch. The sixth fails after
        // two batches and three new segments reached the disk.
        let group = (0..<12).map { i in
            EventRecord(type: 2, schemaVersion: 1, payload: [UInt8]((0..<LogCore.maxPayload).map { UInt8(truncatingIfNeeded: (($0 + i) &* 2_654_435_761) >> 13) }))
        }
        let removesBefore = disk.callCounts[.remove, default: 0]
        disk.arm(.init(at: 6, kinds: [.write], errno: ENOSPC))
        let ticket = try log.submit(group)
        await #expect { try await log.waitDurable(ticket) } throws: { ($0 as? LogError)?.code == .diskFull }
        disk.arm(nil)
        #expect(disk.callCounts[.remove, default: 0] - removesBefore == 3, "the segments the group created were removed")
        #expect(log.canResume)
        #expect(disk.names(in: directory).filter { $0.hasSuffix(".seg") } == keptSegments)
        #expect(try readAll(directory, io: disk).map(\.record) == kept)
        try log.resume()
        #expect(try await log.append(records(1, from: 7)) == 11...11)
        try await log.close()
        #expect(try LogInspector.verify(directory: directory, io: disk).isWhole)
    }

    @Test("When cutting back fails too, the error says the outcome is unknown and the log cannot resume")
    func rollbackFails() async throws {
        let disk = SimulatedDisk()
        let log = try EventLog.open(directory: directory, options: simulatedOptions(disk))
        _ = try await log.append(records(2, from: 1))
        disk.arm(.init(at: 1, kinds: [.syncData], crash: true))
        await #expect { _ = try await log.append(records(2, from: 3)) } throws: { error in
            (error as? LogError)?.message.contains("is unknown") == true
        }
        #expect(!log.canResume)
        #expect { try log.resume() } throws: { ($0 as? LogError)?.code == .closed }
        await #expect(throws: LogError.self) { try await log.close() }
        disk.powerLoss()
        disk.restart()
        #expect(try readAll(directory, io: disk).map(\.record) == records(2, from: 1))
    }
}

@Suite("Durable, synced and what survives a power loss")
struct SyncTests {
    let directory = "/data/events"

    @Test("Under `none` the synced mark lags the durable one until sync(); a power loss keeps exactly the synced part")
    func syncedMark() async throws {
        let disk = SimulatedDisk()
        let log = try EventLog.open(directory: directory, options: simulatedOptions(disk, durability: .none))
        _ = try await log.append(records(4, from: 1))
        #expect(log.durableSequence == 4)
        #expect(log.syncedSequence == 0)
        #expect(try await log.sync() == 4)
        #expect(log.syncedSequence == 4)
        #expect { _ = try log.fingerprint(of: 5) } throws: { ($0 as? LogError)?.code == .invalidArgument }
        _ = try await log.append(records(3, from: 5))
        #expect { _ = try log.fingerprint(of: 6) } throws: { ($0 as? LogError)?.code == .invalidArgument }
        let fingerprint = try log.fingerprint(of: 3)
        #expect(fingerprint.batchFirstSequence == 1 && fingerprint.batchCount == 4)
        #expect(LogDirectory.check(fingerprint, directory: directory, io: disk) == .matches)
        disk.powerLoss()
        #expect(try readAll(directory, io: disk).map(\.record) == records(4, from: 1))
        _ = log
    }

    @Test("Directories the log creates are synced into their parents: acknowledged data survives a power loss")
    func directoriesAreDurable() async throws {
        let disk = SimulatedDisk()
        let log = try EventLog.open(directory: "/var/lib/conform/events", options: simulatedOptions(disk))
        _ = try await log.append(records(3, from: 1))
        disk.powerLoss()
        #expect(try readAll("/var/lib/conform/events", io: disk).map(\.record) == records(3, from: 1))
        _ = log
    }

    @Test("A new segment appears only with its header synced; a crash while creating one leaves the log openable")
    func segmentCreation() async throws {
        // Find how many calls a roll takes, then crash at each of them.
        for crashAt in 1...12 {
            let disk = SimulatedDisk()
            let options = simulatedOptions(disk, segmentSizeLimit: 4096)
            let log = try EventLog.open(directory: directory, options: options)
            _ = try await log.append(records(10, from: 1, size: 350))
            disk.arm(.init(at: crashAt, crash: true))
            _ = try? await log.append(records(10, from: 11, size: 350))
            try? await log.close()
            disk.powerLoss()
            disk.restart()
            for name in disk.names(in: directory) where name.hasSuffix(".seg") {
                #expect((disk.contents(directory + "/" + name)?.count ?? 0) >= 16, "crash at \(crashAt): \(name) has no header")
            }
            let reopened = try EventLog.open(directory: directory, options: options)
            #expect(reopened.lastSequence >= 10, "crash at \(crashAt)")
            try await reopened.close()
            #expect(disk.names(in: directory).allSatisfy { !$0.hasSuffix(".creating") })
            #expect(try LogInspector.verify(directory: directory, io: disk).isWhole, "crash at \(crashAt)")
        }
    }
}

@Suite("Review findings: failures across a resume")
struct ResumeEdgeTests {
    let directory = "/data/events"

    @Test("A follower that read ahead a group that was then cut off never hands it out after the resume")
    func followerAcrossResume() async throws {
        let disk = SimulatedDisk()
        let log = try EventLog.open(directory: directory, options: simulatedOptions(disk))
        _ = try await log.append(records(3, from: 1))
        // The doomed group reaches the file; its sync is held.
        disk.blockSyncs()
        let doomed = try log.submit(records(2, from: 100))
        try await Task.sleep(for: .milliseconds(50))
        // A slow consumer reads 1...3; its reader has read the doomed bytes ahead.
        let stream = log.follow(from: 1)
        var iterator = stream.makeAsyncIterator()
        var seen: [EventRecord] = []
        for _ in 0..<3 { if let event = try await iterator.next() { seen.append(event.record) } }
        disk.arm(.init(at: 1, kinds: [.syncData]))
        disk.unblockSyncs()
        await #expect(throws: LogError.self) { try await log.waitDurable(doomed) }
        disk.arm(nil)
        try log.resume()
        _ = try await log.append(records(2, from: 200))
        for _ in 0..<2 { if let event = try await iterator.next() { seen.append(event.record) } }
        #expect(seen == records(3, from: 1) + records(2, from: 200))
        try await log.close()
    }

    @Test("Under `interval`, a failed sync of acknowledged records is an unknown outcome, never a clean roll-back")
    func intervalSyncFailureIsUnknown() async throws {
        let disk = SimulatedDisk()
        let log = try EventLog.open(directory: directory, options: simulatedOptions(disk, durability: .interval(milliseconds: 20)))
        disk.arm(.init(at: 1, kinds: [.syncData]))
        _ = try await log.append(records(2, from: 1))  // acknowledged before its sync
        let deadline = ContinuousClock.now + .seconds(10)
        while log.failure == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(log.failure?.message.contains("is unknown") == true)
        #expect(!log.canResume)
        await #expect(throws: LogError.self) { try await log.close() }
    }
}
