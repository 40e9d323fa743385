#if canImport(Glibc)
import Glibc
#endif

/// Where the writer resumes after recovery.
struct RecoveredTail: ~Copyable {
    var file: FileDescriptor
    var segmentSize: Int
    var nextSequence: UInt64
    var report: RecoveryReport?
}

/// Opening a log for writing: check the segments, scan the last one, cut a torn tail.
enum Recovery {
    /// Recovers `directory` (already locked) and opens its last segment for appending.
    ///
    /// - Throws: ``LogError/Code/notASegment``, ``LogError/Code/unsupportedVersion``,
    ///   ``LogError/Code/corruptSegment`` when damage is followed by valid batches or a valid batch
    ///   is out of sequence, ``LogError/Code/io``.
    static func recover(directory: String) throws(LogError) -> RecoveredTail {
        let segments = try SegmentFiles.list(directory)
        guard let last = segments.last else {
            let file = try createSegment(directory: directory, firstSequence: 1)
            return RecoveredTail(file: file, segmentSize: SegmentHeader.size, nextSequence: 1, report: nil)
        }
        // Sealed segments: header and name only; their batches are checked by readers and `verify`.
        for entry in segments.dropLast() {
            let scanner = try SegmentScanner(path: entry.path)
            try checkName(scanner.firstSequence, entry)
        }
        let writable = try FileDescriptor(path: last.path, flags: O_RDWR)
        let size = try writable.size()
        if size < SegmentHeader.size {
            // A crash while the segment was being created: write its header again.
            let header = SegmentHeader.encode(firstSequence: last.firstSequence)
            try writable.truncate(to: 0)
            try header.withBytes { (raw) throws(LogError) in try writable.write(raw, at: 0) }
            try writable.syncData()
            let report = RecoveryReport(
                file: last.path, offset: 0, bytesCut: size, lostSequences: nil,
                reason: "the segment header was cut short by a crash; it was written again")
            return RecoveredTail(file: writable, segmentSize: SegmentHeader.size, nextSequence: last.firstSequence, report: report)
        }
        var scanner = try SegmentScanner(path: last.path)
        try checkName(scanner.firstSequence, last)
        var expected = last.firstSequence
        // Bounded by the file size: each step consumes one batch or ends the loop.
        while true {
            switch try scanner.next() {
            case .end:
                return RecoveredTail(file: writable, segmentSize: scanner.offset, nextSequence: expected, report: nil)
            case .batch(let header, let offset, _):
                guard header.firstSequence == expected else {
                    throw LogError(
                        code: .corruptSegment,
                        message: "a whole batch starts at sequence \(header.firstSequence) where \(expected) was due; the log is inconsistent, run `conform log verify`",
                        file: last.path, offset: offset, sequence: expected)
                }
                expected = header.lastSequence + 1
            case .damage(let damage):
                if let version = damage.newerVersion {
                    throw LogError(
                        code: .unsupportedVersion,
                        message: "batch format version \(version) is newer than this build writes; upgrade conform before appending",
                        file: last.path, offset: damage.offset, sequence: expected)
                }
                if let follows = try scanner.validBatchOffset(after: damage.offset) {
                    throw LogError(
                        code: .corruptSegment,
                        message: "the batch is damaged (\(damage.reason)) but a valid batch follows at offset \(follows), so this is not a torn tail; run `conform log repair --yes` to cut the log here (the cut part is kept aside)",
                        file: last.path, offset: damage.offset, sequence: damage.header?.firstSequence ?? expected)
                }
                try writable.truncate(to: damage.offset)
                try writable.syncData()
                let report = RecoveryReport(
                    file: last.path, offset: damage.offset, bytesCut: scanner.fileSize - damage.offset,
                    lostSequences: damage.header.map { $0.firstSequence...$0.lastSequence },
                    reason: damage.reason)
                return RecoveredTail(file: writable, segmentSize: damage.offset, nextSequence: expected, report: report)
            }
        }
    }

    static func checkName(_ headerFirst: UInt64, _ entry: SegmentFiles.Entry) throws(LogError) {
        guard headerFirst == entry.firstSequence else {
            throw LogError(
                code: .corruptSegment,
                message: "the segment header names sequence \(headerFirst) but the file name says \(entry.firstSequence); rename or move the file",
                file: entry.path, offset: 8, sequence: entry.firstSequence)
        }
    }

    /// Creates a new segment holding only its header, durably (file and directory synced).
    static func createSegment(directory: String, firstSequence: UInt64) throws(LogError) -> FileDescriptor {
        let path = FileSystem.join(directory, SegmentFiles.name(firstSequence: firstSequence))
        let file = try FileDescriptor(path: path, flags: O_RDWR | O_CREAT | O_EXCL)
        let header = SegmentHeader.encode(firstSequence: firstSequence)
        try header.withBytes { (raw) throws(LogError) in try file.write(raw, at: 0) }
        try file.syncData()
        try FileSystem.syncDirectory(directory)
        return file
    }
}
