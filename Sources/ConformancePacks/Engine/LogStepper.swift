package import EventLog
import Foundation
package import Logging

/// Replays a log one event at a time through the one `apply` path, with read access to the state
/// between events: what `conform log history` and `conform log diff` are built on.
///
/// Opens the log read-only (no lock; an engine may be writing it) and never writes a snapshot.
/// The state before the first step is empty, or rebuilt through a starting sequence by the same
/// `rebuild` that start-up uses (from a snapshot that lies at or before it, when there is one).
package final class LogStepper {
    /// What one step applied.
    package struct Step: Sendable {
        package var sequence: UInt64
        /// Epoch ms of the event's batch.
        package var timestamp: UInt64
        /// What the event touches (member packs resolved against the state before it).
        package var touches: EventTouches
        let event: DomainEvent
        /// The describer's one line for the event (made when asked for).
        package var description: String { ConformanceEventDescriber.describe(event) }
    }

    /// The read models after the last step.
    private(set) var state: EngineState
    private let reader: LogReader

    /// Opens a stepper over a log.
    ///
    /// - Parameters:
    ///   - logDirectory: The directory of segments (`DATA/events`).
    ///   - snapshotDirectory: `DATA/snapshots`, or nil to replay from event 1.
    ///   - start: The sequence to rebuild through before the first step (0: the empty state).
    ///   - through: The last sequence a step applies; nil for the end of the log.
    /// - Throws: `LogError` when the log cannot be read, ``ConformanceError`` when an event does not decode.
    package init(
        logDirectory: String, snapshotDirectory: String?, start: UInt64 = 0, through: UInt64? = nil,
        logger: Logger = LogStepper.quietLogger
    ) throws {
        if start == 0 {
            state = EngineState()
        } else {
            state = try ConformanceEngine.rebuild(
                snapshots: snapshotDirectory.map { SnapshotStore(directory: $0) }, logDirectory: logDirectory,
                io: SystemFileIO(), through: start, ownsLog: false, logger: logger,
                reader: { from throws(LogError) in try LogDirectory.openReader(directory: logDirectory, from: from, through: start) }
            ).state
        }
        // A range that ends before the start reads nothing.
        let first = state.lastSequence
        reader = try LogDirectory.openReader(directory: logDirectory, from: first + 1, through: through.map { max($0, first) })
    }

    /// The last sequence applied (0 before any).
    package var lastSequence: UInt64 { state.lastSequence }

    /// Applies the next event, or returns nil at the end of the range (or of the log).
    ///
    /// - Throws: `LogError` for damage; ``ConformanceError`` when the event does not decode or
    ///   does not follow the last one.
    package func step() throws -> Step? {
        guard let logged = try reader.next() else { return nil }
        let event = try ConformanceEngine.decodeForReplay(logged, after: state.lastSequence)
        let before = state
        let touches = EventTouches.of(event) { creator, name in
            before.organizations.packs[creator]?[name]?.memberPackName
        }
        state.apply(event, sequence: logged.sequence)
        return Step(sequence: logged.sequence, timestamp: logged.batchTimestamp, touches: touches, event: event)
    }

    /// Steps to the end of the range; `progress` is called after each event with its sequence.
    package func run(progress: (UInt64) -> Void = { _ in }) throws {
        while let step = try step() { progress(step.sequence) }
    }

    /// A logger that drops everything (passed-over snapshots are not the tools' business).
    package static var quietLogger: Logger {
        var logger = Logger(label: "conform.stepper")
        logger.logLevel = .critical
        return logger
    }

    /// The last sequence at `point`: of the last event at or before it (0 when none is).
    ///
    /// Reads batch headers, not events (``ConformanceEngine/resolve(_:events:after:end:io:)``).
    ///
    /// - Throws: `LogError` when the log cannot be read.
    package static func sequence(at point: ConformanceEngine.ReadPoint, logDirectory: String) throws(LogError) -> UInt64 {
        try ConformanceEngine.resolve(point, events: logDirectory, end: nil, io: SystemFileIO())
    }
}
