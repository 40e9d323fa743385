#if canImport(Glibc)
import Glibc
#endif

/// One entry of a log's recovery journal: what opening the log or `conform log repair` cut.
package struct RecoveryRecord: Sendable, Hashable {
    /// Who cut the log.
    package enum Source: String, Sendable, Hashable {
        /// Opening the log for writing cut a torn tail.
        case open
        /// `conform log repair` cut damage and moved files aside.
        case repair
    }

    /// When, in milliseconds since the Unix epoch.
    package var time: UInt64
    package var source: Source
    package var report: RecoveryReport

    package init(time: UInt64, source: Source, report: RecoveryReport) {
        self.time = time
        self.source = source
        self.report = report
    }
}

/// The `RECOVERY` file of a log directory: the last recoveries, newest last, so that
/// `conform log inspect` can say what was cut long after the process that cut it logged it.
///
/// A small versioned text file, one record per line after the header `conform-recovery 1`,
/// tab-separated `key=value` fields. It is replaced atomically (temp file, fsync, rename,
/// directory fsync). It is a report, not a source of truth: a lost or damaged journal costs
/// nothing but the history it held.
package enum RecoveryJournal {
    static let fileName = "RECOVERY"
    static let header = "conform-recovery 1"
    /// The records kept; older ones are dropped.
    static let capacity = 20

    /// The records of `directory`'s journal, oldest first; empty when there is none. Lines that
    /// do not parse are skipped.
    package static func read(directory: String, io: any FileIO = SystemFileIO()) -> [RecoveryRecord] {
        let path = FileSystem.join(directory, fileName)
        guard io.kind(path) == .file, let file = try? FileDescriptor(path: path, flags: O_RDONLY, io: io),
              let size = try? file.size(), size <= 1 << 20,
              let bytes = try? file.read(count: size, at: 0)
        else { return [] }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        guard lines.first == Substring(header) else { return [] }
        return lines.dropFirst().compactMap(parse)
    }

    /// Adds `record`, keeping the newest ``capacity`` records.
    ///
    /// - Throws: ``LogError`` when the file cannot be replaced; the directory is left as it was.
    package static func append(_ record: RecoveryRecord, directory: String, io: any FileIO) throws(LogError) {
        let records = (read(directory: directory, io: io) + [record]).suffix(capacity)
        let text = ([header] + records.map(format)).joined(separator: "\n") + "\n"
        let path = FileSystem.join(directory, fileName)
        let temp = FileSystem.join(directory, "." + fileName + ".tmp")
        try Array(text.utf8).withBytes { (raw) throws(LogError) in
            try FileSystem.replaceAtomically(path, with: raw, temp: temp, io: io)
        }
    }

    /// Removes a journal write that a crash left behind.
    static func removeLeftovers(directory: String, io: any FileIO) {
        FileSystem.removeQuietly(FileSystem.join(directory, "." + fileName + ".tmp"), io: io)
    }

    private static func format(_ record: RecoveryRecord) -> String {
        let report = record.report
        var fields = [
            "time=\(record.time)", "source=\(record.source.rawValue)", "file=\(clean(report.file))",
            "offset=\(report.offset)", "bytes=\(report.bytesCut)",
        ]
        if let lost = report.lostSequences { fields.append("lost=\(lost.lowerBound)...\(lost.upperBound)") }
        if let first = report.firstLostSequence { fields.append("from=\(first)") }
        fields.append("reason=\(clean(report.reason))")
        return fields.joined(separator: "\t")
    }

    private static func clean(_ text: String) -> String {
        String(text.map { $0 == "\t" || $0 == "\n" || $0 == "\r" ? " " : $0 })
    }

    private static func parse(_ line: Substring) -> RecoveryRecord? {
        var fields: [Substring: Substring] = [:]
        for field in line.split(separator: "\t") {
            guard let equals = field.firstIndex(of: "=") else { return nil }
            fields[field[..<equals]] = field[field.index(after: equals)...]
        }
        guard let time = fields["time"].flatMap({ UInt64($0) }),
              let source = fields["source"].flatMap({ RecoveryRecord.Source(rawValue: String($0)) }),
              let file = fields["file"], let offset = fields["offset"].flatMap({ Int($0) }),
              let bytes = fields["bytes"].flatMap({ Int($0) })
        else { return nil }
        var lost: ClosedRange<UInt64>?
        if let text = fields["lost"] {
            let parts = text.split(separator: ".", omittingEmptySubsequences: true)
            guard parts.count == 2, let low = UInt64(parts[0]), let high = UInt64(parts[1]), low <= high else { return nil }
            lost = low...high
        }
        let report = RecoveryReport(
            file: String(file), offset: offset, bytesCut: bytes, lostSequences: lost,
            firstLostSequence: fields["from"].flatMap { UInt64($0) }, reason: String(fields["reason"] ?? ""))
        return RecoveryRecord(time: time, source: source, report: report)
    }
}
