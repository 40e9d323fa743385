extension ConformanceEngine {
    /// What the log's writer has done since the log was opened: how well group commit shares syncs.
    public struct LogCounters: Sendable, Hashable {
        /// Events written.
        public var events: UInt64
        /// Batches written (one per group commit).
        public var batches: UInt64
        /// `fdatasync` calls made.
        public var syncs: UInt64
    }

    /// The log writer's counters; nil for a read-only engine (no writer).
    public var logCounters: LogCounters? {
        guard let log else { return nil }
        let statistics = log.statistics
        return LogCounters(events: statistics.events, batches: statistics.batches, syncs: statistics.syncs)
    }
}
