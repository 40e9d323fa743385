@testable import EventLog
import Foundation
import SimulatedDisk
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Readers never take damage for the end")
struct ReaderDamageTests {
    @Test("Damage below the durable mark is an error for a reader of the open log, never a silent end")
    func damageBelowDurableMark() async throws {
        let disk = SimulatedDisk()
        let directory = "/data/events"
        let log = try EventLog.open(directory: directory, options: simulatedOptions(disk))
        for b in 0..<4 { _ = try await log.append(records(3, from: UInt64(b * 3), size: 60)) }
        // Damage the last batch in place, under the writer's feet: read-only, it looks like a
        // torn tail; but it is durable.
        let segment = directory + "/00000000000000000001.seg"
        var bytes = try #require(disk.contents(segment))
        let last = batchOffsets(bytes)[3]
        bytes[last + 50] ^= 0xFF
        disk.setContents(segment, bytes)
        let reader = try log.read()
        var seen = 0
        #expect { while try reader.next() != nil { seen += 1 } } throws: { error in
            let e = error as? LogError
            return e?.code == .corruptSegment && e?.offset == last && e?.sequence == 10
        }
        #expect(seen == 9)
        // A follower stops with the error instead of spinning on it.
        let stream = log.follow(from: 1)
        var followed = 0
        await #expect(throws: LogError.self) {
            for try await _ in stream { followed += 1 }
        }
        #expect(followed == 9)
        // Read-only, without the durable mark, the same damage at the end is a torn tail.
        #expect(try readAll(directory, io: disk).count == 9)
        try await log.close()
    }

    @Test("A log cut below the durable mark is an error for its reader")
    func truncatedBelowDurableMark() async throws {
        let disk = SimulatedDisk()
        let directory = "/data/events"
        let log = try EventLog.open(directory: directory, options: simulatedOptions(disk))
        for b in 0..<3 { _ = try await log.append(records(2, from: UInt64(b * 2))) }
        let segment = directory + "/00000000000000000001.seg"
        let bytes = try #require(disk.contents(segment))
        disk.setContents(segment, Array(bytes.prefix(batchOffsets(bytes)[2])))
        let reader = try log.read()
        #expect { while try reader.next() != nil {} } throws: { ($0 as? LogError)?.message.contains("are durable") == true }
        try await log.close()
    }
}

@Suite("Time and bounds")
struct BoundsTests {
    @Test("The interval timer waits on the monotonic clock, so a step of the wall clock cannot stretch it")
    func monotonicTimer() {
        #expect(WakeSignal.clock == CLOCK_MONOTONIC)
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let deadline = WakeSignal.deadline(afterMilliseconds: 1500)
        let difference = (Double(deadline.tv_sec) - Double(now.tv_sec)) + (Double(deadline.tv_nsec) - Double(now.tv_nsec)) / 1e9
        #expect(difference >= 1.49 && difference < 1.6)
        // And a timed wait really times out on it.
        let signal = WakeSignal()
        let start = ContinuousClock.now
        signal.wait(milliseconds: 30)
        #expect(ContinuousClock.now - start >= .milliseconds(29))
        signal.post()
        signal.wait(milliseconds: 60_000)  // returns at once: a post is pending
    }

    @Test("Buffers that grew in a burst shrink back as soon as the writer goes idle, and stay small")
    func buffersShrink() async throws {
        let disk = SimulatedDisk()
        let log = try EventLog.open(directory: "/data/events", options: simulatedOptions(disk))
        // A 40 MiB burst piles up while the disk stalls in a sync.
        _ = try await log.append([makeRecord(1)])
        disk.blockSyncs()
        let big = EventRecord(type: 1, schemaVersion: 1, payload: [UInt8](repeating: 7, count: LogCore.maxPayload))
        var last: UInt64 = 0
        for _ in 0..<40 { last = try log.enqueue([big]).upperBound }
        disk.unblockSyncs()
        try await log.waitDurable(last)
        #expect(log.statistics.peakBufferBytes > 16 << 20, "the burst grew the buffers")
        // The writer goes idle right after the burst's group and shrinks then, with no append after it.
        let small = 4 * LogWriter.bufferBaseline
        var waited = 0
        while log.statistics.bufferBytes > small, waited < 500 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        #expect(log.statistics.bufferBytes <= small, "buffers: \(log.statistics.bufferBytes) bytes")
        for i in 0..<(LogWriter.shrinkAfterGroups + 2) { _ = try await log.append([makeRecord(UInt64(i))]) }
        #expect(log.statistics.bufferBytes <= small)
        try await log.close()
    }

    @Test("Back-pressure: past the in-flight limit a writer waits, bounded, then is refused; room frees once the disk catches up")
    func backPressure() async throws {
        let disk = SimulatedDisk()
        var options = simulatedOptions(disk)
        options.inFlightLimit = 1 << 20
        let log = try EventLog.open(directory: "/data/events", options: options)
        disk.blockSyncs()
        let record = EventRecord(type: 1, schemaVersion: 1, payload: [UInt8](repeating: 1, count: 256 << 10))
        var tickets: [AppendTicket] = []
        // The writer takes the first group and blocks in its sync; the rest pile up in memory.
        var refused: LogError?
        for _ in 0..<16 {
            do { tickets.append(try log.submit([record])) } catch {
                refused = error
                break
            }
        }
        #expect(refused?.code == .overloaded, "enqueue refuses at twice the limit")
        #expect(tickets.count >= 4 && tickets.count <= 9)
        let start = ContinuousClock.now
        await #expect { try await log.waitForRoom(timeout: .milliseconds(100)) } throws: { ($0 as? LogError)?.code == .overloaded }
        #expect(ContinuousClock.now - start >= .milliseconds(90))
        disk.unblockSyncs()
        for ticket in tickets { try await log.waitDurable(ticket) }
        try await log.waitForRoom(timeout: .milliseconds(100))
        _ = try await log.append([record])
        try await log.close()
    }
}
