#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How a log is written.
public struct LogOptions: Sendable {
    /// When appends are acknowledged.
    public var durability: Durability
    /// The size at which the current segment is sealed and a new one started, in bytes.
    public var segmentSizeLimit: Int
    /// The batch clock, in milliseconds since the Unix epoch; injected for deterministic tests.
    public var clock: @Sendable () -> UInt64
    /// Test hook: called by the writer before each batch write with its first sequence; a returned
    /// error is treated as the write's failure (fault injection for ENOSPC and I/O errors).
    var writeFault: (@Sendable (UInt64) -> LogError?)?
    /// The system calls beneath the log (a simulated disk in tests).
    package var io: any FileIO = SystemFileIO()
    /// The most bytes of appends that may wait for the disk: ``EventLog/append(_:)`` and
    /// ``EventLog/waitForRoom(timeout:)`` wait beyond it, and ``EventLog/enqueue(_:)`` refuses at
    /// twice it with ``LogError/Code/overloaded``.
    package var inFlightLimit = 64 << 20

    /// Creates options.
    ///
    /// - Parameters:
    ///   - durability: When appends are acknowledged; ``Durability/everyBatch`` by default.
    ///   - segmentSizeLimit: The roll threshold in bytes (64 MiB by default, at least 4 KiB).
    ///   - clock: Milliseconds since the Unix epoch; the system's real-time clock by default.
    public init(
        durability: Durability = .everyBatch,
        segmentSizeLimit: Int = 64 << 20,
        clock: @escaping @Sendable () -> UInt64 = LogOptions.systemClock
    ) {
        self.durability = durability
        self.segmentSizeLimit = segmentSizeLimit
        self.clock = clock
    }

    /// The system's real-time clock in milliseconds since the Unix epoch.
    @Sendable public static func systemClock() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(now.tv_sec) &* 1000 &+ UInt64(now.tv_nsec / 1_000_000)
    }
}

/// What recovery on open cut from a torn or damaged tail of the last segment.
public struct RecoveryReport: Sendable, Hashable, CustomStringConvertible {
    /// The segment file that was truncated.
    public var file: String
    /// The byte offset the file was truncated to (the end of the last whole batch).
    public var offset: Int
    /// How many bytes were cut.
    public var bytesCut: Int
    /// The sequences of the cut batch, when its header was readable.
    public var lostSequences: ClosedRange<UInt64>?
    /// The first sequence the cut bytes could have held (the one after the last whole batch),
    /// known even when the cut batch's header was not readable.
    public var firstLostSequence: UInt64?
    /// Why the tail was cut.
    public var reason: String

    /// Creates a report.
    public init(
        file: String, offset: Int, bytesCut: Int, lostSequences: ClosedRange<UInt64>?, firstLostSequence: UInt64? = nil,
        reason: String
    ) {
        self.file = file
        self.offset = offset
        self.bytesCut = bytesCut
        self.lostSequences = lostSequences
        self.firstLostSequence = firstLostSequence ?? lostSequences?.lowerBound
        self.reason = reason
    }

    /// The sequences lost, in words: `3...5`, or `from 3 on` when the cut batch's header was not
    /// readable, or `none`.
    public var lostDescription: String {
        if let lost = lostSequences { return "\(lost.lowerBound)...\(lost.upperBound)" }
        if let first = firstLostSequence { return "from \(first) on (the cut batch's header was not readable)" }
        return "none"
    }

    /// One line naming the file, the bytes cut and the sequences lost.
    public var description: String {
        var text = "truncated \(bytesCut) bytes at offset \(offset) of \(file) (\(reason))"
        if lostSequences != nil || firstLostSequence != nil { text += "; sequences \(lostDescription) were lost" }
        return text
    }
}

/// Counters of the writer, for benchmarks and diagnostics.
public struct LogStatistics: Sendable, Hashable {
    /// Batches written.
    public var batches: UInt64 = 0
    /// Events written.
    public var events: UInt64 = 0
    /// `fdatasync` calls made.
    public var syncs: UInt64 = 0
    /// Uncompressed record bytes written.
    public var rawBytes: UInt64 = 0
    /// Bytes written to segments (headers plus compressed payloads).
    public var storedBytes: UInt64 = 0
    /// The capacity of the pending and writer buffers now; it shrinks back after a burst.
    public var bufferBytes = 0 {
        didSet { peakBufferBytes = max(peakBufferBytes, bufferBytes) }
    }
    /// The most ``bufferBytes`` has been since the log was opened.
    public private(set) var peakBufferBytes = 0
    /// How many times the log took appends again after a failed write it had rolled back.
    public var resumes: UInt64 = 0
    /// Creates zeroed counters.
    public init() {}
}
