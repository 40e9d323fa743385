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
    }

    /// Opens a read-only view of a data directory as it stood at `point` (`conform serve --at`).
    ///
    /// The view answers queries from the state rebuilt from the log up to that point (starting
    /// from a snapshot when one lies before it), never writes, and may run beside the engine that
    /// writes the directory. Commands are refused with `AccessDeniedException`; deployments that
    /// were in progress at that point stay in progress.
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
        let directories = EngineDirectories(dataDirectory, io: SystemFileIO())
        // Find the last sequence the view covers.
        let probe = try LogDirectory.openReader(directory: directories.events)
        var through: UInt64 = 0
        scan: while let event = try probe.next() {
            switch point {
            case nil: through = event.sequence
            case .sequence(let sequence)?:
                guard event.sequence <= sequence else { break scan }  // sequences only grow
                through = event.sequence
            case .time(let date)?: if Int64(event.batchTimestamp) <= date.epochMilliseconds { through = event.sequence }
            }
        }
        let snapshots = SnapshotStore(directory: directories.snapshots)
        // `rebuild` ignores a snapshot past `through`, so a later snapshot never leaks into the view.
        let state = through == 0 ? EngineState() : try rebuild(
            snapshots: snapshots, logDirectory: directories.events, io: SystemFileIO(), through: through, ownsLog: false,
            logger: logger,
            reader: { from throws(LogError) in
                try LogDirectory.openReader(directory: directories.events, from: from, through: through)
            }
        ).state
        let configuration = Configuration(dataDirectory: dataDirectory, snapshotEveryBytes: 0, logger: logger)
        return ConformanceEngine(
            log: nil, snapshotStore: snapshots, state: state, snapshotSequence: state.lastSequence,
            configuration: configuration
        )
    }
}
