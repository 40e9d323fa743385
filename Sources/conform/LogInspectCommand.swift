import ArgumentParser
import EventLog
import Foundation

/// `conform log inspect DIR`: one row per segment.
struct LogInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a table of the segments (sequence range, batches, events, raw and compressed bytes, ratio, time range) and the last recovery."
    )

    @OptionGroup var options: LogDirectoryOptions

    func run() throws {
        let verification: LogVerification
        do { verification = try LogInspector.verify(directory: options.logDirectory, decode: false) } catch {
            throw exitWithLogError(error)
        }
        let header = ["segment", "sequences", "batches", "events", "raw", "compressed", "ratio", "first batch", "last batch"]
        var rows: [[String]] = []
        var totals = (batches: 0, events: UInt64(0), raw: UInt64(0), compressed: UInt64(0), file: 0)
        for s in verification.segments {
            let name = URL(fileURLWithPath: s.path).lastPathComponent
            let range = s.lastSequence.map { "\(s.firstSequence)...\($0)" } ?? "(empty)"
            let ratio = s.compressedBytes > 0 ? String(format: "%.2f", Double(s.rawBytes) / Double(s.compressedBytes)) : "-"
            rows.append([name, range, "\(s.batches)", "\(s.events)", formatBytes(s.rawBytes), formatBytes(s.compressedBytes), ratio,
                         formatTimestamp(s.firstTimestamp), formatTimestamp(s.lastTimestamp)])
            totals.batches += s.batches
            totals.events += s.events
            totals.raw += s.rawBytes
            totals.compressed += s.compressedBytes
            totals.file += s.fileBytes
        }
        let ratio = totals.compressed > 0 ? String(format: "%.2f", Double(totals.raw) / Double(totals.compressed)) : "-"
        rows.append(["total (\(verification.segments.count) segments)", verification.lastSequence > 0 ? "1...\(verification.lastSequence)" : "(empty)",
                     "\(totals.batches)", "\(totals.events)", formatBytes(totals.raw), formatBytes(totals.compressed), ratio,
                     formatTimestamp(verification.segments.compactMap(\.firstTimestamp).min()),
                     formatTimestamp(verification.segments.compactMap(\.lastTimestamp).max())])
        print("log \(options.logDirectory): \(formatBytes(UInt64(totals.file))) on disk")
        printTable(header: header, rows: rows)
        for problem in verification.problems {
            print("problem: \(problem)")
        }
        let recoveries = LogInspector.recoveries(directory: options.logDirectory)
        if let last = recoveries.last {
            let by = last.source == .open ? "opening the log" : "conform log repair"
            print("last recovery (\(recoveries.count) recorded): \(formatTimestamp(last.time)) by \(by): \(last.report)")
        } else {
            print("last recovery: none recorded")
        }
    }

    private func printTable(header: [String], rows: [[String]]) {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        for (index, row) in all.enumerated() {
            let cells = row.enumerated().map { column, cell in
                column == 0 || column >= 7 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }
            print(cells.joined(separator: "  "))
            if index == 0 { print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
        }
    }
}
