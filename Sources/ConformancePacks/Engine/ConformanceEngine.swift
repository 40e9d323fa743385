import EventLog
import Foundation
import Logging
import Synchronization

/// The conformance-pack engine: the embedded API of `conform`.
///
/// A command is validated against the in-memory read models, decided into events, appended to the
/// event log and applied through the same `apply` that replay uses; only then is it answered.
/// Validation, decision, `EventLog.enqueue` and `apply` run under one short lock, so sequence order
/// is apply order; the wait for durability happens outside it, so concurrent writers share a
/// group commit. Queries read the read models under the same lock.
///
/// If a write to the log fails after its events were applied, memory is ahead of disk. When the
/// log cut the failed group back off the disk (it does unless that fails too), the engine rebuilds
/// its state from the log's durable end, as ``open(_:)`` does, answers the commands of that group
/// with an error that says they were not recorded (`ServiceUnavailable` for a full disk), and goes
/// on serving: reads at once, writes as soon as the disk takes them again. When the outcome of the
/// write is unknown, it answers `InternalFailure` and refuses every later request until it is
/// reopened.
public final class ConformanceEngine: Sendable {
    /// The event log; `nil` for a read-only view (``openReadOnly(dataDirectory:at:logger:)``).
    let log: EventLog?
    let snapshotStore: SnapshotStore
    let core: Mutex<Core>
    let clock: any ConformanceClock
    let mint: IdentifierMint
    /// The deployment delay in milliseconds.
    let delay: Int64
    let snapshotEvery: UInt64
    let logger: Logger
    /// The engine's data directory.
    let dataDirectory: String
    /// The system calls beneath the log and the snapshots.
    let io: any FileIO
    /// How long a write waits for room when the log's in-flight limit is reached.
    let roomTimeout: Duration

    /// The mutable part, guarded by `core`.
    struct Core: Sendable {
        var state: EngineState
        /// Set once the engine stops accepting requests (a failed write, or `close()`).
        var refusal: ConformanceError?
        var closed = false
        /// The sequence the newest snapshot (written or being written) covers.
        var snapshotSequence: UInt64
        var snapshotInFlight = false
        var snapshotTask: Task<Void, Never>?
        /// Increases each time the state is rebuilt after a failed write, so that a snapshot
        /// claimed before the rebuild is never written.
        var generation: UInt64 = 0
        /// Set after a write failed for lack of space; writes are refused at once while the
        /// file system stays full.
        var diskFull = false
    }

    /// What a command decided: the events to record and the answer to give once they are durable.
    struct Decision<Result: Sendable>: Sendable {
        var events: [DomainEvent]
        var result: Result
    }

    init(
        log: EventLog?, snapshotStore: SnapshotStore, state: EngineState, snapshotSequence: UInt64,
        configuration: Configuration
    ) {
        self.log = log
        self.snapshotStore = snapshotStore
        self.core = Mutex(Core(state: state, refusal: nil, snapshotSequence: snapshotSequence, snapshotTask: nil))
        self.clock = configuration.clock
        self.mint = IdentifierMint(source: configuration.identifiers)
        let (seconds, attoseconds) = configuration.deploymentDelay.components
        self.delay = max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
        self.snapshotEvery = UInt64(max(0, configuration.snapshotEvery))
        self.logger = configuration.logger
        self.dataDirectory = configuration.dataDirectory
        self.io = configuration.io
        self.roomTimeout = configuration.writeRoomTimeout
    }

    /// Opens the engine on its data directory: loads the newest valid snapshot, replays the tail of
    /// the log, and takes the directory's writer lock.
    ///
    /// An invalid snapshot is logged and skipped (the log is the source of truth).
    ///
    /// - Parameter configuration: Where and how to run.
    /// - Returns: The engine, with every acknowledged command of earlier runs applied.
    /// - Throws: `LogError` when the log cannot be opened (`.locked` when another process writes
    ///   it) or holds damage; ``ConformanceError`` (`InternalFailure`) when an event cannot be decoded.
    public static func open(_ configuration: Configuration) async throws -> ConformanceEngine {
        let directories = EngineDirectories(configuration.dataDirectory, io: configuration.io)
        try directories.create()
        let log = try EventLog.open(directory: directories.events, options: configuration.logOptions, snapshotDirectory: directories.snapshots)
        let snapshots = log.snapshots
        let logger = configuration.logger
        if let recovery = log.recovery {
            logger.warning(
                "Recovered the event log: cut a torn tail",
                metadata: [
                    "log.file": "\(recovery.file)", "log.offset": "\(recovery.offset)", "log.bytes_cut": "\(recovery.bytesCut)",
                    "log.lost_sequences": "\(recovery.lostDescription)",
                    "reason": "\(recovery.reason)",
                ]
            )
        }
        let state: EngineState
        do {
            snapshots.removeLeftovers()
            state = try rebuild(
                snapshots: snapshots, logDirectory: directories.events, io: configuration.io, through: log.lastSequence,
                ownsLog: true, logger: logger, reader: { from throws(LogError) in try log.read(from: from) }
            ).state
        } catch {
            try? await log.close()
            throw error
        }
        logger.info(
            "Opened conformance engine",
            metadata: ["engine.directory": "\(configuration.dataDirectory)", "log.sequence": "\(state.lastSequence)"]
        )
        return ConformanceEngine(
            log: log, snapshotStore: snapshots, state: state, snapshotSequence: state.lastSequence,
            configuration: configuration
        )
    }

    /// Flushes the log, writes a final snapshot and releases the directory. Later calls are refused.
    ///
    /// - Throws: `LogError` when the final flush fails.
    nonisolated(nonsending) public func close() async throws {
        let task = core.withLock { core -> Task<Void, Never>?? in
            guard !core.closed else { return .none }
            core.closed = true
            if core.refusal == nil { core.refusal = Self.closedError }
            defer { core.snapshotTask = nil }
            return .some(core.snapshotTask)
        }
        guard let task else { return }  // already closed
        await task?.value
        guard let log else { return }
        let healthy = core.withLock { $0.refusal == Self.closedError }
        if healthy {
            // The final snapshot covers only what the log's final sync made durable.
            do {
                try await log.sync()
                let (state, snapshotSequence) = core.withLock { ($0.state, $0.snapshotSequence) }
                if state.lastSequence > snapshotSequence { await writeSnapshotOnThread(state) }
            } catch {
                logger.info("Skipped the final snapshot: the log's final sync failed", metadata: ["error": "\(error)"])
            }
        }
        try await log.close()
    }

    static let closedError = ConformanceError(.internalFailure, "The conformance engine is closed.")

    /// The answer to a write while more bytes wait for the disk than the log's in-flight limit.
    static let throttled = ConformanceError(
        .throttling, "Rate exceeded: more writes are waiting for the disk than the engine holds in memory. Slow down and retry."
    )

    static let readOnlyError = ConformanceError(
        .accessDenied, "This conform engine is a read-only view of its log at a past point; it accepts no writes."
    )

    /// Whether the engine records commands; `false` for a read-only view.
    public var acceptsWrites: Bool { log != nil }

    /// A hash of the read models in canonical order: equal digests mean equal state. Replays and
    /// restarts must reproduce the digest of the live engine.
    ///
    /// - Returns: 32 hex digits.
    public func stateDigest() -> String {
        SnapshotCodec.digest(core.withLock { $0.state })
    }

    /// The sequence of the last event applied to the read models.
    public var lastSequence: UInt64 { core.withLock { $0.state.lastSequence } }

    // MARK: - The command path

    /// Runs one command: completes due deployments, decides, enqueues and applies under the lock,
    /// then waits for durability outside it.
    ///
    /// - Parameter mayWrite: false for queries, which never wait for room in the log.
    nonisolated(nonsending) func perform<Result: Sendable>(
        mayWrite: Bool = true,
        _ decide: (borrowing EngineState, _ now: Int64) throws(ConformanceError) -> Decision<Result>
    ) async throws(ConformanceError) -> Result {
        if mayWrite, let log {
            do { try await log.waitForRoom(timeout: roomTimeout) } catch { throw Self.throttled }
        }
        let (ticket, outcome, snapshot) = core.withLock {
            core -> (AppendTicket?, Swift.Result<Result, ConformanceError>, EngineState?) in
            if let refusal = core.refusal { return (nil, .failure(refusal), nil) }
            var last: AppendTicket?
            let now = clock.now().epochMilliseconds
            // A read-only view shows the state as it stood: nothing comes due.
            let due = log == nil ? [] : core.state.dueCompletions(now: now)
            if !due.isEmpty {
                switch commit(due, to: &core) {
                case .success(let ticket): last = ticket
                case .failure(let error):
                    // A refused completion is tried again by the next request; a query is still
                    // answered, from the state as it is, unless the engine stopped.
                    if core.refusal != nil { return (nil, .failure(error), nil) }
                }
            }
            let outcome: Swift.Result<Result, ConformanceError>
            do throws(ConformanceError) {
                let decision = try decide(core.state, now)
                if !decision.events.isEmpty {
                    switch commit(decision.events, to: &core) {
                    case .success(let ticket): last = ticket
                    case .failure(let error): return (last, .failure(error), nil)
                    }
                }
                outcome = .success(decision.result)
            } catch {
                outcome = .failure(error)
            }
            return (last, outcome, snapshotDue(&core))
        }
        if let ticket, let log {
            do {
                // Not cancellable: the events are applied, so the caller must learn whether they were recorded.
                try await log.waitDurable(ticket)
            } catch {
                throw core.withLock { core in
                    // The claimed snapshot will not be scheduled: release the claim.
                    if snapshot != nil { core.snapshotInFlight = false }
                    return handleLogFailure(&core, cause: error, sequence: ticket.sequences.lowerBound)
                }
            }
        }
        if let snapshot { scheduleSnapshot(snapshot) }
        return try outcome.get()
    }

    /// Answers a query from the read models (recording any deployment that came due first).
    nonisolated(nonsending) func read<Result: Sendable>(
        _ body: (borrowing EngineState) throws(ConformanceError) -> Result
    ) async throws(ConformanceError) -> Result {
        try await perform(mayWrite: false) { state, _ throws(ConformanceError) in
            Decision(events: [], result: try body(state))
        }
    }

    /// Appends `events` to the log and applies them. Called under the lock.
    private func commit(_ events: [DomainEvent], to core: inout Core) -> Swift.Result<AppendTicket, ConformanceError> {
        guard let log else { return .failure(Self.readOnlyError) }
        if let full = diskFullRefusal(&core) { return .failure(full) }
        let records = events.map(EventCodec.encode)
        let ticket: AppendTicket
        do {
            ticket = try log.submit(records)
        } catch {
            switch error.code {
            case .overloaded:
                return .failure(Self.throttled)
            case .invalidArgument:
                return .failure(ConformanceError(.validation, "The request is too large to record: \(error.message)."))
            default:
                return .failure(handleLogFailure(&core, cause: error, sequence: core.state.lastSequence + 1))
            }
        }
        let range = ticket.sequences
        // The engine is the log's only writer: its sequences must continue ours exactly.
        guard range.lowerBound == core.state.lastSequence + 1, range.count == events.count else {
            return .failure(refuse(&core, because: SequenceMismatch(expected: core.state.lastSequence + 1, got: range), sequence: range.lowerBound))
        }
        for (offset, event) in events.enumerated() {
            core.state.apply(event, sequence: range.lowerBound + UInt64(offset))
        }
        return .success(ticket)
    }

    private struct SequenceMismatch: Error, CustomStringConvertible {
        var expected: UInt64
        var got: ClosedRange<UInt64>
        var description: String { "the log handed out sequences \(got) where \(expected) was expected" }
    }

    /// Stops the engine for good (until it is reopened); returns the error to answer with.
    func refuse(_ core: inout Core, because cause: any Error, sequence: UInt64) -> ConformanceError {
        if let refusal = core.refusal, refusal != Self.closedError { return refusal }
        let error = ConformanceError(
            .internalFailure,
            "The conformance engine stopped accepting requests: writing event \(sequence) to its log failed (\(cause)). "
                + "Its memory may be ahead of its log; reopen the engine to recover from the log."
        )
        core.refusal = error
        // The one failure an operator must see; it is also the answer to every later request.
        logger.error(
            "The engine stopped: a write to its event log failed and could not be undone; it refuses requests until reopened",
            metadata: ["log.sequence": "\(sequence)", "error": "\(cause)"]
        )
        return error
    }
}

extension Date {
    /// Milliseconds since 1970, rounded down: the resolution of every time the engine records.
    var epochMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }

    init(epochMilliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(epochMilliseconds) / 1000)
    }
}

/// The layout of a data directory (DESIGN.md: `events/`, `snapshots/`).
struct EngineDirectories {
    var root: String
    var io: any FileIO
    var events: String { root + "/events" }
    var snapshots: String { root + "/snapshots" }

    init(_ root: String, io: any FileIO) {
        self.root = root
        self.io = io
    }

    /// Creates the directories that are missing, each synced into its parent.
    func create() throws {
        for path in [root, events, snapshots] {
            try LogDirectory.createDirectories(path, io: io)
        }
    }
}
