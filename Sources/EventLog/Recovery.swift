#if canImport(Glibc)
import Glibc
#endif

/// Where the writer resumes after recovery.
struct RecoveredTail: ~Copyable {
    var file: FileDescriptor
    /// The first sequence of the segment `file` is.
    var segmentFirst: UInt64
    var segmentSize: Int
    var nextSequence: UInt64
    var report: RecoveryReport?
}

/// Opening a log for writing: check that the segments continue each other, scan the last one,
/// cut a torn tail, and say what was cut.
enum Recovery {
    /// Recovers `directory` (already locked) and opens its last segment for appending.
    ///
    /// - Throws: ``LogError/Code/notASegment``, ``LogError/Code/unsupportedVersion``,
    ///   ``LogError/Code/corruptSegment`` when segments do not continue each other, when damage
    ///   is followed by valid batches, or when a valid batch is out of sequence (each names the
    ///   file, the offset and the `conform log repair` command), ``LogError/Code/io``.
    static func recover(directory: String, io: any FileIO) throws(LogError) -> RecoveredTail {
        for name in try FileSystem.list(directory, io: io)
        where name.hasPrefix(".") && (name.hasSuffix(SegmentFiles.creatingSuffix) || name.hasSuffix(SegmentFiles.repairedSuffix)) {
            // A segment whose creation, or a repair's copy, a crash interrupted before the rename
            // that would have put it in the log; the file it stood for is still in place.
            FileSystem.removeQuietly(FileSystem.join(directory, name), io: io)
        }
        RecoveryJournal.removeLeftovers(directory: directory, io: io)
        let segments = try SegmentFiles.list(directory, io: io)
        guard let last = segments.last else {
            let file = try createSegment(directory: directory, firstSequence: 1, io: io)
            return RecoveredTail(file: file, segmentFirst: 1, segmentSize: SegmentHeader.size, nextSequence: 1, report: nil)
        }
        // Sealed segments: header, name, and that each continues the one before it (their last
        // batch is found from the end; their other batches are checked by readers and `verify`).
        var expected: UInt64?
        for entry in segments.dropLast() {
            let scanner = try openScanner(entry.path, directory: directory, io: io)
            try checkName(scanner.firstSequence, entry, directory: directory)
            if let problem = SegmentFiles.continuityProblem(expected: expected, entry: entry) {
                throw refusal(problem, directory: directory)
            }
            guard let lastBatch = try scanner.lastBatch() else {
                throw refusal(LogError(
                    code: .corruptSegment,
                    message: "the sealed segment does not end with a whole batch",
                    file: entry.path, offset: scanner.fileSize, sequence: entry.firstSequence), directory: directory)
            }
            expected = lastBatch.lastSequence + 1
        }
        let writable = try FileDescriptor(path: last.path, flags: O_RDWR, io: io)
        let size = try writable.size()
        let headerless = size < SegmentHeader.size ? true : try isAllZero(writable, size: size)
        if headerless {
            // A crash while a segment was created by an older build (this one renames a segment
            // into place only once its header is synced): write its header again.
            let header = SegmentHeader.encode(firstSequence: last.firstSequence)
            try writable.truncate(to: 0)
            try header.withBytes { (raw) throws(LogError) in try writable.write(raw, at: 0) }
            try writable.syncData()
            if let problem = SegmentFiles.continuityProblem(expected: expected, entry: last) {
                throw refusal(problem, directory: directory)
            }
            let report = RecoveryReport(
                file: last.path, offset: 0, bytesCut: size, lostSequences: nil,
                reason: "the segment header was cut short by a crash; it was written again")
            return RecoveredTail(
                file: writable, segmentFirst: last.firstSequence, segmentSize: SegmentHeader.size,
                nextSequence: last.firstSequence, report: report)
        }
        var scanner = try openScanner(last.path, directory: directory, io: io)
        try checkName(scanner.firstSequence, last, directory: directory)
        if let problem = SegmentFiles.continuityProblem(expected: expected, entry: last) {
            throw refusal(problem, directory: directory)
        }
        var next = last.firstSequence
        // Bounded by the file size: each step consumes one batch or ends the loop.
        while true {
            switch try scanner.next() {
            case .end:
                return RecoveredTail(
                    file: writable, segmentFirst: last.firstSequence, segmentSize: scanner.offset,
                    nextSequence: next, report: nil)
            case .batch(let header, let offset, _):
                guard header.firstSequence == next else {
                    throw refusal(LogError(
                        code: .corruptSegment,
                        message: "a whole batch starts at sequence \(header.firstSequence) where \(next) was due",
                        file: last.path, offset: offset, sequence: next), directory: directory)
                }
                next = header.lastSequence + 1
            case .damage(let damage):
                switch try scanner.judge(damage, isLastSegment: true) {
                case .newerVersion(let version):
                    throw LogError(
                        code: .unsupportedVersion,
                        message: "batch format version \(version) is newer than this build writes; upgrade conform before appending",
                        file: last.path, offset: damage.offset, sequence: next)
                case .damaged(let reason, let follows):
                    throw refusal(LogError(
                        code: .corruptSegment,
                        message: "the batch is damaged (\(reason)) but a valid batch follows at offset \(follows ?? damage.offset), so this is not a torn tail",
                        file: last.path, offset: damage.offset, sequence: damage.header?.firstSequence ?? next), directory: directory)
                case .tornTail(let reason):
                    try writable.truncate(to: damage.offset)
                    try writable.syncData()
                    let report = RecoveryReport(
                        file: last.path, offset: damage.offset, bytesCut: scanner.fileSize - damage.offset,
                        lostSequences: damage.header.map { $0.firstSequence...$0.lastSequence },
                        firstLostSequence: next, reason: reason)
                    return RecoveredTail(
                        file: writable, segmentFirst: last.firstSequence, segmentSize: damage.offset,
                        nextSequence: next, report: report)
                }
            }
        }
    }

    /// Whether the file holds nothing but zeros; reads past its first 16 bytes only when those are zeros.
    private static func isAllZero(_ file: borrowing FileDescriptor, size: Int) throws(LogError) -> Bool {
        var at = 0
        while at < size {
            let chunk = try file.read(count: min(at == 0 ? SegmentHeader.size : 1 << 20, size - at), at: at)
            if chunk.isEmpty { break }
            if chunk.contains(where: { $0 != 0 }) { return false }
            at += chunk.count
        }
        return true
    }

    /// A scanner over a segment of the log being recovered; a file that is no segment is refused
    /// with the repair command (a newer format is not: upgrading is the fix).
    private static func openScanner(_ path: String, directory: String, io: any FileIO) throws(LogError) -> SegmentScanner {
        do {
            return try SegmentScanner(path: path, io: io)
        } catch where error.code == .notASegment {
            throw refusal(error, directory: directory)
        }
    }

    /// `error`, with what to do about it: the exact repair command for this directory.
    static func refusal(_ error: LogError, directory: String) -> LogError {
        var refused = error
        refused.message = "the log cannot be opened for writing: \(error.message); run `\(repairCommand(directory))` to cut the log back to its last whole batch (cut files are moved aside, never deleted), after `conform log verify` shows what it would cut"
        return refused
    }

    /// The command that repairs the log in `directory`.
    static func repairCommand(_ directory: String) -> String {
        let quoted = directory.allSatisfy { $0.isLetter || $0.isNumber || "/._-".contains($0) }
            ? directory : "'" + directory.replacing("'", with: "'\\''") + "'"
        return "conform log repair \(quoted) --yes"
    }

    static func checkName(_ headerFirst: UInt64, _ entry: SegmentFiles.Entry, directory: String? = nil) throws(LogError) {
        guard headerFirst == entry.firstSequence else {
            let error = LogError(
                code: .corruptSegment,
                message: "the segment header names sequence \(headerFirst) but the file name says \(entry.firstSequence); rename or move the file",
                file: entry.path, offset: 8, sequence: entry.firstSequence)
            throw directory.map { refusal(error, directory: $0) } ?? error
        }
    }

    /// Creates a new segment holding only its header, durably: written under a hidden name,
    /// synced, renamed into place, and the directory synced, so that no reader ever sees a `.seg`
    /// file without its header.
    static func createSegment(directory: String, firstSequence: UInt64, io: any FileIO) throws(LogError) -> FileDescriptor {
        let path = FileSystem.join(directory, SegmentFiles.name(firstSequence: firstSequence))
        let temp = FileSystem.join(directory, SegmentFiles.creatingName(firstSequence: firstSequence))
        do throws(LogError) {
            var file = try FileDescriptor(path: temp, flags: O_RDWR | O_CREAT | O_TRUNC, io: io)
            let header = SegmentHeader.encode(firstSequence: firstSequence)
            try header.withBytes { (raw) throws(LogError) in try file.write(raw, at: 0) }
            try file.syncData()
            guard io.kind(path) == .missing else {
                throw LogError(
                    code: .corruptSegment, message: "a segment for sequence \(firstSequence) already exists; the log is inconsistent, run `conform log verify`",
                    file: path, sequence: firstSequence)
            }
            try FileSystem.rename(temp, path, io: io)
            file.path = path
            try FileSystem.syncDirectory(directory, io: io)
            return file
        } catch {
            FileSystem.removeQuietly(temp, io: io)
            throw error
        }
    }
}
