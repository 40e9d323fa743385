/// When an append is acknowledged, chosen per log.
public enum Durability: Sendable, Hashable {
    /// Acknowledge after the batch holding the records was written and `fdatasync`ed (the default).
    /// Appends that arrive while a write is in flight share the next batch and the next sync.
    case everyBatch
    /// Acknowledge after `write(2)`; the writer `fdatasync`s at least every `milliseconds`, so a
    /// machine crash loses at most that window (a process crash loses nothing written).
    case interval(milliseconds: Int)
    /// Acknowledge after `write(2)`; sync only on segment roll and close (tests, benchmarks).
    case none
}
