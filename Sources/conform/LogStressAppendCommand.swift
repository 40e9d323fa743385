import ArgumentParser
import EventLog
import Foundation
import Synchronization

/// `conform log stress-append DIR` (hidden): appends from many tasks and prints each
/// acknowledged range, for the crash test that kills this process with SIGKILL.
struct LogStressAppendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stress-append",
        abstract: "Append concurrently and print `ack FIRST LAST APPENDER COUNTER` per acknowledged append (for crash tests).",
        shouldDisplay: false
    )

    @OptionGroup var options: LogDirectoryOptions

    @Option(help: "How many concurrent appenders.")
    var appenders = 16

    @Option(help: "Appends per appender (0: until killed).")
    var count = 0

    @Option(help: "Segment size limit in bytes (small values exercise rolls).")
    var segmentSize = 1 << 20

    func validate() throws {
        // `0..<appenders` traps on a negative count.
        guard appenders >= 1 else { throw ValidationError("--appenders must be at least 1, not \(appenders).") }
        guard count >= 0 else { throw ValidationError("--count must be 0 (until killed) or more, not \(count).") }
    }

    func run() async throws {
        let log: EventLog
        do {
            log = try EventLog.open(directory: options.logDirectory, options: LogOptions(durability: .everyBatch, segmentSizeLimit: segmentSize))
        } catch {
            throw exitWithLogError(error)
        }
        let out = AckPrinter()
        let count = self.count
        let appenders = self.appenders
        try await withThrowingTaskGroup(of: Void.self) { group in
            for appender in 0..<appenders {
                group.addTask {
                    var counter = 0
                    while count == 0 || counter < count {
                        let records = (0..<(counter % 3 + 1)).map { StressRecord.make(appender: appender, counter: counter, index: $0) }
                        let range = try await log.append(records)
                        out.print("ack \(range.lowerBound) \(range.upperBound) \(appender) \(counter)\n")
                        counter += 1
                    }
                }
            }
            try await group.waitForAll()
        }
        try await log.close()
    }
}

/// The records stress-append writes; tests rebuild them to check what was acknowledged.
enum StressRecord {
    static func make(appender: Int, counter: Int, index: Int) -> EventRecord {
        var payload = Array("appender=\(appender) counter=\(counter) index=\(index) ".utf8)
        payload += [UInt8](repeating: UInt8(truncatingIfNeeded: appender &+ counter), count: 64)
        return EventRecord(type: 42, schemaVersion: 1, payload: payload)
    }
}

/// Writes whole lines to standard output with one unbuffered write(2) each, so a SIGKILL never
/// leaves an acknowledgement in a buffer.
final class AckPrinter: Sendable {
    private let lock = Mutex(())

    func print(_ line: String) {
        let bytes = Array(line.utf8)
        lock.withLock { _ in
            bytes.withUnsafeBytes { raw in _ = write(1, raw.baseAddress, raw.count) }
        }
    }
}
