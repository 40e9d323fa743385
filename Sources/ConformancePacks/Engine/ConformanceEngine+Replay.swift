package import EventLog
public import Logging

extension ConformanceEngine {
    /// What an offline replay rebuilt.
    public struct ReplayReport: Sendable, Hashable {
        /// ``ConformanceEngine/stateDigest()`` of the rebuilt read models.
        public var digest: String
        /// The last event applied.
        public var lastSequence: UInt64
        /// The snapshot the replay started from, or `nil` when it read the log from the start.
        public var snapshotSequence: UInt64?
    }

    /// Rebuilds the read models of a data directory without opening it for writing (a running
    /// engine may hold it), and reports their digest.
    ///
    /// - Parameters:
    ///   - dataDirectory: The engine's directory.
    ///   - useSnapshots: Start from the newest valid snapshot (as `open` does) instead of event 1.
    ///   - logger: Where skipped snapshots are reported.
    /// - Returns: The digest and how far the replay went.
    /// - Throws: `LogError` when the log cannot be read; ``ConformanceError`` (`InternalFailure`)
    ///   when an event does not decode.
    public static func replay(
        dataDirectory: String, useSnapshots: Bool = false, logger: Logger = Logger(label: "conform.replay")
    ) throws -> ReplayReport {
        try replay(dataDirectory: dataDirectory, useSnapshots: useSnapshots, logger: logger, io: SystemFileIO())
    }

    /// ``replay(dataDirectory:useSnapshots:logger:)`` over `io`.
    package static func replay(
        dataDirectory: String, useSnapshots: Bool, logger: Logger, io: any FileIO
    ) throws -> ReplayReport {
        let directories = EngineDirectories(dataDirectory, io: io)
        let snapshots = useSnapshots ? SnapshotStore(directory: directories.snapshots, io: io) : nil
        // A snapshot is trusted only if the log reaches it: find the log's end (only then).
        var last = UInt64.max
        if useSnapshots { last = try resolve(nil, events: directories.events, end: nil, io: io) }
        let (state, snapshotSequence, _) = try rebuild(
            snapshots: snapshots, logDirectory: directories.events, io: io, through: last, ownsLog: false, logger: logger,
            reader: { from throws(LogError) in try LogDirectory.openReader(directory: directories.events, from: from, io: io) }
        )
        return ReplayReport(digest: SnapshotCodec.digest(state), lastSequence: state.lastSequence, snapshotSequence: snapshotSequence)
    }
}

extension ConformanceEngine {
    /// What `conform replay --to` rebuilt: the state's report, and how.
    package struct PointReplay: Sendable {
        /// The state after the point.
        package var report: StateReport
        /// The snapshot the replay started from; nil when it read the log from event 1.
        package var snapshotSequence: UInt64?
        /// Events applied after that snapshot.
        package var eventsReplayed: UInt64
    }

    /// Rebuilds the state of a data directory as it stood at `point` (the end of the log when
    /// nil, or when the point lies beyond it) without opening it for writing, from the newest
    /// snapshot at or before it that the log vouches for.
    ///
    /// - Parameter progress: Called now and then with the events applied and the number to apply.
    /// - Throws: `LogError` when the log cannot be read; ``ConformanceError`` (`InternalFailure`)
    ///   when an event does not decode.
    package static func replay(
        dataDirectory: String, to point: ReadPoint?, logger: Logger,
        progress: ((_ applied: UInt64, _ total: UInt64) -> Void)? = nil
    ) throws -> PointReplay {
        let io = SystemFileIO()
        let through = try resolve(point, events: EngineDirectories(dataDirectory, io: io).events, end: nil, io: io)
        let rebuilt = try rebuildPoint(dataDirectory: dataDirectory, through: through, io: io, logger: logger, progress: progress)
        return PointReplay(
            report: StateReport(rebuilt.state), snapshotSequence: rebuilt.snapshotSequence,
            eventsReplayed: through - (rebuilt.snapshotSequence ?? 0))
    }
}
