import ArgumentParser
import EventLog
import Foundation

/// `conform log verify DIR`: every checksum and sequence density.
struct LogVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every batch checksum, the record framing and sequence density; exit 0 only when the log is whole."
    )

    @OptionGroup var options: LogDirectoryOptions

    func run() throws {
        let verification: LogVerification
        do { verification = try LogInspector.verify(directory: options.logDirectory, decode: true) } catch {
            throw exitWithLogError(error)
        }
        let events = verification.segments.reduce(UInt64(0)) { $0 + $1.events }
        let batches = verification.segments.reduce(0) { $0 + $1.batches }
        if verification.isWhole {
            print("ok: \(options.logDirectory) is whole: \(verification.segments.count) segments, \(batches) batches, \(events) events, sequences \(events > 0 ? "1...\(verification.lastSequence)" : "none")")
            return
        }
        for problem in verification.problems {
            print("damaged: \(problem.file ?? options.logDirectory) offset \(problem.offset.map(String.init) ?? "-") sequence \(problem.sequence.map(String.init) ?? "-"): \(problem.message)")
        }
        print("\(verification.problems.count) problem(s); `conform log repair \(options.directory) --yes` cuts the log back to the last whole batch before the first one")
        throw ExitCode(1)
    }
}
