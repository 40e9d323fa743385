/// What a `ResultTree` stores for one key: the evaluation's times and its annotation.
///
/// All times are epoch milliseconds. The value takes 20 bytes in a leaf (plus the 8-byte key).
public struct ResultValue: Sendable, Hashable {
    /// The evaluation's `OrderingTimestamp`: a later (or equal) one replaces the stored result.
    public var orderingTimestamp: Int64
    /// When the store recorded the result.
    public var recordedTime: Int64
    /// The interned annotation string, or 0 for none.
    public var annotation: UInt32

    /// Creates a value.
    public init(orderingTimestamp: Int64, recordedTime: Int64, annotation: UInt32 = 0) {
        self.orderingTimestamp = orderingTimestamp
        self.recordedTime = recordedTime
        self.annotation = annotation
    }
}
