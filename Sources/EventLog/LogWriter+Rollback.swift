#if canImport(Glibc)
import Glibc
#endif

extension LogWriter {
    /// Cuts the log back to where the last acknowledged batch ends and syncs it, so the disk
    /// holds exactly the sequences up to `durable`: segments created after that point are
    /// removed (they hold only records nobody was told about), the segment holding it is
    /// truncated and `fdatasync`ed.
    ///
    /// - Throws: the error of the first step that failed; the outcome of the group is then unknown.
    func rollBack(toDurable durable: UInt64) throws(LogError) {
        let (keptSegment, keptEnd) = acknowledgedEnd
        if segmentFirst != keptSegment, let file = segment.take() {
            try? file.close()
        }
        var removed = false
        for entry in try SegmentFiles.list(core.directory, io: io) where entry.firstSequence > keptSegment {
            try FileSystem.remove(entry.path, io: io)
            removed = true
        }
        for name in try FileSystem.list(core.directory, io: io) where name.hasSuffix(SegmentFiles.creatingSuffix) {
            FileSystem.removeQuietly(FileSystem.join(core.directory, name), io: io)
        }
        if removed { try FileSystem.syncDirectory(core.directory, io: io) }
        if segment == nil {
            let path = FileSystem.join(core.directory, SegmentFiles.name(firstSequence: keptSegment))
            segment = try FileDescriptor(path: path, flags: O_RDWR, io: io)
            segmentFirst = keptSegment
        }
        try segment?.truncate(to: keptEnd)
        try segment?.syncData()
        segmentSize = keptEnd
        written = durable
        unsynced = false
    }
}
