#if canImport(Glibc)
import Glibc
#endif

/// The dedicated writer thread: takes the pending records, splits them into batches of at most
/// 4 MiB, compresses and checksums each, writes, syncs per the policy, publishes the watermark.
///
/// Runs on its own pthread so `fdatasync` never blocks the cooperative pool. When a write or a
/// sync fails, it cuts the log back to the end of the last acknowledged batch and syncs that
/// before anyone is answered (``rollBack(after:)``), so a refused append never comes back.
final class LogWriter: @unchecked Sendable {
    // Safe to send: after `start()` only the writer thread touches the mutable state.
    let core: LogCore
    /// The capacity buffers start with and shrink back to after a burst.
    static let bufferBaseline = 1 << 20
    /// Consecutive small groups after which grown buffers are released.
    static let shrinkAfterGroups = 8

    var segment: FileDescriptor?
    /// The first sequence of the segment `segment` is.
    var segmentFirst: UInt64
    var segmentSize: Int
    private var lock: LockFile?
    private var spare = ByteArena(capacity: LogWriter.bufferBaseline)
    private var out = ByteArena(capacity: LogWriter.bufferBaseline)
    private var smallGroups = 0
    private var lastSync = monotonicMilliseconds()
    var unsynced = false
    /// Whether the failure being handled came from an `fdatasync`.
    private var syncFailed = false
    /// The last sequence written to the segment.
    var written: UInt64
    /// Where the last acknowledged batch ends: what a failed write is cut back to.
    var acknowledgedEnd: (segmentFirst: UInt64, offset: Int)
    /// Group-commit linger: after a sync resumed many appenders, how many appends the next batch
    /// should wait for, and for at most how long (a quarter of the last sync, at most 2 ms).
    private var lingerTarget = 0
    private var lingerNanos: UInt64 = 0

    init(core: LogCore, tail: consuming RecoveredTail, lock: consuming LockFile) {
        self.core = core
        self.segmentSize = tail.segmentSize
        self.segmentFirst = tail.segmentFirst
        self.written = tail.nextSequence - 1
        self.acknowledgedEnd = (tail.segmentFirst, tail.segmentSize)
        self.segment = consume tail.file
        self.lock = consume lock
    }

    var io: any FileIO { core.io }

    /// Starts the thread; it keeps the writer alive until it finishes.
    func start() throws(LogError) {
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { context in
            guard let context else { return nil }
            let writer = Unmanaged<LogWriter>.fromOpaque(context).takeRetainedValue()
            writer.run()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<LogWriter>.fromOpaque(context).release()
            throw LogError.system(SystemCallError(rawValue: result), "starting the writer thread", file: core.directory)
        }
        pthread_detach(thread)
    }

    private enum Work { case batch(first: UInt64, count: UInt64), sync, idle, failed, shutdown }

    private func run() {
        while true {
            linger()
            let work: Work = core.state.withLock { s in
                s.writerIdle = false
                if s.pendingCount > 0, s.failure == nil {
                    s.pendingAppends = 0
                    swap(&s.pending, &spare)
                    let work = Work.batch(first: s.pendingFirst, count: s.pendingCount)
                    s.pendingCount = 0
                    s.pendingFirst = s.nextSequence
                    return work
                }
                if s.syncRequested, s.failure == nil {
                    s.syncRequested = false
                    return .sync
                }
                if s.closing { return .shutdown }
                s.writerIdle = true
                // Idle after a burst: give back what the buffers grew to (nothing is pending).
                if shrinkWhenIdle(&s) { smallGroups = 0 }
                // After a failure nothing is written or synced until the log resumes or closes.
                return s.failure == nil ? .idle : .failed
            }
            switch work {
            case .idle:
                if case .interval(let ms) = core.options.durability, unsynced {
                    // Clamped: `interval=MS` comes from the command line, and Int.max must not trap.
                    let due = Int(clamping: lastSync &+ UInt64(max(ms, 1))) - Int(clamping: monotonicMilliseconds())
                    if due > 0 { core.wake.wait(milliseconds: due) }
                    syncIfDue(force: false)
                } else {
                    core.wake.wait()
                }
            case .failed:
                core.wake.wait()
            case .sync:
                syncIfDue(force: true)
            case .batch(let first, let count):
                writeGroup(first: first, count: count)
            case .shutdown:
                shutdown()
                return
            }
        }
    }

    /// Writes one group: its batches, the policy's sync, then the watermark.
    private func writeGroup(first: UInt64, count: UInt64) {
        let groupBytes = spare.count
        do {
            let stats = try writeBatches(first: first, count: count)
            var syncs: UInt64 = 0
            switch core.options.durability {
            case .everyBatch:
                let before = monotonicNanoseconds()
                try syncSegment()
                let took = monotonicNanoseconds() &- before
                syncs = 1
                lastSync = monotonicMilliseconds()
                lingerNanos = min(took / 4, 2_000_000)
            case .interval, .none:
                unsynced = true
            }
            acknowledgedEnd = (segmentFirst, segmentSize)
            let progress = LogCore.Progress(
                batches: stats.batches, events: count, rawBytes: stats.raw, storedBytes: stats.stored, syncs: syncs,
                released: groupBytes, writerBuffers: spare.capacity + out.capacity)
            let published = core.publish(durable: written, synced: syncs > 0 ? written : nil, progress: progress)
            // The appenders just resumed will append again; when there are many, let the
            // next batch wait briefly for them instead of splitting them over two syncs.
            lingerTarget = syncs > 0 && published.resumed >= 8 ? published.resumed + published.pendingAppends : 0
            if case .interval = core.options.durability { syncIfDue(force: false) }
            shrinkBuffers(afterGroupOf: groupBytes)
        } catch {
            fail(error, sequences: first...(first + count - 1))
        }
        spare.count = 0
    }

    /// Releases buffers that grew in a burst once several small groups in a row show it is over.
    /// The pending buffer and `spare` trade places every group, so shrinking `spare` shrinks both.
    private func shrinkBuffers(afterGroupOf bytes: Int) {
        guard bytes <= Self.bufferBaseline else {
            smallGroups = 0
            return
        }
        smallGroups += 1
        guard smallGroups >= Self.shrinkAfterGroups else { return }
        if spare.capacity > 2 * Self.bufferBaseline { spare = ByteArena(capacity: Self.bufferBaseline) }
        if out.capacity > 2 * Self.bufferBaseline { out = ByteArena(capacity: Self.bufferBaseline) }
    }

    /// Shrinks every buffer that a burst grew, when the writer goes idle with nothing pending.
    /// Called under the lock; returns whether anything shrank.
    private func shrinkWhenIdle(_ s: inout CoreState) -> Bool {
        let limit = 2 * Self.bufferBaseline
        guard s.pendingCount == 0,
              s.pending.capacity > limit || spare.capacity > limit || out.capacity > limit
        else { return false }
        if s.pending.capacity > limit { s.pending = ByteArena(capacity: Self.bufferBaseline) }
        if spare.capacity > limit { spare = ByteArena(capacity: Self.bufferBaseline) }
        if out.capacity > limit { out = ByteArena(capacity: Self.bufferBaseline) }
        s.statistics.bufferBytes = s.pending.capacity + spare.capacity + out.capacity
        return true
    }

    /// Waits (bounded by `lingerNanos`) until `lingerTarget` appends are pending.
    private func linger() {
        guard lingerTarget > 0 else { return }
        let target = lingerTarget
        lingerTarget = 0
        let deadline = monotonicNanoseconds() &+ lingerNanos
        // Bounded by the deadline: at most 2 ms of 20 µs naps.
        while monotonicNanoseconds() < deadline {
            let (appends, closing) = core.state.withLock { ($0.pendingAppends, $0.closing) }
            if appends >= target || closing { return }
            usleep(20)
        }
    }

    /// Syncs what was written when the interval is due (or `force`), then publishes it as synced.
    private func syncIfDue(force: Bool) {
        guard unsynced else {
            core.publish(durable: written, synced: written, progress: .init(writerBuffers: spare.capacity + out.capacity))
            return
        }
        if !force, case .interval(let ms) = core.options.durability,
           monotonicMilliseconds() < lastSync + UInt64(max(ms, 1)) { return }
        do {
            try syncSegment()
            unsynced = false
            lastSync = monotonicMilliseconds()
            core.publish(durable: written, synced: written, progress: .init(syncs: 1, writerBuffers: spare.capacity + out.capacity))
        } catch {
            fail(error, sequences: nil)
        }
    }

    /// `fdatasync`s the current segment, remembering a failure for ``fail(_:sequences:)``.
    private func syncSegment() throws(LogError) {
        do { try segment?.syncData() } catch {
            syncFailed = true
            throw error
        }
    }

    /// Cuts the failed group off the log, then fails every waiter with an error that says whether
    /// the cut succeeded (the records are certainly not in the log) or not (the outcome is unknown).
    ///
    /// A failed sync of records that were acknowledged before being synced (`interval`, `none`)
    /// cannot be undone: the kernel may have dropped their pages and report success on a retry, so
    /// the outcome is unknown and the log does not resume.
    private func fail(_ error: LogError, sequences: ClosedRange<UInt64>?) {
        let (durable, synced) = core.state.withLock { ($0.durable, $0.synced) }
        defer { syncFailed = false }
        var answer = error
        if syncFailed, durable > synced {
            answer.message += "; sequences \(synced + 1)...\(durable) were acknowledged before this sync, so whether they reached the disk is unknown: reopen the log, which keeps exactly what is whole on disk"
            core.fail(answer, rolledBack: false)
            return
        }
        let what = sequences.map { "sequences \($0.lowerBound)...\($0.upperBound)" } ?? "the unsynced records"
        do {
            try rollBack(toDurable: durable)
            answer.message += "; \(what) were not written (the log was cut back to sequence \(durable) and synced)"
            core.fail(answer, rolledBack: true)
        } catch let cut {
            answer.message += "; cutting \(what) back off the log failed too (\(cut.message)), so whether they reached the disk is unknown: reopen the log, which keeps exactly what is whole on disk"
            core.fail(answer, rolledBack: false)
        }
    }

    private func shutdown() {
        if core.state.withLock({ $0.failure == nil }) { syncIfDue(force: true) }
        if let file = segment.take() {
            do { try file.close() } catch { core.fail(error, rolledBack: false) }
        }
        lock.take()?.release()
        core.finish()
    }

    /// Splits `spare` into batches at record boundaries and writes each.
    private func writeBatches(first: UInt64, count: UInt64) throws(LogError) -> (batches: UInt64, raw: UInt64, stored: UInt64) {
        let records = spare.bytes
        var position = 0
        var sequence = first
        var totals: (batches: UInt64, raw: UInt64, stored: UInt64) = (0, 0, 0)
        while position < records.count {
            var end = position
            var n: UInt32 = 0
            while end < records.count {
                guard let (_, size) = BatchDecoder.record(in: records, at: end) else {
                    throw internalError("the pending buffer's record at byte \(end) is cut short", sequence: sequence + UInt64(n))
                }
                if n > 0, end - position + size > BatchHeader.maxUncompressed { break }
                end += size
                n += 1
            }
            let chunk = UnsafeRawBufferPointer(rebasing: records[position..<end])
            let stored = try writeBatch(chunk, first: sequence, count: n)
            totals.batches += 1
            totals.raw += UInt64(chunk.count)
            totals.stored += UInt64(stored)
            sequence += UInt64(n)
            position = end
        }
        guard sequence == first + count else {
            throw internalError("the pending buffer held \(sequence - first) records where \(count) were enqueued", sequence: first)
        }
        return totals
    }

    private func internalError(_ why: String, sequence: UInt64) -> LogError {
        LogError(code: .io, message: "internal error in the log writer: \(why)", file: core.directory, sequence: sequence)
    }

    /// Compresses, checksums and writes one batch; returns the bytes written.
    private func writeBatch(_ records: UnsafeRawBufferPointer, first: UInt64, count: UInt32) throws(LogError) -> Int {
        let bound = LZ4Codec.compressBound(records.count)
        out.ensureCapacity(BatchHeader.size + bound)
        let payload = UnsafeMutableRawBufferPointer(start: out.base + BatchHeader.size, count: bound)
        guard let compressed = LZ4Codec.compress(records, into: payload) else {
            throw internalError("LZ4 could not compress \(records.count) bytes", sequence: first)
        }
        let header = BatchHeader(
            firstSequence: first, count: count, uncompressedLength: UInt32(records.count),
            compressedLength: UInt32(compressed), timestamp: core.options.clock(),
            payloadHash: LZ4Codec.hash(UnsafeRawBufferPointer(start: payload.baseAddress, count: compressed)))
        // Invariants just before the write: the header is self-consistent and the sequence is dense.
        if let problem = header.invariantViolation {
            throw internalError("the batch header breaks an invariant: \(problem)", sequence: first)
        }
        guard first == written + 1 else {
            throw internalError("batch sequence \(first) does not follow \(written)", sequence: first)
        }
        header.encode(to: out.base)
        let stored = header.storedSize
        if segmentSize > SegmentHeader.size, segmentSize + stored > core.options.segmentSizeLimit {
            try roll(firstSequence: first)
        }
        if let fault = core.options.writeFault?(first) { throw fault }
        let bytes = UnsafeRawBufferPointer(start: out.base, count: stored)
        guard (try segment?.write(bytes, at: segmentSize)) != nil else {
            throw internalError("no open segment", sequence: first)
        }
        segmentSize += stored
        written = header.lastSequence
        return stored
    }

    /// Seals the current segment (synced, never changed again) and starts a new one.
    private func roll(firstSequence: UInt64) throws(LogError) {
        try syncSegment()
        if let old = segment.take() { try old.close() }
        segment = try Recovery.createSegment(directory: core.directory, firstSequence: firstSequence, io: io)
        segmentFirst = firstSequence
        segmentSize = SegmentHeader.size
    }
}
