import EventLog
import Foundation
import Testing

@Suite("Snapshot files")
struct SnapshotTests {
    @Test("Snapshots round-trip and the newest valid one wins")
    func roundTrip() async throws {
        try await withTemporaryDirectory { dir in
            let store = SnapshotStore(directory: dir + "/snapshots")
            #expect(store.loadNewest(maxFormatVersion: 1).snapshot == nil)
            let older = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 / 7) }
            try store.write(sequence: 10, formatVersion: 1, blob: older)
            try store.write(sequence: 20, formatVersion: 1, blob: [1, 2, 3])
            try store.write(sequence: 30, formatVersion: 1, blob: [])
            let loaded = store.loadNewest(maxFormatVersion: 1)
            #expect(loaded.snapshot == Snapshot(sequence: 30, formatVersion: 1, blob: []))
            #expect(loaded.skipped.isEmpty)
            // No temp files are left behind.
            let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/snapshots")
            #expect(names.allSatisfy { !$0.hasPrefix(".tmp") })
        }
    }

    @Test("A corrupt newest snapshot is skipped for the older one and reported")
    func corruptNewestSkipped() async throws {
        try await withTemporaryDirectory { dir in
            let store = SnapshotStore(directory: dir)
            let blob = (0..<5000).map { UInt8(truncatingIfNeeded: $0 * 31) }
            try store.write(sequence: 100, formatVersion: 2, blob: blob)
            try store.write(sequence: 200, formatVersion: 2, blob: [9, 9, 9, 9])
            let newest = dir + "/snapshot-00000000000000000200.snap"
            var bytes = fileBytes(newest)
            bytes[bytes.count - 1] ^= 0x40
            writeBytes(newest, bytes)
            let loaded = store.loadNewest(maxFormatVersion: 2)
            #expect(loaded.snapshot == Snapshot(sequence: 100, formatVersion: 2, blob: blob))
            #expect(loaded.skipped.count == 1)
            #expect(loaded.skipped.first?.code == .corruptSnapshot)
            #expect(loaded.skipped.first?.file == newest)
            // A format newer than the caller reads is skipped too (the version is checked once the
            // header checksum holds, before the payload is read).
            let old = store.loadNewest(maxFormatVersion: 1)
            #expect(old.snapshot == nil)
            #expect(old.skipped.map(\.code) == [.unsupportedVersion, .unsupportedVersion])
            // Truncated file.
            writeBytes(newest, Array(bytes.prefix(10)))
            #expect(store.loadNewest(maxFormatVersion: 2).snapshot?.sequence == 100)
        }
    }

    @Test("The log's snapshot store is snapshots/ beside the log directory")
    func siblingDirectory() async throws {
        try await withTemporaryDirectory { dir in
            let log = try EventLog.open(directory: dir + "/data/events")
            #expect(log.snapshots.directory == dir + "/data/snapshots")
            try await log.close()
        }
    }
}
