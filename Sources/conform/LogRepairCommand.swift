import ArgumentParser
import EventLog
import Foundation

/// `conform log repair DIR --yes`: cut a damaged log back to its last whole batch.
struct LogRepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Truncate a damaged tail; move a damaged sealed segment (and the segments after it) aside, never deleting them."
    )

    @OptionGroup var options: LogDirectoryOptions

    @Flag(help: "Confirm that the log may be changed (files are truncated or renamed, never deleted).")
    var yes = false

    func validate() throws {
        guard yes else { throw ValidationError("repair changes the log; run `conform log verify` first, then pass --yes to go ahead.") }
    }

    func run() throws {
        let report: RepairReport
        do { report = try LogRepair.repair(directory: options.logDirectory) } catch {
            throw exitWithLogError(error)
        }
        if report.actions.isEmpty {
            print("nothing to repair: \(options.logDirectory) is whole")
            return
        }
        for action in report.actions { print(action) }
        if let from = report.lostFrom {
            if let through = report.lostThrough {
                print("sequences \(from)...\(through) are no longer in the log (kept in the moved-aside files, if any)")
            } else {
                print("sequences from \(from) on are no longer in the log")
            }
        } else {
            print("no whole batch was lost")
        }
    }
}
