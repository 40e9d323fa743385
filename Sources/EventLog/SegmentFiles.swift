/// Naming and listing of segment files: the first sequence, zero-padded to 20 digits, plus ".seg".
enum SegmentFiles {
    static let suffix = ".seg"
    /// The lock file a writer holds in the log directory.
    static let lockName = "LOCK"
    /// A new segment's name while its header is written and synced, before it is renamed into place.
    static let creatingSuffix = ".creating"
    /// The good prefix of a damaged segment while `conform log repair` writes it.
    static let repairedSuffix = ".repaired"

    /// The file name of the segment starting at `firstSequence`.
    static func name(firstSequence: UInt64) -> String {
        paddedSequence(firstSequence) + suffix
    }

    /// The hidden name a segment has while it is being created.
    static func creatingName(firstSequence: UInt64) -> String {
        "." + name(firstSequence: firstSequence) + creatingSuffix
    }

    /// The first sequence a segment name encodes, or nil when `name` is not a segment name.
    static func firstSequence(ofName name: String) -> UInt64? {
        guard name.hasSuffix(suffix) else { return nil }
        return sequence(ofPadded: name.dropLast(suffix.count))
    }

    /// A sequence zero-padded to 20 digits, so that `ls` lists files in sequence order (segments
    /// and snapshots alike).
    static func paddedSequence(_ sequence: UInt64) -> String {
        let digits = String(sequence)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    /// The sequence of exactly 20 decimal digits, or nil.
    static func sequence(ofPadded digits: Substring) -> UInt64? {
        guard digits.count == 20, digits.allSatisfy({ $0 >= "0" && $0 <= "9" }) else { return nil }
        return UInt64(digits)
    }

    /// One segment file in a directory.
    struct Entry: Hashable, Sendable {
        var firstSequence: UInt64
        var path: String
    }

    /// The segments in `directory`, in sequence order.
    ///
    /// - Throws: ``LogError/Code/corruptSegment`` for a segment named sequence 0 (sequences start
    ///   at 1, so no writer made it), ``LogError/Code/io``.
    static func list(_ directory: String, io: any FileIO) throws(LogError) -> [Entry] {
        var entries: [Entry] = []
        for name in try FileSystem.list(directory, io: io) {
            guard let first = firstSequence(ofName: name) else { continue }
            let path = FileSystem.join(directory, name)
            guard first >= 1 else {
                throw LogError(
                    code: .corruptSegment,
                    message: "a segment file is named for sequence 0, but sequences start at 1; move it out of the log directory",
                    file: path, offset: 0, sequence: 0)
            }
            entries.append(Entry(firstSequence: first, path: path))
        }
        return entries.sorted { $0.firstSequence < $1.firstSequence }
    }

    /// Checks that `directory` can hold a log: a directory that has segments, or holds nothing
    /// but the lock file and hidden or moved-aside files.
    static func checkIsLog(_ directory: String, creating: Bool, io: any FileIO) throws(LogError) {
        switch io.kind(directory) {
        case .directory: break
        case .missing:
            if creating { return }
            throw LogError(
                code: .notALog,
                message: "the log directory does not exist; check the path, or open it for writing to create a new log",
                file: directory)
        case .file, .other:
            throw LogError(
                code: .notALog, message: "the path is not a directory; pass the directory that holds the .seg files",
                file: directory)
        }
        let names = try FileSystem.list(directory, io: io)
        if names.contains(where: { firstSequence(ofName: $0) != nil }) { return }
        let foreign = names.filter {
            !$0.hasPrefix(".") && $0 != lockName && $0 != RecoveryJournal.fileName && !$0.contains(".seg.")
        }
        guard foreign.isEmpty else {
            let hint = names.contains("events") ? " (it looks like an engine data directory: pass its events/ directory)" : ""
            throw LogError(
                code: .notALog,
                message: "the directory holds no segments but other files (\(foreign.sorted().prefix(3).joined(separator: ", ")))\(hint); refusing to treat it as a log",
                file: directory)
        }
    }
}

extension SegmentFiles {
    /// The one check that segments continue each other, shared by recovery, readers, `verify`
    /// and `repair`: the problem with `entry` when its first sequence is not `expected`, the
    /// sequence after the last one of the segment before it.
    ///
    /// - Parameter expected: The sequence due next; nil before the first segment.
    static func continuityProblem(expected: UInt64?, entry: Entry) -> LogError? {
        guard let expected, entry.firstSequence != expected else { return nil }
        return LogError(
            code: .corruptSegment,
            message: expected < entry.firstSequence
                ? "sequences \(expected)...\(entry.firstSequence - 1) are missing before this segment"
                : "the segment starts at \(entry.firstSequence) but sequences up to \(expected - 1) came before",
            file: entry.path, offset: SegmentHeader.size, sequence: expected)
    }
}
