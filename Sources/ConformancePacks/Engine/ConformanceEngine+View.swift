import EventLog
import Foundation

extension ConformanceEngine {
    /// Built views of past points an engine keeps (``view(at:)``).
    static let pointViewsKept = 4

    /// The engine as it stood at `point`: a read-only engine that answers every query from the
    /// state after that point and refuses every command (`x-conform-at`).
    ///
    /// The newest durable state is answered at once (it is the one queries read now). An earlier
    /// point is rebuilt from the newest snapshot at or before it plus the events after it, and
    /// the views of the last ``pointViewsKept`` points are kept, keyed by the last sequence they
    /// cover, so a time and a sequence that resolve to the same point share one. A time is
    /// resolved by reading batch headers (not events) up to the durable end, and remembered with
    /// how far it was read: asked again, only the batches written since are read. A point past
    /// the durable end (a later sequence, or a time after the last batch) is the durable end.
    ///
    /// - Parameter point: A sequence number, or a time (the last batch written at or before it).
    /// - Returns: The read-only view; ``lastSequence`` tells the point it stands for.
    /// - Throws: `LogError` when the log cannot be read; ``ConformanceError`` (`InternalFailure`)
    ///   when an event does not decode, or the engine stopped.
    public func view(at point: ReadPoint) async throws -> ConformanceEngine {
        if stopped.load(ordering: .acquiring), let refusal = core.withLock({ $0.refusal }) { throw refusal }
        let current = published.load().state
        let end = current.lastSequence
        let through: UInt64
        switch point {
        case .sequence(let sequence): through = min(sequence, end)
        case .time(let date):
            // A time resolved before is brought up to date with the batches written since (any of
            // them may stand at or before it: batch times need not grow), never rescanned whole.
            let time = date.epochMilliseconds
            let known = views.resolution(at: time)
            if let known, known.scanned >= end {
                through = min(known.sequence, end)
            } else {
                // Reads batch headers up to the durable end: off the caller's executor.
                let files = self.io
                let events = EngineDirectories(dataDirectory, io: files).events
                let after = known?.scanned ?? 0
                let found = try await Self.onThread { try Self.resolve(point, events: events, after: after, end: end, io: files) }
                through = max(found, known?.sequence ?? 0)
                views.remember(time: time, sequence: through, scanned: end)
            }
        }
        if through == end { return Self.readOnlyView(of: current, configuration: viewConfiguration) }
        let (directory, files, log, configuration) = (dataDirectory, io, logger, viewConfiguration)
        return try await views.view(at: through) {
            let state = try Self.rebuildPoint(dataDirectory: directory, through: through, io: files, logger: log).state
            return Self.readOnlyView(of: state, configuration: configuration)
        }
    }

    /// What a view of this engine is configured with.
    var viewConfiguration: Configuration {
        var configuration = Configuration(dataDirectory: dataDirectory, snapshotEveryBytes: 0, logger: logger)
        configuration.io = io
        return configuration
    }

    /// Runs `body` on a thread of its own and resumes with its result.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            PointViews.startThread { continuation.resume(with: Result { try body() }) }
        }
    }
}
