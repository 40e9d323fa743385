/// Reads events in sequence order from a log directory, one batch at a time.
///
/// A reader sees only whole batches: it stops at the durable watermark when it belongs to an open
/// ``EventLog``, and at the last whole batch of the last segment when opened read-only beside a
/// writer. Damage inside the log (a sealed segment, or followed by valid batches), and any end of
/// the log below a durable watermark it was given, is thrown as ``LogError/Code/corruptSegment``
/// naming file, offset and sequence; it is never skipped and never taken for the end.
public final class LogReader {
    let directory: String
    /// The first sequence to return.
    let from: UInt64
    /// The last sequence to return; nil reads to the end of what is on disk.
    var limit: UInt64?
    /// A sequence known to be durable: the log must reach it, so an end or damage below it is
    /// an error, not the end of the log.
    var mustReach: UInt64
    let io: any FileIO
    private var segments: [SegmentFiles.Entry] = []
    private var segmentIndex = 0
    private var scanner: SegmentScanner?
    /// The first sequence the next batch must have; nil before the first batch.
    private var expected: UInt64?
    private var decoded = ByteArena(capacity: 1 << 16)
    private var position = 0
    private var batchSequence: UInt64 = 0
    private var batchTimestamp: UInt64 = 0
    /// The damaged batch already read twice, so the next sighting is judged, not retried.
    private var retry: (segment: Int, offset: Int)?
    /// Set by ``nextBatch()``: batches are checked but their payloads not decompressed.
    private var headersOnly = false
    /// The last sequence of the batch loaded last.
    private var batchLast: UInt64 = 0

    init(directory: String, from: UInt64, limit: UInt64?, mustReach: UInt64 = 0, io: any FileIO) throws(LogError) {
        guard from >= 1 else {
            throw LogError(code: .invalidArgument, message: "sequences start at 1; read from 1 or later", sequence: from)
        }
        if let limit, limit < from, limit != from - 1 {
            throw LogError(
                code: .invalidArgument, message: "the range \(from)...\(limit) is empty and reversed; pass through >= from",
                sequence: limit)
        }
        self.directory = directory
        self.from = from
        self.limit = limit
        self.mustReach = mustReach
        self.io = io
        try SegmentFiles.checkIsLog(directory, creating: false, io: io)
        self.segments = try SegmentFiles.list(directory, io: io)
        // Start in the last segment whose first sequence is at or before `from`.
        segmentIndex = max(0, (segments.lastIndex { $0.firstSequence <= from }) ?? 0)
    }

    /// The next event, or nil at the end of the range or of the durable log.
    ///
    /// - Throws: ``LogError/Code/corruptSegment`` for damage inside the log,
    ///   ``LogError/Code/notASegment``, ``LogError/Code/unsupportedVersion``, ``LogError/Code/io``.
    public func next() throws(LogError) -> LoggedEvent? {
        while true {
            if position < decoded.count {
                guard let (record, size) = BatchDecoder.record(in: decoded.bytes, at: position) else {
                    // Framing was checked when the batch was decoded; this cannot happen.
                    throw corrupt("a record runs past the end of its batch", offset: nil, sequence: batchSequence)
                }
                let sequence = batchSequence
                if let limit, sequence > limit { return nil }
                position += size
                batchSequence += 1
                if sequence < from { continue }
                let payload = [UInt8](UnsafeRawBufferPointer(rebasing: decoded.bytes[record.payload]))
                return LoggedEvent(
                    sequence: sequence, batchTimestamp: batchTimestamp,
                    record: EventRecord(type: record.type, schemaVersion: record.version, payload: payload))
            }
            guard try loadNextBatch() else { return nil }
        }
    }

    /// Calls `body` with every remaining event's fields without copying payloads; stops when it returns false.
    ///
    /// The payload pointer is valid only during the call. This is the fast path for replay.
    public func forEach(
        _ body: (_ sequence: UInt64, _ type: UInt16, _ schemaVersion: UInt8, _ payload: UnsafeRawBufferPointer) throws(LogError) -> Bool
    ) throws(LogError) {
        while true {
            if position < decoded.count {
                guard let (record, size) = BatchDecoder.record(in: decoded.bytes, at: position) else {
                    throw corrupt("a record runs past the end of its batch", offset: nil, sequence: batchSequence)
                }
                let sequence = batchSequence
                if let limit, sequence > limit { return }
                position += size
                batchSequence += 1
                if sequence < from { continue }
                let payload = UnsafeRawBufferPointer(rebasing: decoded.bytes[record.payload])
                guard try body(sequence, record.type, record.version, payload) else { return }
                continue
            }
            guard try loadNextBatch() else { return }
        }
    }

    /// The next whole batch's sequences and time, without decompressing its events (its checksums
    /// are still checked): what finding the point a time stands for needs. Do not mix with
    /// ``next()`` on the same reader.
    ///
    /// - Returns: The batch's first and last sequence (the last capped at the reader's `through`)
    ///   and its timestamp (epoch ms), or nil at the end.
    /// - Throws: As ``next()``.
    package func nextBatch() throws(LogError) -> (first: UInt64, last: UInt64, timestamp: UInt64)? {
        headersOnly = true
        guard try loadNextBatch() else { return nil }
        return (batchSequence, min(batchLast, limit ?? .max), batchTimestamp)
    }

    private func corrupt(_ why: String, offset: Int?, sequence: UInt64?, file: String? = nil) -> LogError {
        LogError(
            code: .corruptSegment,
            message: "the log is damaged: \(why); run `conform log verify` for a full report and `conform log repair --yes` to cut the log back to its last whole batch",
            file: file ?? scanner?.path, offset: offset, sequence: sequence)
    }

    /// Moves to the next batch that holds sequences the reader still wants; false at the end.
    private func loadNextBatch() throws(LogError) -> Bool {
        position = 0
        decoded.count = 0
        // Bounded: each pass consumes a batch, moves to another segment, or returns.
        while true {
            if let limit, let expected, expected > limit { return false }
            if scanner == nil {
                guard try openSegment() else { return false }
            }
            guard var current = scanner.take() else { return false }
            let step: ScanStep
            do { step = try current.next() } catch {
                scanner = consume current
                throw error
            }
            switch step {
            case .end:
                // Relist before looking at the size again: once a newer segment exists, this one
                // is sealed and whole, so the size read after the relist is final.
                let last = try isLastSegment()
                try current.refreshSize()
                if current.offset < current.fileSize {
                    scanner = consume current
                    continue
                }
                if last {
                    let due = expected ?? current.firstSequence
                    let path = current.path
                    let end = current.offset
                    scanner = consume current
                    if due <= mustReach {
                        throw corrupt(
                            "the log ends before sequence \(due), but sequences through \(mustReach) are durable",
                            offset: end, sequence: due, file: path)
                    }
                    return false
                }
                segmentIndex += 1
                continue
            case .damage(let damage):
                let path = current.path
                let last = try isLastSegment()
                try current.refreshSize()
                // A batch being written can look torn or fail its checksum; read it once more
                // after the relist and the fresh size before judging it.
                if retry?.segment != segmentIndex || retry?.offset != damage.offset {
                    retry = (segmentIndex, damage.offset)
                    current.offset = damage.offset
                    scanner = consume current
                    continue
                }
                let verdict: DamageVerdict
                do { verdict = try current.judge(damage, isLastSegment: last) } catch {
                    scanner = consume current
                    throw error
                }
                current.offset = damage.offset
                scanner = consume current
                let due = damage.header?.firstSequence ?? expected ?? segments[segmentIndex].firstSequence
                switch verdict {
                case .tornTail(let reason):
                    if due <= mustReach {
                        throw corrupt(
                            "\(reason), below sequence \(mustReach), which is durable",
                            offset: damage.offset, sequence: due, file: path)
                    }
                    // A batch still being written, or a torn tail the writer will cut on open.
                    retry = nil
                    return false
                case .newerVersion(let version):
                    throw LogError(
                        code: .unsupportedVersion,
                        message: "batch format version \(version) is newer than this build reads; upgrade conform",
                        file: path, offset: damage.offset, sequence: expected)
                case .damaged(let reason, let follows):
                    var why = reason
                    if let follows { why += " (a valid batch follows at offset \(follows))" }
                    throw corrupt(why, offset: damage.offset, sequence: due, file: path)
                }
            case .batch(let header, let offset, let payload):
                let path = current.path
                if let expected, header.firstSequence != expected {
                    scanner = consume current
                    throw corrupt(
                        "the batch starts at sequence \(header.firstSequence) where \(expected) was due",
                        offset: offset, sequence: expected, file: path)
                }
                expected = header.lastSequence + 1
                if header.lastSequence < from {
                    scanner = consume current
                    continue
                }
                if headersOnly {
                    scanner = consume current
                    batchSequence = header.firstSequence
                    batchLast = header.lastSequence
                    batchTimestamp = header.timestamp
                    return true
                }
                if let problem = BatchDecoder.decode(header, payload: payload, into: &decoded) {
                    scanner = consume current
                    decoded.count = 0
                    throw corrupt(problem, offset: offset, sequence: header.firstSequence, file: path)
                }
                scanner = consume current
                batchSequence = header.firstSequence
                batchTimestamp = header.timestamp
                return true
            }
        }
    }

    /// Opens the segment at `segmentIndex`, checking it continues the sequence; false when there is none.
    private func openSegment() throws(LogError) -> Bool {
        if segmentIndex >= segments.count {
            try relist()
            if segmentIndex >= segments.count { return false }
        }
        let entry = segments[segmentIndex]
        let opened = try SegmentScanner(path: entry.path, io: io)
        guard opened.firstSequence == entry.firstSequence else {
            throw corrupt(
                "the segment header names sequence \(opened.firstSequence) but the file name says \(entry.firstSequence)",
                offset: 8, sequence: entry.firstSequence, file: entry.path)
        }
        if let problem = SegmentFiles.continuityProblem(expected: expected, entry: entry) {
            throw corrupt(problem.message, offset: problem.offset, sequence: problem.sequence, file: entry.path)
        }
        if expected == nil {
            expected = entry.firstSequence
            if entry.firstSequence > from {
                throw corrupt(
                    "the log starts at sequence \(entry.firstSequence), so \(from)...\(entry.firstSequence - 1) are missing",
                    offset: SegmentHeader.size, sequence: from, file: entry.path)
            }
        }
        scanner = consume opened
        return true
    }

    /// Whether the current segment is the newest (a writer may have rolled since we listed).
    private func isLastSegment() throws(LogError) -> Bool {
        if segmentIndex + 1 < segments.count { return false }
        try relist()
        return segmentIndex + 1 >= segments.count
    }

    private func relist() throws(LogError) {
        let known = segments.last?.firstSequence ?? 0
        let fresh = try SegmentFiles.list(directory, io: io).filter { $0.firstSequence > known || segments.isEmpty }
        segments.append(contentsOf: fresh)
    }
}

/// Read-only access to a log directory, beside a writer or without one; takes no lock.
public enum LogDirectory {
    /// Opens a reader over `directory` without taking the writer's lock.
    ///
    /// - Parameters:
    ///   - directory: The log directory (the one holding `.seg` files).
    ///   - from: The first sequence to return (1 or later).
    ///   - through: The last sequence to return; nil reads to the last whole batch on disk.
    /// - Throws: ``LogError/Code/notALog`` when the directory is missing or holds no log,
    ///   ``LogError/Code/invalidArgument`` for a bad range.
    public static func openReader(directory: String, from: UInt64 = 1, through: UInt64? = nil) throws(LogError) -> LogReader {
        try LogReader(directory: directory, from: from, limit: through, io: SystemFileIO())
    }

    /// ``openReader(directory:from:through:)`` over `io`.
    package static func openReader(directory: String, from: UInt64 = 1, through: UInt64? = nil, io: any FileIO) throws(LogError) -> LogReader {
        try LogReader(directory: directory, from: from, limit: through, io: io)
    }
}

extension LogDirectory {
    /// Creates `path` and its missing parents, each synced into its parent (the engine's data directory).
    package static func createDirectories(_ path: String, io: any FileIO) throws(LogError) {
        try FileSystem.makeDirectories(path, io: io)
    }

    /// The bytes still free for a writer on the file system holding `path`.
    package static func availableBytes(_ path: String, io: any FileIO) throws(LogError) -> UInt64 {
        do { return try io.availableBytes(path) } catch { throw LogError.system(error, "statvfs", file: path) }
    }
}
