import Foundation
import Synchronization
import ConformancePacks
import EventLog

/// File checks for the log commands.
enum FileInfo {
    static func isDirectory(_ path: String, _ isDirectory: inout Bool) -> Bool {
        var flag: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &flag)
        isDirectory = flag.boolValue
        return exists
    }
}

/// Writes a line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Formats milliseconds since the epoch as an ISO 8601 UTC time.
func formatTimestamp(_ milliseconds: UInt64?) -> String {
    guard let milliseconds else { return "-" }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
}

/// Human-readable byte counts.
func formatBytes(_ bytes: UInt64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024, unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
}

/// The registration point for domain code that makes `conform log dump` readable. It starts with
/// the engine's ``ConformanceEventDescriber``; code that adds event types registers its own
/// ``EventDescriber`` before the command runs.
enum EventDescriberRegistry {
    private static let registered = Mutex<(any EventDescriber)?>(ConformanceEventDescriber())

    /// Sets the describer `conform log dump` uses.
    static func register(_ describer: any EventDescriber) {
        registered.withLock { $0 = describer }
    }

    /// The registered describer, if any.
    static var current: (any EventDescriber)? {
        registered.withLock { $0 }
    }
}
