import ArgumentParser
import ConformancePacks
import EventLog
import Foundation

/// Where a log and its snapshots are, given DIR: an engine data directory (`DIR/events`,
/// `DIR/snapshots`) or a log directory itself (no snapshots).
struct LogLocation {
    var events: String
    var snapshots: String?

    init(_ options: LogDirectoryOptions) {
        events = options.logDirectory
        if events != options.directory {
            let root = options.directory.hasSuffix("/") ? String(options.directory.dropLast()) : options.directory
            snapshots = root + "/snapshots"
        }
    }
}

/// Output format of the replaying log commands.
enum ReplayFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// A one-line reason on standard error and a non-zero exit for what replaying a log throws:
/// damage (``LogError``, naming file, offset and sequence) or an event that does not decode.
func exitWithReplayError(_ error: any Error) -> any Error {
    switch error {
    case let error as LogError: return exitWithLogError(error)
    case let error as ConformanceError:
        printError("error: \(error.message)")
        return ExitCode(2)
    case let error as ExitCode: return error
    default:
        printError("error: \(error)")
        return ExitCode(2)
    }
}

/// One JSON object on one line, keys sorted.
func jsonLine(_ object: [String: Any]) -> String {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self)
}

/// A progress line on standard error while a replay runs long (events applied of the total, and
/// the rate), redrawn at most five times a second, only when standard error is a terminal, and
/// erased at the end.
struct ReplayProgress {
    /// Whether standard error is a terminal (nothing is drawn otherwise).
    static let enabled = isatty(STDERR_FILENO) == 1
    private var total: UInt64?
    private let first: UInt64
    private let started = ContinuousClock.now
    private var lastDraw = ContinuousClock.now
    private var drawn = false

    /// - Parameters:
    ///   - first: The sequence the replay starts after.
    ///   - total: The last sequence it will apply, when known.
    init(after first: UInt64, through total: UInt64?) {
        self.first = first
        self.total = total
    }

    mutating func update(_ sequence: UInt64) {
        guard sequence & 1023 == 0 else { return }
        draw(sequence)
    }

    /// For a replay that reports how many events it applied of how many (`conform replay`).
    mutating func update(applied: UInt64, of count: UInt64) {
        total = first + count
        draw(first + applied)
    }

    private mutating func draw(_ sequence: UInt64) {
        guard Self.enabled else { return }
        let now = ContinuousClock.now
        // Only a replay that takes long shows a line; then at most five redraws a second.
        guard now - started >= .milliseconds(500), now - lastDraw >= .milliseconds(200) else { return }
        lastDraw = now
        let applied = sequence - first
        var text = "\rreplaying: \(applied)"
        if let total, total > first { text += String(format: " / %llu events (%.0f%%)", total - first, 100 * Double(applied) / Double(total - first)) }
        else { text += " events" }
        let seconds = (now - started).seconds
        if seconds > 0 { text += String(format: ", %.0f events/s", Double(applied) / seconds) }
        FileHandle.standardError.write(Data((text + "\u{1B}[K").utf8))
        drawn = true
    }

    /// Erases the line.
    mutating func clear() {
        guard drawn else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        drawn = false
    }

    /// The log's last sequence for the progress line's total: found only when a line can be drawn.
    static func lastSequence(of events: String) -> UInt64? {
        guard enabled else { return nil }
        return try? LogInspector.verify(directory: events, decode: false).lastSequence
    }
}
