/// One event as the log stores it: an opaque payload tagged with its type and schema version.
///
/// On disk a record is `type u16 · schema version u8 · length varint · bytes`, little-endian.
public struct EventRecord: Sendable, Hashable {
    /// The event type, defined by the code that writes the log.
    public var type: UInt16
    /// The version of the payload's schema for `type`.
    public var schemaVersion: UInt8
    /// The encoded event.
    public var payload: [UInt8]

    /// Creates a record.
    public init(type: UInt16, schemaVersion: UInt8, payload: [UInt8]) {
        self.type = type
        self.schemaVersion = schemaVersion
        self.payload = payload
    }
}

/// An event read back from the log, with the sequence number and batch time it was given.
public struct LoggedEvent: Sendable, Hashable {
    /// The event's sequence number; dense from 1.
    public var sequence: UInt64
    /// When the batch holding the event was written, in milliseconds since the Unix epoch.
    public var batchTimestamp: UInt64
    /// The event.
    public var record: EventRecord

    /// Creates a logged event.
    public init(sequence: UInt64, batchTimestamp: UInt64, record: EventRecord) {
        self.sequence = sequence
        self.batchTimestamp = batchTimestamp
        self.record = record
    }
}

/// Turns a record into readable text for `conform log dump`; the domain registers one.
public protocol EventDescriber: Sendable {
    /// A one-line description of the record, or nil to fall back to the raw form.
    func describe(_ record: EventRecord) -> String?
}
