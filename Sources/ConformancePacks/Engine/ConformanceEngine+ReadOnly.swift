public import Foundation
import EventLog
public import Logging

extension ConformanceEngine {
    /// A point in the history of a log.
    public enum ReadPoint: Sendable, Hashable {
        /// After the event with this sequence number.
        case sequence(UInt64)
        /// After the last batch written at or before this time.
        case time(Date)

        /// Parses `--at`, `--to` or the `x-conform-at` header: an event sequence number, or an
        /// ISO-8601 time with or without fractional seconds (`2024-01-02T03:04:05Z`).
        ///
        /// - Returns: `nil` for anything else.
        public init?(parsing text: String) {
            if let sequence = UInt64(text) {
                self = .sequence(sequence)
            } else if let date = try? Date(text, strategy: .iso8601) {
                self = .time(date)
            } else if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) {
                self = .time(date)
            } else {
                return nil
            }
        }
    }

    /// Opens a read-only view of a data directory as it stood at `point` (`conform serve --at`).
    ///
    /// The view answers queries from the state rebuilt from the log up to that point (starting
    /// from a snapshot when one lies before it), never writes, and may run beside the engine that
    /// writes the directory. Commands are refused with `AccessDeniedException`; deployments that
    /// were in progress at that point stay in progress. A point beyond the end of the log is the
    /// end of the log.
    ///
    /// - Parameters:
    ///   - dataDirectory: The engine's directory.
    ///   - point: Where to stop; `nil` for the end of the log.
    ///   - logger: Where skipped snapshots are reported.
    /// - Returns: The view.
    /// - Throws: `LogError` when the log cannot be read; ``ConformanceError`` (`InternalFailure`)
    ///   when an event does not decode.
    public static func openReadOnly(
        dataDirectory: String, at point: ReadPoint? = nil, logger: Logger = Logger(label: "conform.engine")
    ) throws -> ConformanceEngine {
        let io = SystemFileIO()
        let directories = EngineDirectories(dataDirectory, io: io)
        let through = try resolve(point, events: directories.events, end: nil, io: io)
        let state = try rebuildPoint(dataDirectory: dataDirectory, through: through, io: io, logger: logger).state
        let configuration = Configuration(dataDirectory: dataDirectory, snapshotEveryBytes: 0, logger: logger)
        return readOnlyView(of: state, configuration: configuration)
    }

    /// The last sequence `point` stands for: the point's sequence, or the end of the last batch
    /// written at or before its time; never past `end` (nil: the end of the log on disk).
    ///
    /// Reads batch headers only (checksums are checked, events are not decompressed), and only as
    /// far as `end` (or a sequence point).
    ///
    /// - Parameter after: Look only at batches after this sequence (0 for the whole log), and
    ///   answer 0 when none of them qualifies: how a time resolved earlier is brought up to date.
    static func resolve(
        _ point: ReadPoint?, events: String, after: UInt64 = 0, end: UInt64?, io: any FileIO
    ) throws(LogError) -> UInt64 {
        if case .sequence(let sequence)? = point, let end { return min(sequence, end) }
        if end == 0 { return 0 }
        var limit = end
        if case .sequence(let sequence)? = point { limit = min(sequence, limit ?? .max) }
        if limit == 0 || after >= limit ?? .max { return 0 }
        let reader = try LogDirectory.openReader(directory: events, from: after + 1, through: limit, io: io)
        var through: UInt64 = 0
        while let batch = try reader.nextBatch() {
            // Batch times need not grow (the clock may step back): every batch is looked at.
            if case .time(let date)? = point, Int64(clamping: batch.timestamp) > date.epochMilliseconds { continue }
            through = batch.last
        }
        return through
    }

    /// Rebuilds the state after `through` (a sequence the log holds): the newest snapshot at or
    /// before it that the log vouches for, then the events after it. Moves no snapshot aside.
    ///
    /// - Parameter progress: Called with the events applied so far and the number to apply.
    static func rebuildPoint(
        dataDirectory: String, through: UInt64, io: any FileIO, logger: Logger,
        progress: ((_ applied: UInt64, _ total: UInt64) -> Void)? = nil
    ) throws -> (state: EngineState, snapshotSequence: UInt64?) {
        guard through > 0 else { return (EngineState(), nil) }
        let directories = EngineDirectories(dataDirectory, io: io)
        // `rebuild` ignores a snapshot past `through`, so a later snapshot never leaks into the view.
        let rebuilt = try rebuild(
            snapshots: SnapshotStore(directory: directories.snapshots, io: io), logDirectory: directories.events, io: io,
            through: through, ownsLog: false, logger: logger,
            reader: { from throws(LogError) in
                try LogDirectory.openReader(directory: directories.events, from: from, through: through, io: io)
            },
            progress: progress
        )
        guard rebuilt.state.lastSequence == through else {
            throw ConformanceError(
                .internalFailure, "The log ends at sequence \(rebuilt.state.lastSequence), before sequence \(through).")
        }
        return (rebuilt.state, rebuilt.snapshotSequence)
    }

    /// A read-only engine over `state`: queries only, nothing comes due.
    static func readOnlyView(of state: EngineState, configuration: Configuration) -> ConformanceEngine {
        ConformanceEngine(
            log: nil, snapshotStore: SnapshotStore(directory: EngineDirectories(configuration.dataDirectory, io: configuration.io).snapshots, io: configuration.io),
            state: state, snapshotSequence: state.lastSequence, configuration: configuration
        )
    }
}
