@testable import EventLog
import Foundation
import Testing

@Suite("Snapshot files")
struct SnapshotTests {
    /// A fingerprint for store-level tests, which do not check it against a log.
    func fingerprint(_ sequence: UInt64) -> LogFingerprint {
        LogFingerprint(sequence: sequence, segmentFirstSequence: 1, offset: 16, batchFirstSequence: 1, batchCount: UInt32(sequence), payloadHash: sequence &* 31)
    }

    /// What a loaded snapshot holds.
    struct Contents: Equatable {
        var sequence: UInt64
        var formatVersion: UInt16
        var fingerprint: LogFingerprint?
        var bytes: [UInt8]
    }

    func contents(_ snapshot: Snapshot?) throws -> Contents? {
        guard let snapshot else { return nil }
        return Contents(
            sequence: snapshot.sequence, formatVersion: snapshot.formatVersion, fingerprint: snapshot.fingerprint,
            bytes: try snapshot.chunks().readAll())
    }

    @Test("Snapshots round-trip with their fingerprint and the newest valid one wins")
    func roundTrip() async throws {
        try await withTemporaryDirectory { dir in
            let store = SnapshotStore(directory: dir + "/snapshots")
            #expect(store.loadNewest(maxFormatVersion: 1) { _ in .use }.snapshot == nil)
            let older = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 / 7) }
            try store.write(sequence: 10, formatVersion: 1, blob: older, fingerprint: fingerprint(10))
            try store.write(sequence: 20, formatVersion: 1, blob: [1, 2, 3], fingerprint: fingerprint(20))
            try store.write(sequence: 30, formatVersion: 1, blob: [], fingerprint: fingerprint(30))
            let loaded = store.loadNewest(maxFormatVersion: 1) { _ in .use }
            #expect(try contents(loaded.snapshot) == Contents(sequence: 30, formatVersion: 1, fingerprint: fingerprint(30), bytes: []))
            #expect(loaded.skipped.isEmpty)
            // The judge sees the header before the payload is read, and can pass over a snapshot.
            let judged = store.loadNewest(maxFormatVersion: 1) { $0.sequence > 15 ? .skip("later than the point") : .use }
            #expect(try contents(judged.snapshot) == Contents(sequence: 10, formatVersion: 1, fingerprint: fingerprint(10), bytes: older))
            #expect(judged.skipped.count == 2)
            // No temp files are left behind.
            let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/snapshots")
            #expect(names.allSatisfy { !$0.hasPrefix(".tmp") })
        }
    }

    @Test("A corrupt newest snapshot is skipped for the older one, reported, and moved aside by the owner")
    func corruptNewestSkipped() async throws {
        try await withTemporaryDirectory { dir in
            let store = SnapshotStore(directory: dir)
            let blob = (0..<5000).map { UInt8(truncatingIfNeeded: $0 * 31) }
            try store.write(sequence: 100, formatVersion: 2, blob: blob, fingerprint: fingerprint(100))
            try store.write(sequence: 200, formatVersion: 2, blob: [9, 9, 9, 9], fingerprint: fingerprint(200))
            let newest = dir + "/snapshot-00000000000000000200.snap"
            var bytes = fileBytes(newest)
            bytes[bytes.count - 1] ^= 0x40
            writeBytes(newest, bytes)
            let loaded = store.loadNewest(maxFormatVersion: 2) { _ in .use }
            #expect(try contents(loaded.snapshot) == Contents(sequence: 100, formatVersion: 2, fingerprint: fingerprint(100), bytes: blob))
            #expect(loaded.skipped.count == 1)
            #expect(loaded.skipped.first?.code == .corruptSnapshot)
            #expect(loaded.skipped.first?.file == newest)
            #expect(loaded.movedAside.isEmpty)
            // A format newer than the caller reads is skipped too (the version is checked once the
            // header checksum holds, before the payload is read), and never moved.
            let old = store.loadNewest(maxFormatVersion: 1, moveAside: true) { _ in .use }
            #expect(old.snapshot == nil)
            #expect(old.skipped.map(\.code) == [.unsupportedVersion, .unsupportedVersion])
            #expect(old.movedAside.isEmpty)
            // The owner of the log moves a damaged file aside.
            let owned = store.loadNewest(maxFormatVersion: 2, moveAside: true) { _ in .use }
            #expect(owned.snapshot?.sequence == 100)
            #expect(owned.movedAside == [newest + ".corrupt"])
            #expect(FileManager.default.fileExists(atPath: newest + ".corrupt"))
            // Truncated file.
            try store.write(sequence: 300, formatVersion: 2, blob: [1], fingerprint: fingerprint(300))
            writeBytes(dir + "/snapshot-00000000000000000300.snap", Array(bytes.prefix(10)))
            #expect(store.loadNewest(maxFormatVersion: 2) { _ in .use }.snapshot?.sequence == 100)
        }
    }

    @Test("A streamed snapshot keeps its sections and chunk boundaries' bytes, across many frames")
    func streamedSections() async throws {
        try await withTemporaryDirectory { dir in
            let store = SnapshotStore(directory: dir)
            var generator = SeededGenerator(seed: 3)
            let big = (0..<(3 << 20) + 12345).map { _ in UInt8.random(in: 0...15, using: &generator) }
            let writer = try store.writer(sequence: 7, formatVersion: 9, fingerprint: fingerprint(7))
            // Written in uneven pieces: the frames are cut at 1 MiB whatever the pieces.
            var at = 0
            while at < big.count {
                let piece = min(big.count - at, Int.random(in: 1...300_000, using: &generator))
                try writer.write(section: 1, Array(big[at..<(at + piece)]))
                at += piece
            }
            try writer.write(section: 2, [1, 2, 3])
            try writer.write(section: 1, [4])
            try writer.finish()
            let snapshot = try #require(store.loadNewest(maxFormatVersion: 9) { _ in .use }.snapshot)
            #expect(snapshot.header.fileVersion == 3)
            #expect(snapshot.header.length == UInt64(big.count + 4))
            let chunks = try snapshot.chunks()
            var sections: [UInt8: [UInt8]] = [:]
            var order: [UInt8] = []
            while let chunk = try chunks.next() {
                #expect(chunk.bytes.count <= 1 << 20)
                sections[chunk.section, default: []] += chunk.bytes
                if order.last != chunk.section { order.append(chunk.section) }
            }
            #expect(order == [1, 2, 1])
            #expect(sections[1] == big + [4])
            #expect(sections[2] == [1, 2, 3])
        }
    }

    @Test("Damage anywhere in a streamed snapshot is found, never a trap; a dropped writer leaves nothing")
    func streamedDamage() async throws {
        try await withTemporaryDirectory { dir in
            let store = SnapshotStore(directory: dir)
            let content = (0..<(2 << 20) + 99).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 13) }
            let writer = try store.writer(sequence: 5, formatVersion: 1, fingerprint: fingerprint(5))
            try writer.write(section: 1, content)
            try writer.finish()
            let path = dir + "/snapshot-00000000000000000005.snap"
            let good = fileBytes(path)
            var generator = SeededGenerator(seed: 9)
            // Bytes flipped at sampled offsets (every frame header included), and cuts.
            var offsets = Array(stride(from: 84, to: good.count, by: max(1, good.count / 300)))
            offsets += (0..<40).map { _ in Int.random(in: 0..<good.count, using: &generator) } + [good.count - 1]
            for offset in offsets {
                var bad = good
                bad[offset] ^= 0x10
                writeBytes(path, bad)
                let load = store.loadNewest(maxFormatVersion: 1) { _ in .use }
                #expect(load.snapshot == nil, "flip at \(offset)")
            }
            for cut in stride(from: 84, to: good.count, by: max(1, good.count / 97)) {
                writeBytes(path, Array(good.prefix(cut)))
                #expect(store.loadNewest(maxFormatVersion: 1) { _ in .use }.snapshot == nil, "cut at \(cut)")
            }
            writeBytes(path, good)
            #expect(try store.loadNewest(maxFormatVersion: 1) { _ in .use }.snapshot?.chunks().readAll() == content)
            // A writer dropped before `finish()` leaves neither a snapshot nor a temporary file.
            do {
                let abandoned = try store.writer(sequence: 6, formatVersion: 1, fingerprint: fingerprint(6))
                try abandoned.write(section: 1, [1, 2, 3])
            }
            #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir)) == ["snapshot-00000000000000000005.snap"])
        }
    }

    @Test("A rejected snapshot is moved aside as stale, never deleted")
    func rejectedMovedAside() async throws {
        try await withTemporaryDirectory { dir in
            let store = SnapshotStore(directory: dir)
            try store.write(sequence: 5, formatVersion: 1, blob: [5], fingerprint: fingerprint(5))
            try store.write(sequence: 9, formatVersion: 1, blob: [9], fingerprint: fingerprint(9))
            let load = store.loadNewest(maxFormatVersion: 1, moveAside: true) { $0.sequence == 9 ? .reject("another history") : .use }
            #expect(load.snapshot?.sequence == 5)
            #expect(load.movedAside == [dir + "/snapshot-00000000000000000009.snap.stale"])
            #expect(fileBytes(dir + "/snapshot-00000000000000000009.snap.stale").count > 0)
        }
    }

    @Test("Pruning keeps the newest two valid snapshots, and removes leftover temporary files")
    func pruning() async throws {
        try await withTemporaryDirectory { dir in
            let store = SnapshotStore(directory: dir)
            for sequence in [UInt64(1), 2, 3, 4] {
                try store.write(sequence: sequence, formatVersion: 1, blob: [UInt8(sequence)], fingerprint: fingerprint(sequence))
            }
            // The newest is damaged: it does not count among the two kept.
            let newest = dir + "/snapshot-00000000000000000004.snap"
            writeBytes(newest, Array(fileBytes(newest).prefix(20)))
            writeBytes(dir + "/.tmp-123-snapshot-00000000000000000005.snap", [1, 2, 3])
            let removed = store.prune(keep: 2)
            #expect(Set(removed) == [dir + "/snapshot-00000000000000000001.snap", dir + "/.tmp-123-snapshot-00000000000000000005.snap"])
            let names = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
            #expect(names == ["snapshot-00000000000000000002.snap", "snapshot-00000000000000000003.snap", "snapshot-00000000000000000004.snap"])
        }
    }

    @Test("A snapshot that the caller's check rejects (a stale one) does not count among those kept")
    func pruningSkipsInvalid() async throws {
        try await withTemporaryDirectory { dir in
            let store = SnapshotStore(directory: dir)
            for sequence in [UInt64(1), 2, 3] {
                try store.write(sequence: sequence, formatVersion: 1, blob: [UInt8(sequence)], fingerprint: fingerprint(sequence))
            }
            // Snapshot 3 no longer matches its log: 2 and 1 are the two kept.
            let removed = store.prune(keep: 2) { $0.sequence != 3 }
            #expect(removed.isEmpty)
            let names = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
            #expect(names.count == 3)
            #expect(store.prune(keep: 1) { $0.sequence != 3 } == [dir + "/snapshot-00000000000000000001.snap"])
        }
    }

    @Test("A snapshot file of version 1 (before fingerprints) is still read, without a fingerprint")
    func versionOneStillReads() throws {
        let fixture = fixtureDirectory("log-format-1") + "/snapshots/snapshot-00000000000000000015.snap"
        let store = SnapshotStore(directory: FileSystem.parent(of: fixture))
        let header = try store.readHeader(path: fixture).get()
        #expect(header.fileVersion == 1)
        #expect(header.sequence == 15)
        #expect(header.fingerprint == nil)
        let snapshot = try store.readPayload(header).get()
        #expect(try snapshot.chunks().readAll().count > 100)
        #expect(snapshot.fingerprint == nil)
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
