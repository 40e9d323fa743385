/// A durable, segmented, LZ4-compressed and checksummed log of opaque events; the single writer
/// of its directory.
///
/// Appends get dense sequence numbers from 1. A dedicated writer thread groups everything enqueued
/// while a write is in flight into the next batch and the next `fdatasync` (group commit), and an
/// append returns only once its records meet the ``Durability`` policy. Readers see whole,
/// durable batches only.
///
/// ```swift
/// let log = try EventLog.open(directory: "data/events")
/// let range = try await log.append([EventRecord(type: 1, schemaVersion: 1, payload: bytes)])
/// try await log.close()
/// ```
public final class EventLog: Sendable {
    let core: LogCore
    /// The log directory.
    public let directory: String
    /// What recovery cut from a torn tail when the log was opened, or nil when the tail was whole.
    public let recovery: RecoveryReport?
    /// The snapshot files that go with this log.
    public let snapshots: SnapshotStore

    private init(core: LogCore, recovery: RecoveryReport?, snapshots: SnapshotStore) {
        self.core = core
        self.directory = core.directory
        self.recovery = recovery
        self.snapshots = snapshots
    }

    deinit { core.requestClose() }

    /// Opens (creating when missing) the log in `directory` for writing.
    ///
    /// Takes the directory's lock file, checks every segment header, scans the last segment and
    /// truncates a torn or checksum-failing tail back to the last whole batch (see ``recovery``).
    ///
    /// - Parameters:
    ///   - directory: The log directory; created with its parents when missing.
    ///   - options: Durability, segment size and clock.
    ///   - snapshotDirectory: Where ``snapshots`` lives; by default `snapshots/` beside `directory`.
    /// - Throws: ``LogError/Code/locked`` when another writer holds the directory,
    ///   ``LogError/Code/notALog``, ``LogError/Code/notASegment``, ``LogError/Code/unsupportedVersion``,
    ///   ``LogError/Code/corruptSegment`` for damage that is not a torn tail, ``LogError/Code/io``,
    ///   ``LogError/Code/diskFull``.
    public static func open(directory: String, options: LogOptions = .init(), snapshotDirectory: String? = nil) throws(LogError) -> EventLog {
        guard options.segmentSizeLimit >= 4096 else {
            throw LogError(code: .invalidArgument, message: "segmentSizeLimit \(options.segmentSizeLimit) is below 4096 bytes; pass a larger limit", file: directory)
        }
        if case .interval(let ms) = options.durability, ms <= 0 {
            throw LogError(code: .invalidArgument, message: "the interval durability needs a positive number of milliseconds, not \(ms)", file: directory)
        }
        let io = options.io
        try SegmentFiles.checkIsLog(directory, creating: true, io: io)
        try FileSystem.makeDirectories(directory, io: io)
        let lock = try LockFile(directory: directory, io: io)
        let tail = try Recovery.recover(directory: directory, io: io)
        let report = tail.report
        if let report {
            // A report, not a source of truth: a journal that cannot be written does not stop the log.
            try? RecoveryJournal.append(RecoveryRecord(time: options.clock(), source: .open, report: report), directory: directory, io: io)
        }
        let core = LogCore(directory: directory, options: options, nextSequence: tail.nextSequence)
        let writer = LogWriter(core: core, tail: tail, lock: lock)
        try writer.start()
        let snapshots = SnapshotStore(directory: snapshotDirectory ?? SnapshotStore.siblingDirectory(of: directory), io: io)
        return EventLog(core: core, recovery: report, snapshots: snapshots)
    }

    /// The last sequence handed out (0 when the log is empty).
    public var lastSequence: UInt64 { core.state.withLock { $0.nextSequence - 1 } }

    /// The last sequence that met the durability policy.
    public var durableSequence: UInt64 { core.state.withLock { $0.durable } }

    /// The last sequence covered by a completed `fdatasync`: what survives a power loss. Equal to
    /// ``durableSequence`` under ``Durability/everyBatch``; behind it under the other policies.
    public var syncedSequence: UInt64 { core.state.withLock { $0.synced } }

    /// The writer's counters: batches, events, syncs and bytes since open.
    public var statistics: LogStatistics { core.state.withLock { $0.statistics } }

    /// Hands out sequence numbers now, in call order, and queues the records for the next batch;
    /// returns at once. Everything enqueued while a write is in flight shares the next batch and sync.
    ///
    /// - Parameter records: One or more records, each payload at most 1 MiB.
    /// - Returns: The sequences given to `records`, in order.
    /// - Throws: ``LogError/Code/invalidArgument`` for an empty array or an oversized payload,
    ///   ``LogError/Code/closed`` after ``close()`` or after a failed write (until reopened or
    ///   resumed), ``LogError/Code/diskFull`` after a write failed for lack of space,
    ///   ``LogError/Code/overloaded`` when twice the in-flight limit (128 MiB) waits for the disk.
    /// - Complexity: O(total payload bytes), one copy under a short lock.
    public func enqueue(_ records: [EventRecord]) throws(LogError) -> ClosedRange<UInt64> {
        try core.enqueue(records).sequences
    }

    /// ``enqueue(_:)``, returning a ticket that ``waitDurable(_:)-(AppendTicket)`` answers exactly
    /// even across a ``resume()``: a writer that may see the log resume between its enqueue and
    /// its wait must use tickets, or it could take someone else's records for its own.
    public func submit(_ records: [EventRecord]) throws(LogError) -> AppendTicket {
        try core.enqueue(records)
    }

    /// Suspends until the records of `ticket` meet the durability policy, or their write failed.
    ///
    /// Cancelling the calling task does not end the wait: a writer whose records are enqueued must
    /// learn whether they were recorded, and the answer comes within one write and sync.
    ///
    /// - Throws: the write's error when its batch failed, also when the log has resumed since;
    ///   ``LogError/Code/closed`` when the log closes first.
    public func waitDurable(_ ticket: AppendTicket) async throws(LogError) {
        try await core.waitDurable(ticket.sequences.upperBound, epoch: ticket.epoch, cancellable: false)
    }

    /// Suspends until `sequence` meets the durability policy.
    ///
    /// - Throws: the write's error when its batch failed (never acknowledged),
    ///   ``LogError/Code/closed`` when the log closes first, ``LogError/Code/cancelled``.
    public func waitDurable(_ sequence: UInt64) async throws(LogError) {
        try await core.waitDurable(sequence)
    }

    /// Makes everything enqueued so far survive a power loss, whatever the policy: asks the
    /// writer for an `fdatasync` (unless one already covers it) and waits for it.
    ///
    /// - Returns: The synced sequence, at least the last sequence handed out before the call.
    /// - Throws: as ``waitDurable(_:)``.
    @discardableResult
    public func sync() async throws(LogError) -> UInt64 {
        // Read with its epoch: after a failure and a resume, `last` may not exist any more.
        let (last, epoch) = core.lastTicket
        if last > 0 { try await core.waitDurable(last, epoch: epoch, needsSync: true) }
        return max(last, syncedSequence)
    }

    /// Waits while more bytes of appends than the in-flight limit (64 MiB) wait for the disk.
    ///
    /// - Parameter timeout: How long to wait at most; nil waits as long as it takes.
    /// - Throws: ``LogError/Code/overloaded`` when the timeout passes first.
    public func waitForRoom(timeout: Duration?) async throws(LogError) {
        try await core.waitForRoom(timeout: timeout)
    }

    /// Appends `records` and returns their sequences once they meet the durability policy.
    ///
    /// While more than 64 MiB wait for the writer, first waits for it to catch up (back-pressure).
    /// - Throws: as ``enqueue(_:)`` and ``waitDurable(_:)``.
    public func append(_ records: [EventRecord]) async throws(LogError) -> ClosedRange<UInt64> {
        try await core.waitForRoom(timeout: nil)
        let ticket = try core.enqueue(records)
        try await core.waitDurable(ticket.sequences.upperBound, epoch: ticket.epoch)
        return ticket.sequences
    }

    /// Whether the log refuses appends after a failed write that it rolled back cleanly: the disk
    /// holds exactly the sequences up to ``durableSequence``, and ``resume()`` takes appends again.
    public var canResume: Bool { core.state.withLock { $0.failure != nil && $0.failureRolledBack } }

    /// The error that stopped the writer, if one did.
    public var failure: LogError? { core.state.withLock { $0.failure } }

    /// Takes appends again after a failed write that the writer rolled back (see ``canResume``);
    /// the next sequence is the one after ``durableSequence``. Does nothing when the log is healthy.
    ///
    /// - Throws: ``LogError/Code/closed`` when the outcome of the failed write is unknown (only a
    ///   reopen, which keeps what is whole on disk, recovers) or the log is closing.
    public func resume() throws(LogError) {
        try core.resume()
    }

    /// The fingerprint of the log at `sequence`: where the batch holding it is and its checksum.
    /// A snapshot keeps it to prove later that it was taken from this very log.
    ///
    /// - Parameter sequence: A synced sequence (1 or later).
    /// - Throws: ``LogError/Code/invalidArgument`` when `sequence` is not synced yet;
    ///   ``LogError/Code/corruptSegment`` and ``LogError/Code/io`` from reading.
    public func fingerprint(of sequence: UInt64) throws(LogError) -> LogFingerprint {
        let synced = syncedSequence
        guard sequence >= 1, sequence <= synced else {
            throw LogError(
                code: .invalidArgument, message: "sequence \(sequence) is not synced yet (the log is synced through \(synced)); call sync() first",
                file: directory, sequence: sequence)
        }
        return try LogFingerprint.read(directory: directory, sequence: sequence, io: core.io)
    }

    /// A reader over the durable events `from...through`.
    ///
    /// - Parameters:
    ///   - from: The first sequence (1 or later).
    ///   - through: The last sequence; nil means the durable watermark now.
    /// - Throws: ``LogError/Code/invalidArgument`` for a reversed range; reading throws
    ///   ``LogError/Code/corruptSegment`` for damage.
    public func read(from: UInt64 = 1, through: UInt64? = nil) throws(LogError) -> LogReader {
        let durable = durableSequence
        return try LogReader(directory: directory, from: from, limit: min(through ?? durable, durable), mustReach: durable, io: core.io)
    }

    /// Every event from `from` on, following the tail as batches become durable.
    ///
    /// The stream is pulled: the log reads ahead only as the consumer asks. It finishes when the
    /// log closes and throws on damage or a failed write. Cancel the consuming task to stop.
    public func follow(from: UInt64) -> AsyncThrowingStream<LoggedEvent, any Error> {
        let follower = LogFollower(core: core, from: max(from, 1))
        return AsyncThrowingStream(unfolding: { try await follower.next() })
    }

    /// Drains the pending records, syncs, stops the writer thread and releases the lock.
    ///
    /// Safe to call more than once.
    /// - Throws: the error that stopped the writer, when a write failed.
    public func close() async throws(LogError) {
        let finished = core.state.withLock { $0.finished }
        if !finished {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                let done: Bool = core.state.withLock { s in
                    s.closing = true
                    if s.finished { return true }
                    s.closeWaiters.append(continuation)
                    return false
                }
                if done { continuation.resume() } else { core.wake.post() }
            }
        }
        if let failure = core.state.withLock({ $0.failure }) { throw failure }
    }
}

/// What ``EventLog/submit(_:)`` gives: the sequences of the records and the epoch of the log
/// they were handed out in.
public struct AppendTicket: Sendable, Hashable {
    /// The sequences given to the records, in order.
    public let sequences: ClosedRange<UInt64>
    /// How many times the log had resumed after a failure when the records were enqueued.
    public let epoch: UInt64
}

/// The state of one ``EventLog/follow(from:)`` stream; its calls are serial (one iterator).
final class LogFollower: @unchecked Sendable {
    // Safe to send: AsyncThrowingStream(unfolding:) calls `next()` one at a time.
    let core: LogCore
    var nextSequence: UInt64
    var reader: LogReader?
    /// The log's epoch when `reader` was opened: after a resume, bytes it read ahead past the
    /// durable mark may have been cut and replaced, so it is opened afresh.
    var readerEpoch: UInt64 = 0

    init(core: LogCore, from: UInt64) {
        self.core = core
        self.nextSequence = from
    }

    func next() async throws -> LoggedEvent? {
        // Bounded: each pass either returns an event or waits for the watermark to move.
        while true {
            let (durable, epoch) = core.state.withLock { ($0.durable, $0.epoch) }
            if epoch != readerEpoch {
                reader = nil
                readerEpoch = epoch
            }
            if nextSequence <= durable {
                if reader == nil {
                    reader = try LogReader(directory: core.directory, from: nextSequence, limit: durable, mustReach: durable, io: core.io)
                }
                guard let reader else { return nil }
                reader.limit = durable
                reader.mustReach = durable
                if let event = try reader.next() {
                    nextSequence = event.sequence + 1
                    return event
                }
                // The reader throws for a log that ends below the durable mark; never spin on it.
                throw LogError(
                    code: .corruptSegment, message: "the log ends before sequence \(nextSequence), which is durable",
                    file: core.directory, sequence: nextSequence)
            }
            let waited: Result<Void, LogError>
            do {
                try await core.waitDurable(nextSequence)
                waited = .success(())
            } catch {
                waited = .failure(error)
            }
            if case .failure(let error) = waited {
                if error.code == .closed || error.code == .cancelled { return nil }
                throw error
            }
        }
    }
}
