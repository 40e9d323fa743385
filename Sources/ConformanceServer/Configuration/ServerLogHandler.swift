import Foundation
package import Logging

/// A standard-error log handler whose metadata costs nothing until a line is written.
///
/// swift-log's `StreamLogHandler` re-renders its metadata string every time metadata is set, and
/// Hummingbird sets a request id on the application's logger for every request: that rendering
/// showed up at ~3.5% of a DescribeConformancePacks call. This handler keeps metadata as a
/// dictionary and renders it only for lines that pass the level. Lines look like
/// `2024-01-01T00:00:00Z info conform.server: key=value [source] message`.
package struct ServerLogHandler: LogHandler {
    package var metadata: Logger.Metadata = [:]
    package var logLevel: Logger.Level
    private let label: String

    /// Creates a handler.
    ///
    /// - Parameters:
    ///   - label: The logger's label.
    ///   - level: The least severe level written.
    package init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata {
            merged.merge(extra) { _, new in new }
        }
        let rendered = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let timestamp = Date().formatted(.iso8601)
        var line = "\(timestamp) \(event.level) \(label):"
        if !rendered.isEmpty { line += " " + rendered }
        line += " [\(event.source)] \(event.message)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
