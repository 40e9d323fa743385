import ArgumentParser
import ConformancePacks
import EventLog
import Foundation
import Logging

/// `conform replay DIR --to SEQUENCE|TIME`: the state as it stood after a point of the log.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Rebuild an engine's state as it stood after a point of its log and report it.",
        discussion: """
            Starts from the newest snapshot at or before the point that the log vouches for and \
            replays the events after it; never writes (a server may be running on DIR). Prints, per \
            account and region, the packs and their statuses, organization packs and their members, \
            the rules, and each pack's compliance summary; with --digest only the state digest, \
            which equals what the live engine reported at that sequence. A point beyond the end of \
            the log is the end. A progress line goes to standard error when it is a terminal, and a \
            summary line always.
            """
    )

    @Argument(help: "The engine's data directory (holding events/ and snapshots/).")
    var directory: String

    @Option(help: "The point: an event sequence number, or an ISO-8601 time (the last batch written at or before it). Default: the end of the log.")
    var to: String?

    @Flag(help: "Print only the state digest (ConformanceEngine.stateDigest()).")
    var digest = false

    @Option(help: "text or json.")
    var format: ReplayFormat = .text

    func validate() throws {
        if let to, ConformanceEngine.ReadPoint(parsing: to) == nil {
            throw ValidationError("--to must be an event sequence number or an ISO-8601 time (2024-01-02T03:04:05Z), not '\(to)'.")
        }
    }

    func run() throws {
        var isDirectory = false
        guard FileInfo.isDirectory(directory + "/events", &isDirectory), isDirectory else {
            printError("error: \(directory) is not an engine data directory (no events/ in it)")
            throw ExitCode(2)
        }
        let point = to.flatMap(ConformanceEngine.ReadPoint.init(parsing:))
        var progress = ReplayProgress(after: 0, through: nil)
        let started = ContinuousClock.now
        let replay: ConformanceEngine.PointReplay
        do {
            replay = try ConformanceEngine.replay(
                dataDirectory: directory, to: point, logger: Logger(label: "conform.replay"),
                progress: { applied, total in progress.update(applied: applied, of: total) })
        } catch {
            progress.clear()
            throw exitWithReplayError(error)
        }
        progress.clear()
        let elapsed = ContinuousClock.now - started
        let output = try ReplayFormatter(report: replay.report, digestOnly: digest, json: format == .json).render()
        print(output)
        let from = replay.snapshotSequence.map { "the snapshot at sequence \($0)" } ?? "the start of the log"
        printError(
            "replayed \(replay.eventsReplayed) events from \(from) to sequence \(replay.report.lastSequence) in "
                + String(format: "%.2f s", elapsed.seconds))
    }
}
