import Synchronization

/// One appender waiting for its sequence to meet the durability policy.
struct DurabilityWaiter: Sendable {
    var id: UInt64
    var sequence: UInt64
    var continuation: UnsafeContinuation<Void, any Error>
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
    var waiters: [DurabilityWaiter] = []
    var nextWaiterID: UInt64 = 0
    /// True while the writer sleeps on the wake signal (so only then do appenders post).
    var writerIdle = false
    var closing = false
    var finished = false
    /// The error that stopped the writer; appends are refused from then on.
    var failure: LogError?
    var closeWaiters: [UnsafeContinuation<Void, Never>] = []
    var statistics = LogStatistics()
}

/// What the public ``EventLog`` and its writer thread share.
final class LogCore: Sendable {
    /// The most bytes allowed to wait for the writer before `append` waits for it to catch up.
    static let pendingLimit = 64 << 20
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
            pending: ByteArena(capacity: 1 << 20), pendingFirst: nextSequence, nextSequence: nextSequence,
            durable: nextSequence - 1))
    }

    func enqueue(_ records: [EventRecord]) throws(LogError) -> ClosedRange<UInt64> {
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
        let (range, wakeWriter) = try state.withLock { (s: inout CoreState) throws(LogError) -> (ClosedRange<UInt64>, Bool) in
            if let failure = s.failure { throw Self.refused(failure, directory: directory) }
            if s.closing {
                throw LogError(code: .closed, message: "the log is closed; open it again to append", file: directory)
            }
            s.pending.reserve(extra: total)
            for record in records { s.pending.appendRecord(record) }
            let first = s.nextSequence
            if s.pendingCount == 0 { s.pendingFirst = first }
            s.pendingCount += count
            s.pendingAppends += 1
            s.nextSequence += count
            let wakeWriter = s.writerIdle
            s.writerIdle = false
            return (first...(first + count - 1), wakeWriter)
        }
        if wakeWriter { wake.post() }
        return range
    }

    static func refused(_ failure: LogError, directory: String) -> LogError {
        LogError(
            code: failure.code == .diskFull ? .diskFull : .closed,
            message: "the log stopped accepting appends after a failed write (\(failure.message)); fix the cause and reopen the log",
            file: failure.file ?? directory, offset: failure.offset, sequence: failure.sequence, cause: failure)
    }

    /// Bytes waiting for the writer, and the last sequence handed out.
    var backlog: (bytes: Int, last: UInt64) {
        state.withLock { ($0.pending.count, $0.nextSequence - 1) }
    }

    func waitDurable(_ sequence: UInt64) async throws(LogError) {
        let id: UInt64? = state.withLock { s in
            if sequence <= s.durable { return nil }
            s.nextWaiterID += 1
            return s.nextWaiterID
        }
        guard let id else { return }
        do {
            try await withTaskCancellationHandler {
                try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                    let outcome: Result<Void, LogError>? = state.withLock { s in
                        if sequence <= s.durable { return .success(()) }
                        // Enqueued before the failure and not durable: its batch failed or was dropped.
                        if let failure = s.failure { return .failure(failure) }
                        if s.finished {
                            return .failure(LogError(
                                code: .closed, message: "the log closed before sequence \(sequence) was written",
                                file: directory, sequence: sequence))
                        }
                        if Task.isCancelled {
                            return .failure(LogError(code: .cancelled, message: "the wait for sequence \(sequence) was cancelled", sequence: sequence))
                        }
                        s.waiters.append(DurabilityWaiter(id: id, sequence: sequence, continuation: continuation))
                        return nil
                    }
                    switch outcome {
                    case .success?: continuation.resume()
                    case .failure(let error)?: continuation.resume(throwing: error)
                    case nil: break
                    }
                }
            } onCancel: {
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

    /// Publishes a new durable watermark and resumes the waiters it satisfies.
    /// - Returns: How many waiters it resumed, and how many appends were pending then.
    @discardableResult
    func publish(durable: UInt64, batches: UInt64, events: UInt64, rawBytes: UInt64, storedBytes: UInt64, syncs: UInt64) -> (resumed: Int, pendingAppends: Int) {
        let (ready, pendingAppends): ([DurabilityWaiter], Int) = state.withLock { s in
            s.durable = max(s.durable, durable)
            s.statistics.batches += batches
            s.statistics.events += events
            s.statistics.rawBytes += rawBytes
            s.statistics.storedBytes += storedBytes
            s.statistics.syncs += syncs
            guard !s.waiters.isEmpty else { return ([], s.pendingAppends) }
            var ready: [DurabilityWaiter] = []
            s.waiters.removeAll { waiter in
                guard waiter.sequence <= durable else { return false }
                ready.append(waiter)
                return true
            }
            return (ready, s.pendingAppends)
        }
        for waiter in ready { waiter.continuation.resume() }
        return (ready.count, pendingAppends)
    }

    /// Records the error that stopped the writer and fails every waiter.
    func fail(_ error: LogError) {
        let waiters: [DurabilityWaiter] = state.withLock { s in
            if s.failure == nil { s.failure = error }
            s.pending.count = 0
            s.pendingCount = 0
            let all = s.waiters
            s.waiters = []
            return all
        }
        // The waiters of the failed batch get the write's own error (io, diskFull); later
        // appends get `refused`.
        for waiter in waiters { waiter.continuation.resume(throwing: error) }
    }

    /// Marks the writer finished: waiters for sequences never written get ``LogError/Code/closed``.
    func finish() {
        let (waiters, closers): ([DurabilityWaiter], [UnsafeContinuation<Void, Never>]) = state.withLock { s in
            s.finished = true
            s.closing = true
            let w = s.waiters
            let c = s.closeWaiters
            s.waiters = []
            s.closeWaiters = []
            return (w, c)
        }
        for waiter in waiters {
            waiter.continuation.resume(throwing: LogError(
                code: .closed, message: "the log closed before sequence \(waiter.sequence) was written",
                file: directory, sequence: waiter.sequence))
        }
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
