@testable import EventLog
import Foundation
import Testing

@Suite("Recovery of torn and damaged logs")
struct RecoveryTests {
    /// A one-segment log of `batches` small batches; returns its records per batch and the segment bytes.
    func fixture(_ dir: String, batches: Int = 4, perBatch: Int = 3) async throws -> (records: [[EventRecord]], segment: String, bytes: [UInt8]) {
        let log = try EventLog.open(directory: dir, options: LogOptions(durability: .none))
        var records: [[EventRecord]] = []
        for b in 0..<batches {
            let batch = (0..<perBatch).map { makeRecord(UInt64(b * 100 + $0), size: 40) }
            _ = try await log.append(batch)
            records.append(batch)
        }
        try await log.close()
        let segment = segmentFiles(dir)[0]
        return (records, segment, fileBytes(segment))
    }

    @Test("Truncating at every byte of the last batch recovers every earlier batch")
    func truncateEveryOffset() async throws {
        try await withTemporaryDirectory { dir in
            let (records, segment, bytes) = try await fixture(dir)
            let offsets = batchOffsets(bytes)
            #expect(offsets.count == records.count)
            let lastStart = offsets[offsets.count - 1]
            let earlier = Array(records.dropLast().joined())
            for cut in lastStart..<bytes.count {
                writeBytes(segment, Array(bytes[..<cut]))
                let log = try EventLog.open(directory: dir, options: LogOptions(durability: .none))
                if cut == lastStart {
                    #expect(log.recovery == nil)
                } else {
                    let report = try #require(log.recovery, "cut at \(cut) was not reported")
                    #expect(report.offset == lastStart)
                    #expect(report.bytesCut == cut - lastStart)
                    #expect(report.file == segment)
                    // Known even when the cut batch's header is not readable.
                    #expect(report.firstLostSequence == UInt64(earlier.count + 1))
                    if cut - lastStart >= 48 {
                        #expect(report.lostSequences == UInt64(earlier.count + 1)...UInt64(earlier.count + 3))
                    } else {
                        #expect(report.lostSequences == nil)
                    }
                }
                #expect(log.lastSequence == UInt64(earlier.count))
                try await log.close()
                #expect(fileBytes(segment).count == lastStart)
                #expect(try readAll(dir).map(\.record) == earlier, "cut at \(cut)")
            }
            // After recovery the log takes appends at the next sequence.
            let log = try EventLog.open(directory: dir)
            #expect(try await log.append([makeRecord(7)]) == UInt64(earlier.count + 1)...UInt64(earlier.count + 1))
            try await log.close()
        }
    }

    @Test("Every bit of the last batch's header, and a sample of its payload, flipped: recovered, never a crash")
    func flipBits() async throws {
        try await withTemporaryDirectory { dir in
            let (records, segment, bytes) = try await fixture(dir)
            let lastStart = batchOffsets(bytes).last ?? 0
            let earlier = Array(records.dropLast().joined())
            var bits = Array(0..<(48 * 8)).map { lastStart * 8 + $0 }
            let payloadBits = (bytes.count - lastStart - 48) * 8
            bits += stride(from: 0, to: payloadBits, by: 7).map { (lastStart + 48) * 8 + $0 }
            for bit in bits {
                var damaged = bytes
                damaged[bit / 8] ^= UInt8(1 << (bit % 8))
                writeBytes(segment, damaged)
                do {
                    let log = try EventLog.open(directory: dir, options: LogOptions(durability: .none))
                    #expect(log.recovery != nil, "flip of bit \(bit) went unnoticed")
                    try await log.close()
                    #expect(try readAll(dir).map(\.record) == earlier, "bit \(bit)")
                } catch let error as LogError {
                    // Reported is acceptable; it must name the file.
                    #expect(error.file == segment, "bit \(bit): \(error)")
                }
            }
        }
    }

    @Test("A damaged batch followed by valid batches in the last segment is a typed error, not a truncation")
    func damageFollowedByValidBatches() async throws {
        try await withTemporaryDirectory { dir in
            let (_, segment, bytes) = try await fixture(dir)
            let offsets = batchOffsets(bytes)
            var damaged = bytes
            damaged[offsets[1] + 60] ^= 0xFF
            writeBytes(segment, damaged)
            #expect { try EventLog.open(directory: dir) } throws: { error in
                guard let e = error as? LogError else { return false }
                return e.code == .corruptSegment && e.file == segment && e.offset == offsets[1] && e.sequence == 4
            }
            // The file is untouched: nothing was cut silently.
            #expect(fileBytes(segment) == damaged)
            // Readers report the same place.
            #expect { _ = try readAll(dir) } throws: { error in
                let e = error as? LogError
                return e?.code == .corruptSegment && e?.offset == offsets[1] && e?.sequence == 4
            }
        }
    }

    @Test("Damage inside a sealed segment is a typed error naming file, offset and sequence")
    func sealedSegmentDamage() async throws {
        try await withTemporaryDirectory { dir in
            let options = LogOptions(durability: .none, segmentSizeLimit: 4096)
            _ = try await writeLog(dir, batches: 40, perBatch: 5, options: options)
            let files = segmentFiles(dir)
            #expect(files.count >= 3)
            let sealed = files[1]
            var bytes = fileBytes(sealed)
            let offsets = batchOffsets(bytes)
            let target = offsets[1]
            let firstSequence = bytes[target + 8..<target + 16].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            bytes[target + 50] ^= 0x01
            writeBytes(sealed, bytes)
            #expect { _ = try readAll(dir) } throws: { error in
                guard let e = error as? LogError else { return false }
                return e.code == .corruptSegment && e.file == sealed && e.offset == target && e.sequence == firstSequence
            }
            let verification = try LogInspector.verify(directory: dir)
            #expect(!verification.isWhole)
            #expect(verification.problems.first?.file == sealed)
            #expect(verification.problems.first?.offset == target)
            #expect(verification.problems.first?.sequence == firstSequence)

            // Repair keeps the whole prefix, moves the damaged file and everything after it aside.
            let report = try LogRepair.repair(directory: dir)
            #expect(report.lostFrom == firstSequence)
            #expect(FileManager.default.fileExists(atPath: sealed + ".damaged"))
            #expect(FileManager.default.fileExists(atPath: files[2] + ".after-damage"))
            #expect(try LogInspector.verify(directory: dir).isWhole)
            let events = try readAll(dir)
            #expect(events.last?.sequence == firstSequence - 1)
            let log = try EventLog.open(directory: dir, options: options)
            #expect(log.lastSequence == firstSequence - 1)
            try await log.close()
        }
    }

    @Test("A segment cut inside its own header is rewritten on open")
    func tornSegmentHeader() async throws {
        try await withTemporaryDirectory { dir in
            let options = LogOptions(durability: .none, segmentSizeLimit: 4096)
            let all = try await writeLog(dir, batches: 20, perBatch: 5, options: options)
            let files = segmentFiles(dir)
            let last = try #require(files.last)
            let lastFirst = UInt64(URL(fileURLWithPath: last).deletingPathExtension().lastPathComponent)!
            writeBytes(last, Array(fileBytes(last).prefix(7)))
            let log = try EventLog.open(directory: dir, options: options)
            #expect(log.recovery?.bytesCut == 7)
            #expect(log.lastSequence == lastFirst - 1)
            try await log.close()
            #expect(try readAll(dir).map(\.record) == Array(all.prefix(Int(lastFirst - 1))))
        }
    }

    @Test(
        "A failed write (ENOSPC, EIO) is never acknowledged, and the log refuses appends until reopened",
        arguments: [(ENOSPC, LogError.Code.diskFull, LogError.Code.diskFull), (EIO, .io, .closed)]
    )
    func failedWriteRefusesAppends(errno: Int32, waiterCode: LogError.Code, laterCode: LogError.Code) async throws {
        try await withTemporaryDirectory { dir in
            var options = LogOptions(durability: .everyBatch)
            options.writeFault = { first in
                first >= 3 ? LogError.system(SystemCallError(rawValue: errno), "writing", file: dir) : nil
            }
            let log = try EventLog.open(directory: dir, options: options)
            #expect(try await log.append([makeRecord(1), makeRecord(2)]) == 1...2)
            await #expect { _ = try await log.append([makeRecord(3)]) } throws: { ($0 as? LogError)?.code == waiterCode }
            #expect { _ = try log.enqueue([makeRecord(4)]) } throws: { ($0 as? LogError)?.code == laterCode }
            #expect(log.durableSequence == 2)
            await #expect(throws: LogError.self) { try await log.close() }
            // Reopened without the fault: only the acknowledged records are there.
            let again = try EventLog.open(directory: dir)
            #expect(again.lastSequence == 2)
            #expect(try await again.append([makeRecord(5)]) == 3...3)
            try await again.close()
            #expect(try readAll(dir).map(\.record) == [makeRecord(1), makeRecord(2), makeRecord(5)])
        }
    }

    @Test("A whole batch of a newer format version is unsupportedVersion, never truncated")
    func newerBatchVersion() async throws {
        try await withTemporaryDirectory { dir in
            let (_, segment, bytes) = try await fixture(dir)
            let last = try #require(batchOffsets(bytes).last)
            var damaged = bytes
            let header = try #require(damaged[last...].withUnsafeBytes { raw -> BatchHeader? in
                if case .success(let h) = BatchHeader.decode(raw) { return h }
                return nil
            })
            var newer = header
            newer.formatVersion = BatchHeader.formatVersion + 1
            damaged.withUnsafeMutableBytes { raw in newer.encode(to: raw.baseAddress! + last) }
            writeBytes(segment, damaged)
            #expect { try EventLog.open(directory: dir) } throws: { error in
                let e = error as? LogError
                return e?.code == .unsupportedVersion && e?.offset == last && e?.file == segment
            }
            #expect { _ = try readAll(dir) } throws: { ($0 as? LogError)?.code == .unsupportedVersion }
            #expect(fileBytes(segment) == damaged)
        }
    }

    @Test("repair truncates a torn tail and reports the lost batch")
    func repairTornTail() async throws {
        try await withTemporaryDirectory { dir in
            let (records, segment, bytes) = try await fixture(dir)
            let last = try #require(batchOffsets(bytes).last)
            writeBytes(segment, Array(bytes[..<(bytes.count - 3)]))
            let verification = try LogInspector.verify(directory: dir)
            #expect(!verification.isWhole)
            #expect(verification.segments.last?.tornTail == true)
            let report = try LogRepair.repair(directory: dir)
            #expect(report.lostFrom == 10)
            #expect(report.lostThrough == 12)
            #expect(fileBytes(segment).count == last)
            #expect(try LogInspector.verify(directory: dir).isWhole)
            #expect(try readAll(dir).map(\.record) == Array(records.dropLast().joined()))
            // Nothing to do the second time; a writer's lock refuses repair.
            #expect(try LogRepair.repair(directory: dir).actions.isEmpty)
            let log = try EventLog.open(directory: dir)
            #expect { _ = try LogRepair.repair(directory: dir) } throws: { ($0 as? LogError)?.code == .locked }
            try await log.close()
        }
    }
}
