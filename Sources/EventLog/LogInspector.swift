/// What a full scan found in one segment file.
package struct SegmentSummary: Sendable {
    package var path: String
    /// The first sequence the file name gives.
    package var firstSequence: UInt64
    /// The last sequence of the last whole batch, nil when the segment holds none.
    package var lastSequence: UInt64?
    package var batches = 0
    package var events: UInt64 = 0
    /// Uncompressed record bytes.
    package var rawBytes: UInt64 = 0
    /// Compressed payload bytes.
    package var compressedBytes: UInt64 = 0
    /// The file's size.
    package var fileBytes = 0
    package var firstTimestamp: UInt64?
    package var lastTimestamp: UInt64?
    /// Where the whole batches end; the damage, if any, starts here.
    package var validEnd = 0
    /// The first problem in the segment.
    package var problem: LogError?
    /// Whether the problem is a torn or failing tail of the last segment that nothing valid follows.
    package var tornTail = false
    /// The sequences of the damaged batch, when its header was readable.
    package var damagedRange: ClosedRange<UInt64>?
    /// Whether the segment does not continue the sequence of the one before it.
    package var breaksContinuity = false
}

/// The result of checking every segment of a log.
package struct LogVerification: Sendable {
    package var directory: String
    package var segments: [SegmentSummary] = []
    /// Problems across segments (sequence gaps included), in file order.
    package var problems: [LogError] = []
    /// True when every checksum, the framing of every batch, and sequence density hold.
    package var isWhole: Bool { problems.isEmpty }
    package var lastSequence: UInt64 { segments.compactMap(\.lastSequence).max() ?? 0 }
}

/// Full scans for `conform log inspect` and `conform log verify`. Takes no lock.
package enum LogInspector {
    /// Checks every segment: header, header and payload checksums, decompression and record
    /// framing (when `decode`), and density of sequences within and across segments.
    package static func verify(directory: String, decode: Bool = true, io: any FileIO = SystemFileIO()) throws(LogError) -> LogVerification {
        try SegmentFiles.checkIsLog(directory, creating: false, io: io)
        let entries = try SegmentFiles.list(directory, io: io)
        var result = LogVerification(directory: directory)
        var expected: UInt64? = nil
        var arena = ByteArena(capacity: 1 << 16)
        for (index, entry) in entries.enumerated() {
            let isLast = index == entries.count - 1
            var summary = SegmentSummary(path: entry.path, firstSequence: entry.firstSequence)
            if let problem = SegmentFiles.continuityProblem(expected: expected, entry: entry) {
                summary.breaksContinuity = true
                result.problems.append(problem)
            }
            do {
                var scanner = try SegmentScanner(path: entry.path, io: io)
                summary.fileBytes = scanner.fileSize
                summary.validEnd = SegmentHeader.size
                try Recovery.checkName(scanner.firstSequence, entry)
                var next = entry.firstSequence
                scan: while true {
                    switch try scanner.next() {
                    case .end:
                        break scan
                    case .damage(let damage):
                        var why = damage.reason
                        var code = LogError.Code.corruptSegment
                        switch try scanner.judge(damage, isLastSegment: isLast) {
                        case .tornTail(let reason):
                            summary.tornTail = true
                            why = reason + "; this is a torn tail that opening the log for writing cuts off"
                        case .damaged(_, let follows?):
                            why += "; a valid batch follows at offset \(follows)"
                        case .damaged(_, nil):
                            break
                        case .newerVersion:
                            code = .unsupportedVersion
                        }
                        summary.damagedRange = damage.header.map { $0.firstSequence...$0.lastSequence }
                        summary.problem = LogError(
                            code: code, message: why, file: entry.path, offset: damage.offset,
                            sequence: damage.header?.firstSequence ?? next)
                        break scan
                    case .batch(let header, let offset, let payload):
                        if header.firstSequence != next {
                            summary.problem = LogError(
                                code: .corruptSegment,
                                message: "the batch starts at sequence \(header.firstSequence) where \(next) was due",
                                file: entry.path, offset: offset, sequence: next)
                            break scan
                        }
                        if decode, let why = BatchDecoder.decode(header, payload: payload, into: &arena) {
                            summary.damagedRange = header.firstSequence...header.lastSequence
                            summary.problem = LogError(code: .corruptSegment, message: why, file: entry.path, offset: offset, sequence: header.firstSequence)
                            break scan
                        }
                        next = header.lastSequence + 1
                        summary.lastSequence = header.lastSequence
                        summary.batches += 1
                        summary.events += UInt64(header.count)
                        summary.rawBytes += UInt64(header.uncompressedLength)
                        summary.compressedBytes += UInt64(header.compressedLength)
                        summary.firstTimestamp = min(summary.firstTimestamp ?? header.timestamp, header.timestamp)
                        summary.lastTimestamp = max(summary.lastTimestamp ?? header.timestamp, header.timestamp)
                        summary.validEnd = scanner.offset
                    }
                }
                expected = next
            } catch {
                summary.problem = error
                summary.validEnd = 0
                expected = nil
            }
            if let problem = summary.problem { result.problems.append(problem) }
            result.segments.append(summary)
        }
        return result
    }

    /// The last recoveries of the log in `directory`, oldest first (see `RecoveryJournal`).
    package static func recoveries(directory: String, io: any FileIO = SystemFileIO()) -> [RecoveryRecord] {
        RecoveryJournal.read(directory: directory, io: io)
    }
}
