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
    ///
    /// - Throws: ``LogError/Code/locked`` when a writer has the log open, ``LogError/Code/io``.
    package static func repair(directory: String) throws(LogError) -> RepairReport {
        try SegmentFiles.checkIsLog(directory, creating: false)
        // Held until return: dropping the lock closes its descriptor.
        let lock = try LockFile(directory: directory)
        defer { _ = lock }
        let verification = try verify(directory)
        var report = RepairReport()
        let firstDamaged = verification.segments.firstIndex { $0.problem != nil }
        guard let index = [firstDamaged, gapIndex(verification)].compactMap({ $0 }).min() else {
            return report
        }
        let damaged = verification.segments[index]
        let later = verification.segments[(index + 1)...]
        if damaged.problem != nil, damaged.tornTail, later.isEmpty {
            let file = try FileDescriptor(path: damaged.path, flags: O_RDWR)
            try file.truncate(to: damaged.validEnd)
            try file.syncData()
            try file.close()
            report.actions.append("truncated \(damaged.path) from \(damaged.fileBytes) to \(damaged.validEnd) bytes (a torn tail)")
            report.lostFrom = damaged.damagedRange?.lowerBound
            report.lostThrough = damaged.damagedRange?.upperBound
            return report
        }
        // Everything after the last whole batch before the damage (or from the segment after a
        // gap) leaves the log: after a gap, the segment that does not continue the sequence is
        // moved aside too, or the log would stay broken.
        let moved = damaged.problem != nil ? later : verification.segments[index...]
        let firstLost = damaged.problem != nil
            ? (damaged.lastSequence ?? (damaged.firstSequence - 1)) + 1
            : damaged.firstSequence
        report.lostFrom = firstLost
        let knownLast = (moved.compactMap(\.lastSequence) + [damaged.damagedRange?.upperBound].compactMap { $0 }).max()
        report.lostThrough = knownLast.flatMap { $0 >= firstLost ? $0 : nil }
        if damaged.problem != nil {
            let aside = uniquePath(damaged.path + ".damaged")
            try FileSystem.rename(damaged.path, aside)
            report.actions.append("moved \(damaged.path) aside to \(aside)")
            if damaged.validEnd >= SegmentHeader.size {
                let source = try FileDescriptor(path: aside, flags: O_RDONLY)
                let prefix = try source.read(count: damaged.validEnd, at: 0)
                let target = try FileDescriptor(path: damaged.path, flags: O_RDWR | O_CREAT | O_EXCL)
                try prefix.withBytes { (raw) throws(LogError) in try target.write(raw, at: 0) }
                try target.syncData()
                try target.close()
                report.actions.append("wrote \(damaged.path) with its \(damaged.batches) whole batches (\(damaged.validEnd) bytes)")
            }
        }
        for segment in moved {
            let aside = uniquePath(segment.path + ".after-damage")
            try FileSystem.rename(segment.path, aside)
            report.actions.append("moved \(segment.path) aside to \(aside)")
        }
        try FileSystem.syncDirectory(directory)
        return report
    }

    private static func verify(_ directory: String) throws(LogError) -> LogVerification {
        try LogInspector.verify(directory: directory, decode: true)
    }

    /// The first segment that does not continue the sequence of the one before it.
    private static func gapIndex(_ verification: LogVerification) -> Int? {
        var expected: UInt64? = nil
        for (index, segment) in verification.segments.enumerated() {
            if let expected, segment.firstSequence != expected { return index }
            expected = (segment.lastSequence ?? (segment.firstSequence - 1)) + 1
        }
        return nil
    }

    private static func uniquePath(_ base: String) -> String {
        if FileSystem.kind(base) == .missing { return base }
        var n = 2
        while FileSystem.kind("\(base).\(n)") != .missing { n += 1 }
        return "\(base).\(n)"
    }
}
