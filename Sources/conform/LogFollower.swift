import EventLog
import Foundation
import Synchronization

/// `conform log dump --follow`: after the existing events, polls the same read-only reader for
/// batches that became durable since (a catch-up reader that turns live), until SIGINT or
/// SIGTERM, or until `--to` is reached.
struct Follower {
    /// Set by the signal handlers; read between polls.
    static let stop = Atomic<Bool>(false)
    /// How long to wait when the log has nothing new.
    static let pollInterval: UInt32 = 100_000  // microseconds

    let reader: LogReader
    let to: UInt64?

    /// Turns SIGINT and SIGTERM into a request to stop (call before catching up, so that a
    /// signal during the catch-up also ends the dump cleanly).
    static func installSignalHandlers() {
        _ = stop.load(ordering: .relaxed)  // initialized before a handler can touch it
        signal(SIGINT) { _ in Follower.stop.store(true, ordering: .relaxed) }
        signal(SIGTERM) { _ in Follower.stop.store(true, ordering: .relaxed) }
    }

    /// Whether a signal asked to stop.
    static var stopped: Bool { stop.load(ordering: .relaxed) }

    func run(_ body: (LoggedEvent) throws -> Void) throws {
        fflush(nil)
        while !Self.stopped {
            if let event = try reader.next() {
                try body(event)
                if let to, event.sequence >= to { return }
                continue
            }
            usleep(Self.pollInterval)
        }
    }
}
