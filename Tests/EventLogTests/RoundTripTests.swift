import EventLog
import Foundation
import Testing

@Suite("Appending and reading back")
struct RoundTripTests {
    @Test("Appended records read back with dense sequences from 1", arguments: [Durability.everyBatch, .none, .interval(milliseconds: 5)])
    func roundTrip(durability: Durability) async throws {
        try await withTemporaryDirectory { dir in
            let log = try EventLog.open(directory: dir, options: LogOptions(durability: durability, clock: { 1_700_000_000_000 }))
            #expect(log.lastSequence == 0)
            var expected: [EventRecord] = []
            for i in 0..<50 {
                let records = (0..<(i % 5 + 1)).map { makeRecord(UInt64(expected.count + $0), size: $0 * 37) }
                let range = try await log.append(records)
                #expect(range.lowerBound == UInt64(expected.count + 1))
                #expect(range.count == records.count)
                expected += records
                #expect(log.durableSequence >= range.upperBound)
            }
            let reader = try log.read()
            var seen: [LoggedEvent] = []
            while let e = try reader.next() { seen.append(e) }
            #expect(seen.map(\.record) == expected)
            #expect(seen.map(\.sequence) == Array(1...UInt64(expected.count)))
            #expect(seen.allSatisfy { $0.batchTimestamp == 1_700_000_000_000 })
            try await log.close()

            // Reopened: the same events, and appends continue the sequence.
            let again = try EventLog.open(directory: dir)
            #expect(again.recovery == nil)
            #expect(again.lastSequence == UInt64(expected.count))
            let next = try await again.append([makeRecord(999)])
            #expect(next == UInt64(expected.count + 1)...UInt64(expected.count + 1))
            try await again.close()
            #expect(try readAll(dir).map(\.record) == expected + [makeRecord(999)])
        }
    }

    @Test("Reading a range starts and stops at the requested sequences")
    func ranges() async throws {
        try await withTemporaryDirectory { dir in
            let all = try await writeLog(dir, batches: 10, perBatch: 7)
            let log = try EventLog.open(directory: dir)
            for (from, through) in [(1, 70), (5, 5), (7, 8), (13, 40), (70, 70), (33, nil)] as [(UInt64, UInt64?)] {
                let reader = try log.read(from: from, through: through)
                var seqs: [UInt64] = []
                while let e = try reader.next() {
                    #expect(e.record == all[Int(e.sequence) - 1])
                    seqs.append(e.sequence)
                }
                #expect(seqs == Array(from...(through ?? 70)))
            }
            let past = try log.read(from: 71)
            #expect(try past.next() == nil)
            #expect(throws: LogError.self) { try log.read(from: 0) }
            #expect(throws: LogError.self) { try log.read(from: 10, through: 3) }
            try await log.close()
        }
    }

    @Test("Segments roll at the size limit and reads cross them")
    func segmentRoll() async throws {
        try await withTemporaryDirectory { dir in
            let options = LogOptions(durability: .none, segmentSizeLimit: 8192)
            let all = try await writeLog(dir, batches: 60, perBatch: 10, options: options)
            let files = segmentFiles(dir)
            #expect(files.count > 3)
            #expect(files.first?.hasSuffix("/00000000000000000001.seg") == true)
            // Each segment is named by its first sequence, and stays near the limit.
            for file in files.dropLast() {
                let size = fileBytes(file).count
                #expect(size <= 8192)
            }
            let events = try readAll(dir)
            #expect(events.map(\.record) == all)
            // Reading from the middle of a later segment.
            let tail = try readAll(dir, from: 333)
            #expect(tail.first?.sequence == 333)
            #expect(tail.map(\.record) == Array(all[332...]))
            // Reopen continues in the last segment.
            let log = try EventLog.open(directory: dir, options: options)
            #expect(log.lastSequence == 600)
            _ = try await log.append([makeRecord(1)])
            try await log.close()
            #expect(try readAll(dir).count == 601)
        }
    }

    @Test("A group larger than the 4 MiB batch cap is split into several batches")
    func largeGroupSplits() async throws {
        try await withTemporaryDirectory { dir in
            let log = try EventLog.open(directory: dir, options: LogOptions(durability: .none))
            let big = (0..<10).map { makeRecord(UInt64($0), size: 1 << 20) }
            let range = try await log.append(big)
            #expect(range == 1...10)
            #expect(log.statistics.batches >= 3)
            try await log.close()
            #expect(try readAll(dir).map(\.record) == big)
        }
    }

    @Test("Bad arguments are refused with invalidArgument")
    func badArguments() async throws {
        try await withTemporaryDirectory { dir in
            let log = try EventLog.open(directory: dir)
            #expect { try log.enqueue([]) } throws: { ($0 as? LogError)?.code == .invalidArgument }
            #expect { try log.enqueue([EventRecord(type: 1, schemaVersion: 1, payload: [UInt8](repeating: 1, count: (1 << 20) + 1))]) } throws: {
                ($0 as? LogError)?.code == .invalidArgument
            }
            try await log.close()
            #expect { try log.enqueue([makeRecord(1)]) } throws: { ($0 as? LogError)?.code == .closed }
            #expect(throws: LogError.self) { try EventLog.open(directory: dir, options: LogOptions(segmentSizeLimit: 10)) }
        }
    }

    @Test("A directory that is not a log is refused")
    func notALog() async throws {
        await withTemporaryDirectory { dir in
            writeBytes(dir + "/notes.txt", Array("hello".utf8))
            #expect { try EventLog.open(directory: dir) } throws: {
                let e = $0 as? LogError
                return e?.code == .notALog && e?.file == dir
            }
            #expect { try LogDirectory.openReader(directory: dir + "/missing") } throws: { ($0 as? LogError)?.code == .notALog }
            #expect { try EventLog.open(directory: dir + "/notes.txt") } throws: { ($0 as? LogError)?.code == .notALog }
        }
    }

    @Test("A .seg file without a segment header is notASegment; a newer version is unsupportedVersion")
    func notASegment() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await writeLog(dir, batches: 2, perBatch: 3)
            let first = segmentFiles(dir)[0]
            var bytes = fileBytes(first)
            writeBytes(dir + "/00000000000000000100.seg", Array("this is not a segment at all".utf8))
            #expect { try EventLog.open(directory: dir) } throws: {
                let e = $0 as? LogError
                return e?.code == .notASegment && e?.file?.hasSuffix("00000000000000000100.seg") == true
            }
            try FileManager.default.removeItem(atPath: dir + "/00000000000000000100.seg")
            bytes[4] = 9  // segment format version 9
            writeBytes(first, bytes)
            #expect { try EventLog.open(directory: dir) } throws: { ($0 as? LogError)?.code == .unsupportedVersion }
        }
    }

    @Test("interval durability acknowledges after the write and syncs within the interval")
    func intervalSyncs() async throws {
        try await withTemporaryDirectory { dir in
            // A long interval keeps the test independent of machine load: appends are acknowledged
            // after the write, so the 20 of them cannot have caused more syncs than intervals passed.
            let log = try EventLog.open(directory: dir, options: LogOptions(durability: .interval(milliseconds: 1_000)))
            let start = ContinuousClock.now
            for i in 0..<20 { _ = try await log.append([makeRecord(UInt64(i))]) }
            let elapsed = ContinuousClock.now - start
            #expect(log.durableSequence == 20)
            #expect(log.statistics.syncs <= UInt64(elapsed / .seconds(1)) + 1)
            // With no further appends, the interval alone brings the sync.
            let deadline = ContinuousClock.now + .seconds(10)
            while log.statistics.syncs == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(log.statistics.syncs >= 1)
            try await log.close()
            #expect(try readAll(dir).count == 20)
        }
    }

    @Test("A segment named for sequence 0 is refused, not read or skipped")
    func segmentNamedZero() async {
        await withTemporaryDirectory { dir in
            writeBytes(dir + "/00000000000000000000.seg", [UInt8](repeating: 0, count: 64))
            #expect { try EventLog.open(directory: dir) } throws: { ($0 as? LogError)?.code == .corruptSegment }
            #expect { try LogDirectory.openReader(directory: dir) } throws: { ($0 as? LogError)?.code == .corruptSegment }
        }
    }

    @Test("Random bytes after a segment header are cut as a torn tail or reported, never a crash", arguments: 0..<8)
    func randomGarbage(seed: UInt64) async throws {
        try await withTemporaryDirectory { dir in
            print("randomGarbage seed \(seed)")
            var rng = seed &* 0x2545_F491_4F6C_DD1D &+ 7
            var bytes: [UInt8] = [0x43, 0x46, 0x53, 0x47, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
            for _ in 0..<(Int(seed) * 997 % 5000 + 1) {
                rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17
                bytes.append(UInt8(truncatingIfNeeded: rng))
            }
            writeBytes(dir + "/00000000000000000001.seg", bytes)
            do {
                let log = try EventLog.open(directory: dir)
                #expect(log.recovery?.bytesCut == bytes.count - 16)
                #expect(log.lastSequence == 0)
                try await log.close()
            } catch let error as LogError {
                #expect(error.file != nil, "seed \(seed): \(error)")
            }
        }
    }
}
