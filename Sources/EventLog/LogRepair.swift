#if canImport(Glibc)
import Glibc
#endif

/// What `conform log repair` did.
package struct RepairReport: Sendable {
    /// One line per action taken, naming files.
    package var actions: [String] = []
    /// The sequences no longer in the log; nil upper bound when the damaged part's end was unknown.
    package var lostFrom: UInt64?
    package var lostThrough: UInt64?
}

/// Cuts a log back to its last whole batch before the first damage. Takes the writer's lock.
package enum LogRepair {
    /// Repairs `directory`: a torn tail of the last segment is truncated; any other damage keeps
    /// the segment's whole batches, moves the original file aside (renamed `*.seg.damaged`, never
    /// deleted) and moves every later segment aside (`*.seg.after-damage`), so sequences stay dense.
    /// Snapshots the cut log no longer vouches for are moved aside (`*.snap.stale`), and the repair
    /// is recorded in the log's recovery journal.
    ///
    /// Crash-safe: the kept prefix of a damaged segment is written and synced under a hidden name
    /// before the original is renamed aside, so a crash at any point leaves either the old log or
    /// the repaired one (and at worst a leftover hidden file that the next open removes).
    ///
    /// - Parameters:
    ///   - directory: The log directory.
    ///   - snapshotDirectory: Where the engine keeps its snapshots; by default `snapshots/` beside the log.
    ///   - time: The clock for the journal entry, in milliseconds since the Unix epoch.
    /// - Throws: ``LogError/Code/locked`` when a writer has the log open, ``LogError/Code/io``.
    package static func repair(
        directory: String, snapshotDirectory: String? = nil, time: UInt64 = LogOptions.systemClock(),
        io: any FileIO = SystemFileIO()
    ) throws(LogError) -> RepairReport {
        try SegmentFiles.checkIsLog(directory, creating: false, io: io)
        // Held until return: dropping the lock closes its descriptor.
        let lock = try LockFile(directory: directory, io: io)
        defer { _ = lock }
        let verification = try LogInspector.verify(directory: directory, decode: true, io: io)
        let snapshots = SnapshotStore(directory: snapshotDirectory ?? SnapshotStore.siblingDirectory(of: directory), io: io)
        var report = RepairReport()
        guard let index = verification.segments.firstIndex(where: { $0.problem != nil || $0.breaksContinuity }) else {
            report.actions = snapshots.moveAsideUnmatched(logDirectory: directory, lastSequence: verification.lastSequence)
            return report
        }
        let damaged = verification.segments[index]
        let later = verification.segments[(index + 1)...]
        // A segment that does not continue the one before it leaves the log whole; one with
        // damage keeps its whole batches.
        let cutsInside = damaged.problem != nil && !damaged.breaksContinuity
        if cutsInside, damaged.tornTail, later.isEmpty {
            let file = try FileDescriptor(path: damaged.path, flags: O_RDWR, io: io)
            try file.truncate(to: damaged.validEnd)
            try file.syncData()
            try file.close()
            report.actions.append("truncated \(damaged.path) from \(damaged.fileBytes) to \(damaged.validEnd) bytes (a torn tail)")
            report.lostFrom = damaged.damagedRange?.lowerBound
            report.lostThrough = damaged.damagedRange?.upperBound
        } else {
            let moved = cutsInside ? later : verification.segments[index...]
            let firstLost = cutsInside ? (damaged.lastSequence ?? (damaged.firstSequence - 1)) + 1 : damaged.firstSequence
            report.lostFrom = firstLost
            let knownLast = (moved.compactMap(\.lastSequence) + [damaged.damagedRange?.upperBound].compactMap { $0 }).max()
            report.lostThrough = knownLast.flatMap { $0 >= firstLost ? $0 : nil }
            if cutsInside {
                try replaceWithPrefix(damaged, directory: directory, io: io, report: &report)
            }
            for segment in moved {
                let aside = FileSystem.unusedPath(segment.path + ".after-damage", io: io)
                try FileSystem.rename(segment.path, aside, io: io)
                report.actions.append("moved \(segment.path) aside to \(aside)")
            }
            try FileSystem.syncDirectory(directory, io: io)
        }
        let end = (report.lostFrom ?? (verification.lastSequence + 1)) - 1
        report.actions += snapshots.moveAsideUnmatched(logDirectory: directory, lastSequence: end)
        let journal = RecoveryReport(
            file: damaged.path, offset: damaged.validEnd, bytesCut: max(0, damaged.fileBytes - damaged.validEnd),
            lostSequences: report.lostFrom.map { $0...max($0, report.lostThrough ?? $0) },
            reason: "conform log repair: " + report.actions.joined(separator: "; "))
        try? RecoveryJournal.append(RecoveryRecord(time: time, source: .repair, report: journal), directory: directory, io: io)
        return report
    }

    /// Writes the whole batches of `damaged` under a hidden name and syncs them, links the
    /// original aside, then renames the prefix over it: each step is atomic, so a crash leaves
    /// the original or the prefix in place, never neither.
    private static func replaceWithPrefix(_ damaged: SegmentSummary, directory: String, io: any FileIO, report: inout RepairReport) throws(LogError) {
        let aside = FileSystem.unusedPath(damaged.path + ".damaged", io: io)
        guard damaged.validEnd >= SegmentHeader.size else {
            try FileSystem.rename(damaged.path, aside, io: io)
            report.actions.append("moved \(damaged.path) aside to \(aside)")
            return
        }
        let hidden = FileSystem.join(directory, "." + FileSystem.baseName(damaged.path) + SegmentFiles.repairedSuffix)
        let source = try FileDescriptor(path: damaged.path, flags: O_RDONLY, io: io)
        let prefix = try source.read(count: damaged.validEnd, at: 0)
        let target = try FileDescriptor(path: hidden, flags: O_RDWR | O_CREAT | O_TRUNC, io: io)
        try prefix.withBytes { (raw) throws(LogError) in try target.write(raw, at: 0) }
        try target.syncData()
        try target.close()
        try FileSystem.link(damaged.path, aside, io: io)
        report.actions.append("kept the damaged \(damaged.path) as \(aside)")
        try FileSystem.rename(hidden, damaged.path, io: io)
        report.actions.append("wrote \(damaged.path) with its \(damaged.batches) whole batches (\(damaged.validEnd) bytes)")
    }
}
