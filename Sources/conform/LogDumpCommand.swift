import ArgumentParser
import EventLog
import Foundation

/// `conform log dump DIR`: the records, one per line.
struct LogDumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print the records of a log: sequence, type, schema version, length, and a description when one is registered."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @OptionGroup var options: LogDirectoryOptions

    @Option(help: "The first sequence to print.")
    var from: UInt64 = 1

    @Option(help: "The last sequence to print (default: the end of the log).")
    var to: UInt64?

    @Option(help: "Output format: text (aligned columns) or json (one object per line).")
    var format: Format = .text

    @Flag(help: "Also print each payload (hex in text, base64 in json).")
    var payload = false

    @Flag(help: "Do not describe records with the registered event describer.")
    var raw = false

    func validate() throws {
        guard from >= 1 else { throw ValidationError("--from must be 1 or more; sequences start at 1.") }
        if let to, to < from { throw ValidationError("--to (\(to)) must not be below --from (\(from)).") }
    }

    func run() throws {
        let describer = raw ? nil : EventDescriberRegistry.current
        do {
            let reader = try LogDirectory.openReader(directory: options.logDirectory, from: from, through: to)
            while let event = try reader.next() {
                print(line(event, describer: describer))
            }
        } catch {
            throw exitWithLogError(error)
        }
    }

    private func line(_ event: LoggedEvent, describer: (any EventDescriber)?) -> String {
        let record = event.record
        let description = describer?.describe(record)
        switch format {
        case .text:
            var text = "\(event.sequence)\ttype=\(record.type)\tv\(record.schemaVersion)\t\(record.payload.count) bytes\t\(formatTimestamp(event.batchTimestamp))"
            if let description { text += "\t\(description)" }
            if payload { text += "\t" + record.payload.map { String(format: "%02x", $0) }.joined() }
            return text
        case .json:
            var object: [String: Any] = [
                "sequence": event.sequence, "type": Int(record.type), "schemaVersion": Int(record.schemaVersion),
                "length": record.payload.count, "timestamp": event.batchTimestamp,
            ]
            if let description { object["description"] = description }
            if payload { object["payload"] = Data(record.payload).base64EncodedString() }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
            return String(decoding: data, as: UTF8.self)
        }
    }
}
