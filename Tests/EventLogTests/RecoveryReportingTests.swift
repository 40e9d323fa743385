@testable import EventLog
import Foundation
import SimulatedDisk
import Testing

@Suite("Recovery is told and total")
struct RecoveryReportingTests {
    @Test("A zero-filled tail, as ext4 leaves it after a power loss, is a torn tail: cut, reported and journaled")
    func zeroFilledTail() async throws {
        try await withTemporaryDirectory { dir in
            let all = try await writeLog(dir, batches: 3, perBatch: 4)
            let segment = segmentFiles(dir)[0]
            let whole = fileBytes(segment)
            writeBytes(segment, whole + [UInt8](repeating: 0, count: 4096))
            let verification = try LogInspector.verify(directory: dir)
            #expect(verification.segments.first?.tornTail == true)
            #expect(verification.problems.first?.message.contains("zeros") == true)
            let log = try EventLog.open(directory: dir, options: LogOptions(durability: .none, clock: { 1_234 }))
            let report = try #require(log.recovery)
            #expect(report.offset == whole.count)
            #expect(report.bytesCut == 4096)
            #expect(report.reason.contains("zeros"))
            try await log.close()
            #expect(try readAll(dir).map(\.record) == all)
            let journal = LogInspector.recoveries(directory: dir)
            #expect(journal == [RecoveryRecord(time: 1_234, source: .open, report: report)])
        }
    }

    @Test("Zeros followed by a valid batch are damage, not a torn tail: refused, with the repair command")
    func zerosBeforeValidBatch() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await writeLog(dir, batches: 3, perBatch: 4)
            let segment = segmentFiles(dir)[0]
            var bytes = fileBytes(segment)
            let second = batchOffsets(bytes)[1]
            let third = batchOffsets(bytes)[2]
            for i in second..<third { bytes[i] = 0 }
            writeBytes(segment, bytes)
            #expect { try EventLog.open(directory: dir) } throws: { error in
                let e = error as? LogError
                return e?.code == .corruptSegment && e?.file == segment && e?.offset == second
                    && e?.message.contains("run `conform log repair \(dir) --yes`") == true
            }
        }
    }

    @Test("Segments that do not continue each other are refused on open, naming the file, the offset and the repair command")
    func segmentsMustContinue() async throws {
        try await withTemporaryDirectory { dir in
            let options = LogOptions(durability: .none, segmentSizeLimit: 4096)
            _ = try await writeLog(dir, batches: 30, perBatch: 5, options: options)
            let files = segmentFiles(dir)
            #expect(files.count >= 3)
            // A middle segment goes missing: the next one no longer continues the one before.
            try FileManager.default.removeItem(atPath: files[1])
            #expect { try EventLog.open(directory: dir, options: options) } throws: { error in
                let e = error as? LogError
                return e?.code == .corruptSegment && e?.file == files[2] && e?.offset == 16
                    && e?.message.contains("are missing before this segment") == true
                    && e?.message.contains("conform log repair \(dir) --yes") == true
            }
            // The same check, written once, is what verify reports.
            let verification = try LogInspector.verify(directory: dir)
            #expect(verification.segments[1].breaksContinuity)
        }
    }

    @Test("A sealed segment whose end is not a whole batch is refused on open")
    func sealedSegmentCut() async throws {
        try await withTemporaryDirectory { dir in
            let options = LogOptions(durability: .none, segmentSizeLimit: 4096)
            _ = try await writeLog(dir, batches: 30, perBatch: 5, options: options)
            let sealed = segmentFiles(dir)[0]
            let bytes = fileBytes(sealed)
            writeBytes(sealed, Array(bytes.dropLast(10)))
            #expect { try EventLog.open(directory: dir, options: options) } throws: { error in
                let e = error as? LogError
                return e?.code == .corruptSegment && e?.file == sealed && e?.message.contains("conform log repair") == true
            }
        }
    }

    @Test("The journal keeps the newest records, and a damaged journal is ignored, never fatal")
    func journalBounds() async throws {
        let disk = SimulatedDisk()
        try LogDirectory.createDirectories("/log", io: disk)
        for i in 0..<30 {
            let report = RecoveryReport(file: "/log/x.seg", offset: i, bytesCut: 1, lostSequences: UInt64(i + 1)...UInt64(i + 2), reason: "tab\tand\nnewline")
            try RecoveryJournal.append(RecoveryRecord(time: UInt64(i), source: .open, report: report), directory: "/log", io: disk)
        }
        let records = RecoveryJournal.read(directory: "/log", io: disk)
        #expect(records.count == RecoveryJournal.capacity)
        #expect(records.first?.time == 10)
        #expect(records.last?.report.lostSequences == 30...31)
        #expect(records.last?.report.reason == "tab and newline")
        disk.setContents("/log/RECOVERY", Array("garbage\n".utf8))
        #expect(RecoveryJournal.read(directory: "/log", io: disk).isEmpty)
        // A journal in a log directory without segments does not make it look foreign.
        #expect(throws: Never.self) { try SegmentFiles.checkIsLog("/log", creating: false, io: disk) }
    }

    @Test("A leftover segment whose creation a crash interrupted is removed on open")
    func leftoverCreatingSegment() async throws {
        try await withTemporaryDirectory { dir in
            let all = try await writeLog(dir, batches: 2, perBatch: 2)
            writeBytes(dir + "/.00000000000000000005.seg.creating", [1, 2, 3])
            let log = try EventLog.open(directory: dir)
            try await log.close()
            #expect(!FileManager.default.fileExists(atPath: dir + "/.00000000000000000005.seg.creating"))
            #expect(try readAll(dir).map(\.record) == all)
        }
    }

    @Test("repair moves aside snapshots the cut log no longer vouches for, and journals what it did")
    func repairMovesStaleSnapshotsAside() async throws {
        try await withTemporaryDirectory { root in
            let dir = root + "/events"
            let options = LogOptions(durability: .none, segmentSizeLimit: 4096)
            _ = try await writeLog(dir, batches: 30, perBatch: 5, options: options)
            let store = SnapshotStore(directory: root + "/snapshots")
            for sequence in [UInt64(20), 140] {
                try store.write(sequence: sequence, formatVersion: 1, blob: [1], fingerprint: try LogDirectory.fingerprint(directory: dir, of: sequence))
            }
            // Damage the second batch (sequences 6...10) of the first, sealed segment: the log is cut back to 5.
            let sealed = segmentFiles(dir)[0]
            var bytes = fileBytes(sealed)
            let offsets = batchOffsets(bytes)
            let target = try #require(offsets.count > 1 ? offsets[1] : nil)
            bytes[target + 60] ^= 0xFF
            writeBytes(sealed, bytes)
            let report = try LogRepair.repair(directory: dir, time: 99)
            #expect(report.lostFrom == 6)
            #expect(report.actions.contains { $0.contains("moved snapshot") && $0.contains("snapshot-00000000000000000140.snap") })
            #expect(report.actions.contains { $0.contains("snapshot-00000000000000000020.snap") })
            let remaining = try FileManager.default.contentsOfDirectory(atPath: root + "/snapshots").sorted()
            #expect(remaining == ["snapshot-00000000000000000020.snap.stale", "snapshot-00000000000000000140.snap.stale"])
            let journal = LogInspector.recoveries(directory: dir)
            #expect(journal.last?.source == .repair)
            #expect(journal.last?.time == 99)
            #expect(try LogInspector.verify(directory: dir).isWhole)
            #expect(FileManager.default.fileExists(atPath: sealed + ".damaged"))
        }
    }

    @Test("repair survives a crash at any of its steps: the log always opens or repairs afterwards")
    func repairIsCrashSafe() async throws {
        for crashAt in 1...40 {
            let disk = SimulatedDisk()
            let dir = "/data/events"
            let options = simulatedOptions(disk, durability: .none, segmentSizeLimit: 4096)
            let log = try EventLog.open(directory: dir, options: options)
            for b in 0..<30 { _ = try await log.append(records(5, from: UInt64(b * 5), size: 40)) }
            try await log.close()
            let sealed = dir + "/00000000000000000001.seg"
            var bytes = try #require(disk.contents(sealed))
            bytes[batchOffsets(bytes)[2] + 50] ^= 0xFF
            disk.setContents(sealed, bytes)
            disk.arm(.init(at: crashAt, crash: true))
            _ = try? LogRepair.repair(directory: dir, io: disk)
            let crashed = disk.crashed
            disk.powerLoss()
            disk.restart()
            if crashed { _ = try LogRepair.repair(directory: dir, io: disk) }
            let verification = try LogInspector.verify(directory: dir, io: disk)
            #expect(verification.isWhole, "crash at \(crashAt): \(verification.problems)")
            #expect(verification.lastSequence == 10, "crash at \(crashAt)")
            let reopened = try EventLog.open(directory: dir, options: options)
            try await reopened.close()
        }
    }
}
