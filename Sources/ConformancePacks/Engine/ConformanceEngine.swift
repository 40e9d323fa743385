import DequeModule
import EventLog
import Foundation
import Logging
import Synchronization

/// The conformance-pack engine: the embedded API of `conform`.
///
/// A command is validated against the newest state, decided into events, appended to the event
/// log and applied through the same `apply` that replay uses; only then is it answered.
/// Validation, decision, `EventLog.submit` and `apply` run under one short writer lock, so
/// sequence order is apply order; the wait for durability happens outside it, so concurrent
/// writers share a group commit.
///
/// Queries never take that lock and never see what is not durable: after every command the
/// engine freezes its state (an O(1) copy of persistent storage) and, once the command's events
/// are durable, publishes it in a lock-free slot; a query reads the newest published version.
/// Deployments that come due are recorded by the first request past their due time; a query
/// before it (an atomic comparison) touches nothing else.
///
/// If a write to the log fails after its events were applied, the state is ahead of the disk.
/// When the log cut the failed group back off the disk (it does unless that fails too), the
/// engine goes back to the version that is exactly the log's durable end, answers the commands
/// of that group with an error that says they were not recorded (`ServiceUnavailable` for a full
/// disk), and goes on serving: reads at once, writes as soon as the disk takes them again. When
/// the outcome of the write is unknown, it answers `InternalFailure` and refuses every later
/// request until it is reopened.
public final class ConformanceEngine: Sendable {
    /// The event log; `nil` for a read-only view (``openReadOnly(dataDirectory:at:logger:)``).
    let log: EventLog?
    let snapshotStore: SnapshotStore
    /// The writer's state, guarded by the writer lock.
    let core: Mutex<Core>
    /// The newest durable version: what queries read, without a lock.
    let published: PublishedSlot<EngineVersion>
    /// The earliest due time of a deployment in the writer's state (epoch ms; `Int64.max` when
    /// none): a query before it takes no lock at all.
    let nextDue: Atomic<Int64>
    /// Set once the engine refuses requests (closed, or stopped after a failed write).
    let stopped = Atomic<Bool>(false)
    let clock: any ConformanceClock
    let mint: IdentifierMint
    /// The deployment delay in milliseconds.
    let delay: Int64
    /// Bytes of applied events between periodic snapshots (0: only on close).
    let snapshotEveryBytes: UInt64
    let logger: Logger
    /// The engine's data directory.
    let dataDirectory: String
    /// The system calls beneath the log and the snapshots.
    let io: any FileIO
    /// How long a write waits for room when the log's in-flight limit is reached.
    let roomTimeout: Duration
    /// Views of past points built lately (``view(at:)``).
    let views = PointViews(capacity: ConformanceEngine.pointViewsKept)

    /// The writer's part, guarded by `core`.
    struct Core: Sendable {
        /// The newest state, durable or not: commands validate against it.
        var state: EngineState
        /// Bytes of event records applied since the engine opened (the snapshot trigger).
        var appliedBytes: UInt64 = 0
        /// Versions frozen after each command, oldest first, until their events are durable.
        var unpublished = Deque<EngineVersion>()
        /// Set once the engine stops accepting requests (a failed write, or `close()`).
        var refusal: ConformanceError?
        var closed = false
        /// The sequence the newest snapshot (written or being written) covers, and the applied
        /// bytes at that point.
        var snapshotSequence: UInt64
        var snapshotAppliedBytes: UInt64 = 0
        var snapshotInFlight = false
        var snapshotTask: Task<Void, Never>?
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
        log: EventLog?, snapshotStore: SnapshotStore, state: EngineState, snapshotSequence: UInt64, appliedBytes: UInt64 = 0,
        configuration: Configuration
    ) {
        self.log = log
        self.snapshotStore = snapshotStore
        self.core = Mutex(Core(state: state, appliedBytes: appliedBytes, snapshotSequence: snapshotSequence))
        self.published = PublishedSlot(EngineVersion(state: state, appliedBytes: appliedBytes))
        // A read-only view shows the state as it stood: nothing comes due.
        self.nextDue = Atomic(log == nil ? .max : state.due.nextTime)
        self.clock = configuration.clock
        self.mint = IdentifierMint(source: configuration.identifiers)
        let (seconds, attoseconds) = configuration.deploymentDelay.components
        self.delay = max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
        self.snapshotEveryBytes = UInt64(max(0, configuration.snapshotEveryBytes))
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
        let rebuilt: (state: EngineState, snapshotSequence: UInt64?, replayedBytes: UInt64)
        do {
            snapshots.removeLeftovers()
            rebuilt = try rebuild(
                snapshots: snapshots, logDirectory: directories.events, io: configuration.io, through: log.lastSequence,
                ownsLog: true, logger: logger, reader: { from throws(LogError) in try log.read(from: from) }
            )
        } catch {
            try? await log.close()
            throw error
        }
        let state = rebuilt.state
        logger.info(
            "Opened conformance engine",
            metadata: [
                "engine.directory": "\(configuration.dataDirectory)", "log.sequence": "\(state.lastSequence)",
                "snapshot.sequence": "\(rebuilt.snapshotSequence.map(String.init) ?? "none")",
                "replayed_bytes": "\(rebuilt.replayedBytes)",
            ]
        )
        // The replayed tail counts towards the next snapshot (and the final one covers it).
        return ConformanceEngine(
            log: log, snapshotStore: snapshots, state: state, snapshotSequence: rebuilt.snapshotSequence ?? 0,
            appliedBytes: rebuilt.replayedBytes, configuration: configuration
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
            stopped.store(true, ordering: .releasing)
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
                publishDurable(snapshots: false)
                let version = published.load()
                let covered = core.withLock { $0.snapshotSequence }
                if version.state.lastSequence > covered { await writeSnapshotOnThread(version.state) }
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
    /// - Returns: 32 hex digits, of the newest durable state.
    public func stateDigest() -> String {
        SnapshotCodec.digest(published.load().state)
    }

    /// The sequence of the last durable event applied to the read models.
    public var lastSequence: UInt64 { published.load().state.lastSequence }

    /// Stops the engine for good (until it is reopened); returns the error to answer with.
    func refuse(_ core: inout Core, because cause: any Error, sequence: UInt64) -> ConformanceError {
        if let refusal = core.refusal, refusal != Self.closedError { return refusal }
        let error = ConformanceError(
            .internalFailure,
            "The conformance engine stopped accepting requests: writing event \(sequence) to its log failed (\(cause)). "
                + "Its memory may be ahead of its log; reopen the engine to recover from the log."
        )
        core.refusal = error
        stopped.store(true, ordering: .releasing)
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
    /// Clamped to what an `Int64` holds (callers refuse times outside years 1 to 9999 first).
    var epochMilliseconds: Int64 {
        let milliseconds = (timeIntervalSince1970 * 1000).rounded(.down)
        guard milliseconds.isFinite else { return milliseconds < 0 ? .min : .max }
        return Int64(exactly: milliseconds) ?? (milliseconds < 0 ? .min : .max)
    }

    /// Whether the time lies in years 1 to 9999, the range AWS timestamps take.
    var isWithinAWSRange: Bool {
        timeIntervalSince1970 >= -62_135_596_800 && timeIntervalSince1970 <= 253_402_300_799
    }

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
