import ArgumentParser
import ConformancePacks
import EventLog
import Foundation

/// `conform log dump DIR`: the records, one per line.
struct LogDumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print the records of a log: sequence, type, schema version, length, and a description when one is registered.",
        discussion: """
            Filters keep the events that touch an account, a pack (an account pack, a member pack \
            OrgConformsPack-… or an organization pack) or a rule, or that are of a type; they combine with AND. \
            --reverse prints newest first; --follow keeps printing events as they become durable until SIGINT.
            """
    )

    @OptionGroup var options: LogDirectoryOptions

    @Option(help: "The first sequence to print.")
    var from: UInt64 = 1

    @Option(help: "The last sequence to print (default: the end of the log).")
    var to: UInt64?

    @Option(help: "Output format: text (aligned columns) or json (one object per line, with type, account, region, pack and rules).")
    var format: ReplayFormat = .text

    @Flag(help: "Also print each payload (hex in text, base64 in json).")
    var payload = false

    @Flag(help: "Do not describe records with the registered event describer.")
    var raw = false

    @Option(help: "Only events that touch this account.")
    var account: String?

    @Option(help: "Only events that touch a pack of this name.")
    var pack: String?

    @Option(help: "Only events that touch a rule of this name.")
    var rule: String?

    @Option(help: "Only events of this type (e.g. PackRequested, case-insensitive); repeatable or comma-separated.")
    var type: [String] = []

    @Flag(help: "Newest first (from --to, or the end of the log, back to --from).")
    var reverse = false

    @Flag(help: "After the existing events, keep printing new ones as they become durable; stop with SIGINT.")
    var follow = false

    func validate() throws {
        guard from >= 1 else { throw ValidationError("--from must be 1 or more; sequences start at 1.") }
        if let to, to < from { throw ValidationError("--to (\(to)) must not be below --from (\(from)).") }
        if follow && reverse { throw ValidationError("--follow and --reverse cannot be combined: a reverse read has no new end to follow.") }
        _ = try typeNames()
    }

    /// The `--type` values as the describer names them.
    private func typeNames() throws -> Set<String> {
        var names: Set<String> = []
        for value in type.flatMap({ $0.split(separator: ",") }) {
            let wanted = value.trimmingCharacters(in: .whitespaces)
            guard let name = EventTouches.typeNames.first(where: { $0.caseInsensitiveCompare(wanted) == .orderedSame }) else {
                throw ValidationError("--type '\(wanted)' is not an event type; the types are \(EventTouches.typeNames.joined(separator: ", ")).")
            }
            names.insert(name)
        }
        return names
    }

    func run() throws {
        var printer = DumpPrinter(command: self, types: try typeNames())
        do {
            if reverse {
                let high = try LogStepper.sequence(at: .sequence(to ?? .max), logDirectory: options.logDirectory)
                if printer.needsMemberPacks {
                    printer.memberPacks = try MemberPackNames.read(logDirectory: options.logDirectory, through: high)
                }
                try readBackwards(from: high) { printer.print($0) }
            } else {
                if printer.needsMemberPacks, from > 1 {
                    printer.memberPacks = try MemberPackNames.read(logDirectory: options.logDirectory, through: from - 1)
                }
                let reader = try LogDirectory.openReader(directory: options.logDirectory, from: from, through: to)
                if follow { Follower.installSignalHandlers() }
                var last = from - 1
                while !Follower.stopped, let event = try reader.next() {
                    printer.print(event)
                    last = event.sequence
                }
                if follow, last < to ?? .max { try Follower(reader: reader, to: to).run { printer.print($0) } }
            }
        } catch {
            throw exitWithReplayError(error)
        }
    }

    /// Reads `from...high` newest first: windows of the range, each read forward and printed backward.
    private func readBackwards(from high: UInt64, _ body: (LoggedEvent) throws -> Void) throws {
        var high = high
        var window: UInt64 = 1024
        while high >= from {
            let low = high - min(window, high - from + 1) + 1
            let reader = try LogDirectory.openReader(directory: options.logDirectory, from: low, through: high)
            var events: [LoggedEvent] = []
            while let event = try reader.next() { events.append(event) }
            for event in events.reversed() { try body(event) }
            if low == from { break }
            high = low - 1
            window = min(window * 2, 1 << 16)
        }
    }

    /// Formats and filters the events of one dump.
    struct DumpPrinter {
        let command: LogDumpCommand
        let types: Set<String>
        let describer = EventDescriberRegistry.current
        /// Member pack names of the organization packs, so that a deletion (which does not carry
        /// them) can be matched by its member packs: learnt while reading forward, read first when
        /// the dump starts later or reads backwards.
        var memberPacks = MemberPackNames()

        init(command: LogDumpCommand, types: Set<String>) {
            self.command = command
            self.types = types
        }

        var filters: Bool { command.account != nil || command.pack != nil || command.rule != nil || !types.isEmpty }

        /// Whether what a deletion touches can change the output: its member packs are matched by
        /// `--pack` and listed in JSON.
        var needsMemberPacks: Bool { command.pack != nil || command.format == .json }

        mutating func print(_ event: LoggedEvent) {
            let known = memberPacks
            let touches = EventTouches.of(event.record) { account, region, name in
                known.memberPack(creatorAccount: account, region: region, name: name, before: event.sequence)
            }
            if !command.reverse { memberPacks.learn(event) }
            if filters {
                guard let touches, types.isEmpty || types.contains(touches.type),
                      touches.matches(account: command.account, pack: command.pack, rule: command.rule)
                else { return }
            }
            Swift.print(line(event, touches: touches))
            if command.follow { fflush(nil) }
        }

        private func line(_ event: LoggedEvent, touches: EventTouches?) -> String {
            let record = event.record
            let description = command.raw ? nil : describer?.describe(record)
            switch command.format {
            case .text:
                var text = "\(event.sequence)\ttype=\(record.type)\tv\(record.schemaVersion)\t\(record.payload.count) bytes\t\(formatTimestamp(event.batchTimestamp))"
                if let description { text += "\t\(description)" }
                if command.payload { text += "\t" + record.payload.map { String(format: "%02x", $0) }.joined() }
                return text
            case .json:
                var object: [String: Any] = [
                    "sequence": event.sequence, "recordType": Int(record.type), "schemaVersion": Int(record.schemaVersion),
                    "length": record.payload.count, "timestamp": event.batchTimestamp,
                ]
                if let touches {
                    object["type"] = touches.type
                    if let account = touches.account { object["account"] = account }
                    if let region = touches.region { object["region"] = region }
                    if let pack = touches.pack { object["pack"] = pack }
                    if !touches.accounts.isEmpty { object["accounts"] = touches.accounts }
                    // Names, without repeats, in order (the accounts say where when they are several).
                    if !touches.packs.isEmpty { object["packs"] = Array(Set(touches.packs.map(\.name))).sorted() }
                    if !touches.rules.isEmpty { object["rules"] = Array(Set(touches.rules.map(\.name))).sorted() }
                }
                if let description { object["description"] = description }
                if command.payload { object["payload"] = Data(record.payload).base64EncodedString() }
                return jsonLine(object)
            }
        }
    }
}
