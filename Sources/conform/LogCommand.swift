import ArgumentParser
import EventLog

/// `conform log`: tools for the durable event log on disk.
struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Inspect, dump, verify and repair an event log directory; follow a pack or rule through it (history) and compare two points of it (diff).",
        subcommands: [
            LogInspectCommand.self, LogDumpCommand.self, LogHistoryCommand.self, LogDiffCommand.self, LogVerifyCommand.self,
            LogRepairCommand.self, LogStressAppendCommand.self,
        ]
    )
}

/// The DIR argument every `conform log` command takes.
struct LogDirectoryOptions: ParsableArguments {
    @Argument(help: "The log directory (holding .seg files), or an engine data directory holding events/.")
    var directory: String

    /// The log directory itself: `DIR/events` when DIR is an engine data directory.
    var logDirectory: String {
        let events = directory.hasSuffix("/") ? directory + "events" : directory + "/events"
        var isDirectory = false
        if FileInfo.isDirectory(events, &isDirectory), isDirectory { return events }
        return directory
    }
}

/// Prints a one-line reason to standard error and exits non-zero, for ``LogError``s.
func exitWithLogError(_ error: LogError) -> ExitCode {
    printError("error: \(error)")
    return ExitCode(2)
}
