import EventLog
import Foundation
import Synchronization
import Testing

@Suite("Readers beside a writer")
struct ReaderBesideWriterTests {
    @Test("A read-only reader polling during appends only ever sees whole batches, in order")
    func onlyWholeBatches() async throws {
        try await withTemporaryDirectory { dir in
            let log = try EventLog.open(directory: dir, options: LogOptions(durability: .none, segmentSizeLimit: 64 << 10))
            let batchSize = 17
            let writer = Task {
                for b in 0..<300 {
                    _ = try await log.append((0..<batchSize).map { makeRecord(UInt64(b * batchSize + $0)) })
                }
            }
            var polls = 0
            var maxSeen = 0
            while true {
                let done = writer.isCancelled || log.lastSequence == 300 * UInt64(batchSize)
                let events = try readAll(dir)
                // Every append is one batch here, so whole batches mean multiples of the batch size.
                #expect(events.count % batchSize == 0, "saw \(events.count) events: a partial batch")
                for (i, e) in events.enumerated() where e.sequence != UInt64(i + 1) || e.record != makeRecord(UInt64(i)) {
                    Issue.record("event \(i) is wrong: \(e.sequence)")
                    break
                }
                maxSeen = max(maxSeen, events.count)
                polls += 1
                if done { break }
            }
            try await writer.value
            try await log.close()
            #expect(try readAll(dir).count == 300 * batchSize)
            #expect(polls > 1)
        }
    }
}
