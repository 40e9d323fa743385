import Synchronization

/// One appender waiting for its sequence to meet the durability policy, or to be synced.
struct DurabilityWaiter: Sendable {
    var id: UInt64
    var sequence: UInt64
    /// Waits for a completed `fdatasync` covering `sequence`, not only for the policy.
    var needsSync: Bool
    var continuation: UnsafeContinuation<Void, any Error>
}

/// One appender waiting for the bytes in flight to fall under the limit.
struct RoomWaiter: Sendable {
    var id: UInt64
    var continuation: UnsafeContinuation<Void, any Error>
    /// The task that refuses the waiter when its timeout passes; cancelled when room comes first.
    var timer: Task<Void, Never>?

    func resume() {
        timer?.cancel()
        continuation.resume()
    }
}

/// The state appenders and the writer thread share; every access is a short critical section
/// with no I/O inside.
struct CoreState: ~Copyable {
    /// Encoded records waiting for the writer, numbered from `pendingFirst`.
    var pending: ByteArena
    var pendingCount: UInt64 = 0
    /// How many `enqueue` calls fed the pending buffer (the group-commit linger counts these).
    var pendingAppends = 0
    var pendingFirst: UInt64
    /// The sequence the next enqueued record gets.
    var nextSequence: UInt64
    /// The last sequence that met the policy.
    var durable: UInt64
    /// The last sequence covered by a completed `fdatasync` (equal to `durable` under `everyBatch`).
    var synced: UInt64
    /// Bytes enqueued and not yet durable: what back-pressure bounds.
    var inFlight = 0
    var waiters: [DurabilityWaiter] = []
    var roomWaiters: [RoomWaiter] = []
    var nextWaiterID: UInt64 = 0
    /// True while the writer sleeps on the wake signal (so only then do appenders post).
    var writerIdle = false
    /// Set when a waiter needs an `fdatasync` the policy would not make soon.
    var syncRequested = false
    var closing = false
    var finished = false
    /// The error that stopped the writer; appends are refused from then on.
    var failure: LogError?
    /// Whether the writer cut the failed group off the log and synced it, so that the disk holds
    /// exactly the sequences up to `durable` and appends may resume.
    var failureRolledBack = false
    var closeWaiters: [UnsafeContinuation<Void, Never>] = []
    var statistics = LogStatistics()
    /// Increases each time the log resumes after a failure; sequences handed out in an earlier
    /// epoch above that epoch's durable end were cut off the log, and may be handed out again.
    var epoch: UInt64 = 0
    /// For each ended epoch, its durable end and the failure that ended it.
    var endedEpochs: [(durable: UInt64, failure: LogError)] = []
}

/// What the public ``EventLog`` and its writer thread share.
final class LogCore: Sendable {
    /// The largest record payload; a batch (capped at 4 MiB) must hold at least one record.
    static let maxPayload = 1 << 20

    let directory: String
    let options: LogOptions
    let state: Mutex<CoreState>
    let wake = WakeSignal()

    init(directory: String, options: LogOptions, nextSequence: UInt64) {
        self.directory = directory
        self.options = options
        self.state = Mutex(CoreState(
            pending: ByteArena(capacity: LogWriter.bufferBaseline), pendingFirst: nextSequence, nextSequence: nextSequence,
            durable: nextSequence - 1, synced: nextSequence - 1))
    }

    var io: any FileIO { options.io }

    func enqueue(_ records: [EventRecord]) throws(LogError) -> AppendTicket {
        guard !records.isEmpty else {
            throw LogError(code: .invalidArgument, message: "enqueue needs at least one record; pass a non-empty array")
        }
        var total = 0
        for record in records {
            guard record.payload.count <= Self.maxPayload else {
                throw LogError(
                    code: .invalidArgument,
                    message: "a record payload of \(record.payload.count) bytes is over the \(Self.maxPayload)-byte limit; split the event",
                    file: directory)
            }
            total += ByteArena.encodedSize(record)
        }
        let count = UInt64(records.count)
        let hardLimit = options.inFlightLimit * 2
        let (ticket, wakeWriter) = try state.withLock { (s: inout CoreState) throws(LogError) -> (AppendTicket, Bool) in
            if let failure = s.failure { throw Self.refused(failure, directory: directory) }
            if s.closing {
                throw LogError(code: .closed, message: "the log is closed; open it again to append", file: directory)
            }
            if s.inFlight > 0, s.inFlight + total > hardLimit {
                throw Self.overloaded(s.inFlight, directory: directory)
            }
            s.pending.reserve(extra: total)
            for record in records { s.pending.appendRecord(record) }
            let first = s.nextSequence
            if s.pendingCount == 0 { s.pendingFirst = first }
            s.pendingCount += count
            s.pendingAppends += 1
            s.nextSequence += count
            s.inFlight += total
            let wakeWriter = s.writerIdle
            s.writerIdle = false
            return (AppendTicket(sequences: first...(first + count - 1), epoch: s.epoch), wakeWriter)
        }
        if wakeWriter { wake.post() }
        return ticket
    }

    static func refused(_ failure: LogError, directory: String) -> LogError {
        LogError(
            code: failure.code == .diskFull ? .diskFull : .closed,
            message: "the log stopped accepting appends after a failed write (\(failure.message)); fix the cause and reopen the log",
            file: failure.file ?? directory, offset: failure.offset, sequence: failure.sequence, cause: failure)
    }

    static func overloaded(_ bytes: Int, directory: String) -> LogError {
        LogError(
            code: .overloaded,
            message: "\(bytes) bytes of appends are waiting for the disk, over the log's limit; retry once they are written",
            file: directory)
    }

    /// Waits until the bytes in flight are at most ``LogOptions/inFlightLimit``, for at most `timeout`.
    func waitForRoom(timeout: Duration?) async throws(LogError) {
        let limit = options.inFlightLimit
        let id: UInt64? = state.withLock { s in
            if s.inFlight <= limit || s.failure != nil || s.closing { return nil }
            s.nextWaiterID += 1
            return s.nextWaiterID
        }
        guard let id else { return }
        do {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                let ready: Bool = state.withLock { s in
                    if s.inFlight <= limit || s.failure != nil || s.closing { return true }
                    s.roomWaiters.append(RoomWaiter(id: id, continuation: continuation, timer: nil))
                    return false
                }
                if ready {
                    continuation.resume()
                    return
                }
                guard let timeout else { return }
                // Registered first, so the timer always finds the waiter unless room came first.
                let timer = Task { [self] in
                    try? await Task.sleep(for: timeout)
                    guard !Task.isCancelled else { return }
                    let expired: (RoomWaiter, Int)? = state.withLock { s in
                        guard let index = s.roomWaiters.firstIndex(where: { $0.id == id }) else { return nil }
                        return (s.roomWaiters.remove(at: index), s.inFlight)
                    }
                    if let (waiter, bytes) = expired {
                        waiter.continuation.resume(throwing: Self.overloaded(bytes, directory: directory))
                    }
                }
                let attached: Bool = state.withLock { s in
                    guard let index = s.roomWaiters.firstIndex(where: { $0.id == id }) else { return false }
                    s.roomWaiters[index].timer = timer
                    return true
                }
                if !attached { timer.cancel() }
            }
        } catch let error as LogError {
            throw error
        } catch {
            throw LogError(code: .io, message: "waiting for room failed: \(error)", file: directory, cause: error)
        }
    }

    /// The last sequence handed out and the epoch it belongs to, read together.
    var lastTicket: (sequence: UInt64, epoch: UInt64) {
        state.withLock { ($0.nextSequence - 1, $0.epoch) }
    }

    /// Whether `sequence`, handed out in `epoch`, is settled: durable (success), or cut off the
    /// log by the failure that ended its epoch; nil while it is still on its way.
    private static func settled(_ sequence: UInt64, epoch: UInt64?, needsSync: Bool, in s: borrowing CoreState) -> Result<Void, LogError>? {
        if let epoch, epoch < s.epoch, Int(epoch) < s.endedEpochs.count {
            let ended = s.endedEpochs[Int(epoch)]
            return sequence <= ended.durable ? .success(()) : .failure(ended.failure)
        }
        return sequence <= (needsSync ? s.synced : s.durable) ? .success(()) : nil
    }

    /// Suspends until `sequence` meets the policy (or, with `needsSync`, is covered by an
    /// `fdatasync`). With `epoch` (from the ``AppendTicket`` of the append), a sequence that a
    /// rolled-back failure cut off fails even after the log resumed and handed it out again.
    /// Without `cancellable`, cancelling the caller's task does not end the wait.
    func waitDurable(_ sequence: UInt64, epoch: UInt64? = nil, needsSync: Bool = false, cancellable: Bool = true) async throws(LogError) {
        let (id, early, wakeWriter): (UInt64?, Result<Void, LogError>?, Bool) = state.withLock { s in
            if let outcome = Self.settled(sequence, epoch: epoch, needsSync: needsSync, in: s) { return (nil, outcome, false) }
            s.nextWaiterID += 1
            guard needsSync else { return (s.nextWaiterID, nil, false) }
            s.syncRequested = true
            let wake = s.writerIdle
            s.writerIdle = false
            return (s.nextWaiterID, nil, wake)
        }
        if case .failure(let error)? = early { throw error }
        guard let id else { return }
        if wakeWriter { wake.post() }
        do {
            try await withTaskCancellationHandler {
                try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                    let outcome: Result<Void, LogError>? = state.withLock { s in
                        if let outcome = Self.settled(sequence, epoch: epoch, needsSync: needsSync, in: s) { return outcome }
                        // Enqueued before the failure and not durable: its batch failed or was dropped.
                        if let failure = s.failure { return .failure(failure) }
                        if s.finished {
                            return .failure(LogError(
                                code: .closed, message: "the log closed before sequence \(sequence) was written",
                                file: directory, sequence: sequence))
                        }
                        if cancellable, Task.isCancelled {
                            return .failure(LogError(code: .cancelled, message: "the wait for sequence \(sequence) was cancelled", sequence: sequence))
                        }
                        s.waiters.append(DurabilityWaiter(id: id, sequence: sequence, needsSync: needsSync, continuation: continuation))
                        return nil
                    }
                    switch outcome {
                    case .success?: continuation.resume()
                    case .failure(let error)?: continuation.resume(throwing: error)
                    case nil: break
                    }
                }
            } onCancel: {
                guard cancellable else { return }
                let removed: DurabilityWaiter? = state.withLock { s in
                    guard let index = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                    return s.waiters.remove(at: index)
                }
                removed?.continuation.resume(throwing: LogError(
                    code: .cancelled, message: "the wait for sequence \(sequence) was cancelled", sequence: sequence))
            }
        } catch let error as LogError {
            throw error
        } catch {
            throw LogError(code: .io, message: "waiting for durability failed: \(error)", file: directory, cause: error)
        }
    }

    /// What one publication adds to the counters.
    struct Progress {
        var batches: UInt64 = 0
        var events: UInt64 = 0
        var rawBytes: UInt64 = 0
        var storedBytes: UInt64 = 0
        var syncs: UInt64 = 0
        /// Bytes of the group that are now durable (no longer in flight).
        var released = 0
        /// The writer's own buffer capacity, for ``LogStatistics/bufferBytes``.
        var writerBuffers = 0
    }

    /// Publishes new watermarks and resumes the waiters they satisfy.
    /// - Returns: How many waiters it resumed, and how many appends were pending then.
    @discardableResult
    func publish(durable: UInt64, synced: UInt64?, progress: Progress) -> (resumed: Int, pendingAppends: Int) {
        let limit = options.inFlightLimit
        let (ready, room, pendingAppends): ([DurabilityWaiter], [RoomWaiter], Int) = state.withLock { s in
            s.durable = max(s.durable, durable)
            if let synced { s.synced = max(s.synced, synced) }
            s.inFlight = max(0, s.inFlight - progress.released)
            s.statistics.batches += progress.batches
            s.statistics.events += progress.events
            s.statistics.rawBytes += progress.rawBytes
            s.statistics.storedBytes += progress.storedBytes
            s.statistics.syncs += progress.syncs
            s.statistics.bufferBytes = s.pending.capacity + progress.writerBuffers
            var room: [RoomWaiter] = []
            if !s.roomWaiters.isEmpty, s.inFlight <= limit { swap(&room, &s.roomWaiters) }
            guard !s.waiters.isEmpty else { return ([], room, s.pendingAppends) }
            var ready: [DurabilityWaiter] = []
            let (durableMark, syncedMark) = (s.durable, s.synced)
            s.waiters.removeAll { waiter in
                guard waiter.sequence <= (waiter.needsSync ? syncedMark : durableMark) else { return false }
                ready.append(waiter)
                return true
            }
            // A sync waiter whose records were not yet written asks again once they are.
            if s.waiters.contains(where: \.needsSync) { s.syncRequested = true }
            return (ready, room, s.pendingAppends)
        }
        for waiter in ready { waiter.continuation.resume() }
        for waiter in room { waiter.resume() }
        return (ready.count, pendingAppends)
    }

    /// Records the error that stopped the writer and fails every waiter.
    ///
    /// - Parameter rolledBack: The writer cut the failed records off the log and synced it.
    func fail(_ error: LogError, rolledBack: Bool) {
        let (waiters, room): ([DurabilityWaiter], [RoomWaiter]) = state.withLock { s in
            if s.failure == nil {
                s.failure = error
                s.failureRolledBack = rolledBack
            }
            s.pending.count = 0
            s.pendingCount = 0
            s.inFlight = 0
            if rolledBack { s.synced = s.durable }
            let all = (s.waiters, s.roomWaiters)
            s.waiters = []
            s.roomWaiters = []
            return all
        }
        // The waiters of the failed batch get the write's own error (io, diskFull); later
        // appends get `refused`.
        for waiter in waiters { waiter.continuation.resume(throwing: error) }
        for waiter in room { waiter.resume() }
    }

    /// Takes appends again after a failure the writer rolled back: the next sequence is the one
    /// after the durable mark, exactly what a reopen would give.
    func resume() throws(LogError) {
        try state.withLock { (s: inout CoreState) throws(LogError) in
            guard let failure = s.failure else { return }
            guard s.failureRolledBack, !s.closing else {
                throw LogError(
                    code: .closed,
                    message: "the log cannot resume after this failure (\(failure.message)); reopen it",
                    file: directory, cause: failure)
            }
            s.endedEpochs.append((s.durable, failure))
            s.epoch += 1
            s.failure = nil
            s.failureRolledBack = false
            s.nextSequence = s.durable + 1
            s.pendingFirst = s.nextSequence
            s.statistics.resumes += 1
        }
    }

    /// Marks the writer finished: waiters for sequences never written get ``LogError/Code/closed``.
    func finish() {
        let (waiters, room, closers): ([DurabilityWaiter], [RoomWaiter], [UnsafeContinuation<Void, Never>]) = state.withLock { s in
            s.finished = true
            s.closing = true
            let w = s.waiters
            let r = s.roomWaiters
            let c = s.closeWaiters
            s.waiters = []
            s.roomWaiters = []
            s.closeWaiters = []
            return (w, r, c)
        }
        for waiter in waiters {
            waiter.continuation.resume(throwing: LogError(
                code: .closed, message: "the log closed before sequence \(waiter.sequence) was written",
                file: directory, sequence: waiter.sequence))
        }
        for waiter in room { waiter.resume() }
        for closer in closers { closer.resume() }
    }

    /// Asks the writer to drain, sync and stop.
    func requestClose() {
        let wakeWriter = state.withLock { s in
            s.closing = true
            return !s.finished
        }
        if wakeWriter { wake.post() }
    }
}
