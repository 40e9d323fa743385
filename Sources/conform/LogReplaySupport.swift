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

/// Output format of the commands that print a report: text, or json for tools.
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

/// The progress line of a replay that runs long (events applied of the total, and the rate),
/// shown after half a second.
struct ReplayProgress {
    /// Whether a line can be drawn at all.
    static var enabled: Bool { ProgressLine.enabled }
    private var total: UInt64?
    private let first: UInt64
    private var line = ProgressLine(delay: .milliseconds(500))

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
        let (first, total, seconds) = (self.first, self.total, line.elapsed)
        line.draw {
            let applied = sequence - first
            var text = "replaying: \(applied)"
            if let total, total > first { text += String(format: " / %llu events (%.0f%%)", total - first, 100 * Double(applied) / Double(total - first)) }
            else { text += " events" }
            if seconds > 0 { text += String(format: ", %.0f events/s", Double(applied) / seconds) }
            return text
        }
    }

    /// Erases the line.
    mutating func clear() { line.clear() }

    /// The log's last sequence for the progress line's total: found only when a line can be drawn.
    static func lastSequence(of events: String) -> UInt64? {
        guard enabled else { return nil }
        return try? LogStepper.sequence(at: .sequence(.max), logDirectory: events)
    }
}
