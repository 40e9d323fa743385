public import Foundation
public import Logging
package import EventLog
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The time source of an engine. Injected so that tests and replays are deterministic.
public protocol ConformanceClock: Sendable {
    /// The current time. Called under the engine's lock, once per command, in sequence order.
    func now() -> Date
}

/// The wall clock.
public struct SystemClock: ConformanceClock {
    /// Creates the wall clock.
    public init() {}

    /// `Date()`.
    public func now() -> Date { Date() }
}

/// The randomness behind generated ids (pack ids, rule ids, StackArn uuids).
///
/// Injected so that a seeded run mints the same ids every time; replay never calls it because ids
/// are read back from the events.
public protocol IdentifierSource: Sendable {
    /// Returns 64 uniformly random bits.
    func next() -> UInt64
}

/// Ids from the system's cryptographically secure generator.
public struct SystemIdentifierSource: IdentifierSource {
    /// Creates the source.
    public init() {}

    /// 64 bits from the system's cryptographically secure generator.
    ///
    /// The bits are read 256 bytes at a time and handed out in order, so that minting the ids of
    /// a PutConformancePack (six words, mostly under the engine's lock) costs one `getrandom` call
    /// in 32 words instead of one per word.
    public func next() -> UInt64 { RandomWordBuffer.shared.next() }
}

/// Words of the system generator's output, fetched in blocks.
final class RandomWordBuffer: Sendable {
    static let shared = RandomWordBuffer()

    /// Words per block: 256 bytes, the most one `getentropy` call returns.
    private static let blockWords = 32
    private let block = Mutex<(words: [UInt64], used: Int)>(([], 0))

    func next() -> UInt64 {
        block.withLock { block in
            if block.used == block.words.count {
                block.words = Self.fetch()
                block.used = 0
            }
            defer { block.used += 1 }
            return block.words[block.used]
        }
    }

    /// A block of random words: one `getentropy` on Linux, the standard generator elsewhere or if
    /// that call fails.
    private static func fetch() -> [UInt64] {
        var words = [UInt64](repeating: 0, count: blockWords)
        #if canImport(Glibc)
        // `getentropy` fills up to 256 bytes with one `getrandom` call, retrying on EINTR.
        let filled = words.withUnsafeMutableBytes { bytes in getentropy(bytes.baseAddress, bytes.count) == 0 }
        if filled { return words }
        #endif
        var generator = SystemRandomNumberGenerator()
        for index in words.indices { words[index] = generator.next() }
        return words
    }
}

extension ConformanceEngine {
    /// When an accepted command counts as durable (maps onto the event log's policy).
    public enum Durability: Sendable, Hashable, CustomStringConvertible {
        /// Acknowledge after the batch holding the command's events is fdatasync'ed (the default).
        case everyBatch
        /// fdatasync at most every `milliseconds`; acknowledge once written.
        case interval(milliseconds: Int)
        /// Never fsync: tests and benchmarks.
        case none

        /// Parses the command-line form: `every-batch`, `interval=MS` or `none`.
        ///
        /// - Parameter text: The text to parse.
        /// - Returns: `nil` when `text` is none of the forms, or the interval is not a positive integer.
        public init?(parsing text: String) {
            switch text {
            case "every-batch": self = .everyBatch
            case "none": self = .none
            default:
                guard text.hasPrefix("interval="), let ms = Int(text.dropFirst("interval=".count)), ms > 0 else {
                    return nil
                }
                self = .interval(milliseconds: ms)
            }
        }

        /// The command-line form (`every-batch`, `interval=MS`, `none`).
        public var description: String {
            switch self {
            case .everyBatch: "every-batch"
            case .interval(let ms): "interval=\(ms)"
            case .none: "none"
            }
        }

        var logPolicy: LogDurability {
            switch self {
            case .everyBatch: .everyBatch
            case .interval(let ms): .interval(milliseconds: ms)
            case .none: .none
            }
        }
    }

    /// How to open an engine.
    public struct Configuration: Sendable {
        /// The engine's directory: `events/` (the log and its lock) and `snapshots/` live inside.
        public var dataDirectory: String
        /// When commands are acknowledged.
        public var durability: Durability
        /// The time source.
        public var clock: any ConformanceClock
        /// The randomness behind ids.
        public var identifiers: any IdentifierSource
        /// How long a pack stays CREATE_IN_PROGRESS / DELETE_IN_PROGRESS (spec §5.1). With zero the
        /// completion is recorded with the request, so a pack is CREATE_COMPLETE when Put returns.
        public var deploymentDelay: Duration
        /// Write a snapshot of the read models each time this many bytes of events were applied
        /// since the last one (and on close); 0 disables the periodic ones. Bytes, not events,
        /// because replay time follows bytes: one bulk evaluation event outweighs a thousand
        /// rule changes.
        public var snapshotEveryBytes: Int
        /// Where the engine logs (info level or lower).
        public var logger: Logger
        /// The system calls beneath the log and the snapshots (a simulated disk in tests).
        package var io: any FileIO = SystemFileIO()
        /// The size at which the log rolls to a new segment.
        package var segmentSizeLimit = 64 << 20
        /// The most bytes of writes that may wait for the disk before writers wait for room.
        package var inFlightLimit = 64 << 20
        /// How long a write waits for room before it is refused with `ThrottlingException`.
        package var writeRoomTimeout: Duration = .seconds(10)

        /// The event log's options for this configuration.
        var logOptions: LogOptions {
            var options = LogOptions(durability: durability.logPolicy, segmentSizeLimit: segmentSizeLimit)
            options.io = io
            options.inFlightLimit = inFlightLimit
            return options
        }

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - dataDirectory: The engine's directory; created when absent.
        ///   - durability: When commands are acknowledged; `.everyBatch` by default.
        ///   - clock: The time source; the wall clock by default.
        ///   - identifiers: The randomness behind ids; the system generator by default.
        ///   - deploymentDelay: How long deployments take; zero by default.
        ///   - snapshotEveryBytes: Bytes of applied events between snapshots; 64 MiB by default.
        ///   - logger: Where to log.
        public init(
            dataDirectory: String,
            durability: Durability = .everyBatch,
            clock: any ConformanceClock = SystemClock(),
            identifiers: any IdentifierSource = SystemIdentifierSource(),
            deploymentDelay: Duration = .zero,
            snapshotEveryBytes: Int = 64 << 20,
            logger: Logger = Logger(label: "conform.engine")
        ) {
            self.dataDirectory = dataDirectory
            self.durability = durability
            self.clock = clock
            self.identifiers = identifiers
            self.deploymentDelay = deploymentDelay
            self.snapshotEveryBytes = snapshotEveryBytes
            self.logger = logger
        }
    }
}

/// The event log's durability policy (the log's class shares its module's name, hence the alias).
typealias LogDurability = Durability
