import EventLog
import Foundation
import Synchronization
import Testing

@Suite("Group commit under concurrent appenders")
struct GroupCommitTests {
    @Test("256 concurrent appenders under everyBatch: each acknowledged once, sequences dense, fewer syncs than appends")
    func concurrentAppenders() async throws {
        try await withTemporaryDirectory { dir in
            let log = try EventLog.open(directory: dir, options: LogOptions(durability: .everyBatch))
            let appenders = 256
            let appendsEach = 8
            let ranges = try await withThrowingTaskGroup(of: [ClosedRange<UInt64>].self) { group in
                for a in 0..<appenders {
                    group.addTask {
                        var mine: [ClosedRange<UInt64>] = []
                        for i in 0..<appendsEach {
                            let n = (a + i) % 3 + 1
                            let range = try await log.append((0..<n).map { makeRecord(UInt64(a * 1000 + i * 10 + $0)) })
                            // Acknowledged only once durable.
                            #expect(log.durableSequence >= range.upperBound)
                            mine.append(range)
                        }
                        return mine
                    }
                }
                var all: [ClosedRange<UInt64>] = []
                for try await mine in group { all += mine }
                return all
            }
            #expect(ranges.count == appenders * appendsEach)
            let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
            var next: UInt64 = 1
            for r in sorted {
                #expect(r.lowerBound == next)
                next = r.upperBound + 1
            }
            let total = next - 1
            #expect(log.lastSequence == total)
            #expect(log.durableSequence == total)
            let stats = log.statistics
            #expect(stats.events == total)
            #expect(stats.syncs < UInt64(ranges.count), "group commit should share syncs, got \(stats.syncs) for \(ranges.count) appends")
            try await log.close()
            let events = try readAll(dir)
            #expect(events.map(\.sequence) == Array(1...total))
        }
    }

    @Test("enqueue hands out sequences in call order and waitDurable resumes once written")
    func enqueueThenWait() async throws {
        try await withTemporaryDirectory { dir in
            let log = try EventLog.open(directory: dir)
            var last: UInt64 = 0
            for i in 0..<100 {
                let r = try log.enqueue([makeRecord(UInt64(i))])
                #expect(r.lowerBound == last + 1)
                last = r.upperBound
            }
            try await log.waitDurable(last)
            #expect(log.durableSequence >= last)
            try await log.close()
            // Waiting for a sequence that will never be written fails with closed.
            await #expect { try await log.waitDurable(last + 1) } throws: { ($0 as? LogError)?.code == .closed }
        }
    }

    @Test("follow delivers existing events, then new ones as they become durable, and ends on close")
    func follow() async throws {
        try await withTemporaryDirectory { dir in
            let log = try EventLog.open(directory: dir, options: LogOptions(durability: .everyBatch, segmentSizeLimit: 4096))
            _ = try await log.append((0..<5).map { makeRecord(UInt64($0)) })
            let consumer = Task {
                var seen: [UInt64] = []
                for try await event in log.follow(from: 3) { seen.append(event.sequence) }
                return seen
            }
            for i in 0..<40 {
                _ = try await log.append([makeRecord(UInt64(100 + i))])
            }
            // Let the follower catch up before the close ends the stream.
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                let r = try log.read(from: 45)
                if try r.next() != nil { break }
            }
            try await Task.sleep(for: .milliseconds(100))
            try await log.close()
            let seen = try await consumer.value
            #expect(seen == Array(3...45))
        }
    }

    @Test("Cancelling a follower ends its stream")
    func followCancel() async throws {
        try await withTemporaryDirectory { dir in
            let log = try EventLog.open(directory: dir)
            let consumer = Task {
                var n = 0
                for try await _ in log.follow(from: 1) { n += 1 }
                return n
            }
            _ = try await log.append([makeRecord(1)])
            try await Task.sleep(for: .milliseconds(50))
            consumer.cancel()
            let n = try await consumer.value
            #expect(n <= 1)
            try await log.close()
        }
    }
}
