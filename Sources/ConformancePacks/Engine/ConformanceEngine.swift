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
/// If a write to the log fails after its events were applied, memory is ahead of disk: the engine
/// answers that command with `InternalFailure`, and refuses every later request the same way until
/// it is reopened (which rebuilds the state from the log).
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
        let directories = EngineDirectories(configuration.dataDirectory)
        try directories.create()
        var options = LogOptions()
        options.durability = configuration.durability.logPolicy
        let log = try EventLog.open(directory: directories.events, options: options, snapshotDirectory: directories.snapshots)
        let snapshots = log.snapshots
        let logger = configuration.logger
        let state: EngineState
        do {
            state = try rebuild(
                snapshots: snapshots, logger: logger, lastSequence: log.lastSequence,
                reader: { from throws(LogError) in try log.read(from: from) }
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
        let (state, snapshotSequence, healthy) = core.withLock { ($0.state, $0.snapshotSequence, $0.refusal == Self.closedError) }
        if healthy && state.lastSequence > snapshotSequence {
            try await log.waitDurable(state.lastSequence)
            await writeSnapshotOnThread(state)
        }
        try await log.close()
    }

    static let closedError = ConformanceError(.internalFailure, "The conformance engine is closed.")

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
    nonisolated(nonsending) func perform<Result: Sendable>(
        _ decide: (borrowing EngineState, _ now: Int64) throws(ConformanceError) -> Decision<Result>
    ) async throws(ConformanceError) -> Result {
        let (sequence, outcome, snapshot) = core.withLock {
            core -> (UInt64, Swift.Result<Result, ConformanceError>, EngineState?) in
            if let refusal = core.refusal { return (0, .failure(refusal), nil) }
            var last: UInt64 = 0
            let now = clock.now().epochMilliseconds
            // A read-only view shows the state as it stood: nothing comes due.
            let due = log == nil ? [] : core.state.dueCompletions(now: now)
            if !due.isEmpty {
                switch commit(due, to: &core) {
                case .success(let sequence): last = sequence
                case .failure(let error): return (0, .failure(error), nil)
                }
            }
            let outcome: Swift.Result<Result, ConformanceError>
            do throws(ConformanceError) {
                let decision = try decide(core.state, now)
                if !decision.events.isEmpty {
                    switch commit(decision.events, to: &core) {
                    case .success(let sequence): last = sequence
                    case .failure(let error): return (0, .failure(error), nil)
                    }
                }
                outcome = .success(decision.result)
            } catch {
                outcome = .failure(error)
            }
            return (last, outcome, snapshotDue(&core))
        }
        if sequence > 0, let log {
            do {
                try await log.waitDurable(sequence)
            } catch {
                throw fence(because: error, sequence: sequence)
            }
        }
        if let snapshot { scheduleSnapshot(snapshot) }
        return try outcome.get()
    }

    /// Answers a query from the read models (recording any deployment that came due first).
    nonisolated(nonsending) func read<Result: Sendable>(
        _ body: (borrowing EngineState) throws(ConformanceError) -> Result
    ) async throws(ConformanceError) -> Result {
        try await perform { state, _ throws(ConformanceError) in
            Decision(events: [], result: try body(state))
        }
    }

    /// Appends `events` to the log and applies them. Called under the lock.
    private func commit(_ events: [DomainEvent], to core: inout Core) -> Swift.Result<UInt64, ConformanceError> {
        guard let log else { return .failure(Self.readOnlyError) }
        let records = events.map(EventCodec.encode)
        let range: ClosedRange<UInt64>
        do {
            range = try log.enqueue(records)
        } catch {
            return .failure(refuse(&core, because: error, sequence: core.state.lastSequence + 1))
        }
        // The engine is the log's only writer: its sequences must continue ours exactly.
        guard range.lowerBound == core.state.lastSequence + 1, range.count == events.count else {
            return .failure(refuse(&core, because: SequenceMismatch(expected: core.state.lastSequence + 1, got: range), sequence: range.lowerBound))
        }
        for (offset, event) in events.enumerated() {
            core.state.apply(event, sequence: range.lowerBound + UInt64(offset))
        }
        return .success(range.upperBound)
    }

    private struct SequenceMismatch: Error, CustomStringConvertible {
        var expected: UInt64
        var got: ClosedRange<UInt64>
        var description: String { "the log handed out sequences \(got) where \(expected) was expected" }
    }

    /// Stops the engine after a failed write; returns the error to answer with.
    private func fence(because cause: any Error, sequence: UInt64) -> ConformanceError {
        core.withLock { refuse(&$0, because: cause, sequence: sequence) }
    }

    private func refuse(_ core: inout Core, because cause: any Error, sequence: UInt64) -> ConformanceError {
        if let refusal = core.refusal, refusal != Self.closedError { return refusal }
        let error = ConformanceError(
            .internalFailure,
            "The conformance engine stopped accepting requests: writing event \(sequence) to its log failed (\(cause)). "
                + "Its memory may be ahead of its log; reopen the engine to recover from the log."
        )
        core.refusal = error
        // The one failure an operator must see; it is also the answer to every later request.
        logger.info(
            "Event log write failed; engine refuses further requests",
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
    var events: String { root + "/events" }
    var snapshots: String { root + "/snapshots" }

    init(_ root: String) { self.root = root }

    func create() throws {
        for path in [root, events, snapshots] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
    }
}
