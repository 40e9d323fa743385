#if canImport(Glibc)
import Glibc
#endif

/// A snapshot found on disk whose header checks passed: the last sequence it covers, and its
/// content, read as checked chunks through ``chunks()``.
public struct Snapshot: Sendable {
    /// The last log sequence whose effects the content includes.
    public var sequence: UInt64 { header.sequence }
    /// The version of the content's own format, chosen by the writer of the snapshot.
    public var formatVersion: UInt16 { header.formatVersion }
    /// Where `sequence` was in the log the snapshot was taken from; nil for snapshot files of
    /// version 1, written before fingerprints, which cannot prove which log they belong to.
    public var fingerprint: LogFingerprint? { header.fingerprint }
    /// The file's checked header.
    public let header: SnapshotHeader
    /// File versions 1 and 2: the whole content, already checked when the snapshot was loaded.
    let blob: [UInt8]?
    let io: any FileIO

    /// The content, one checked chunk at a time (a single chunk of section 0 for file versions
    /// 1 and 2). Damage found while reading is a ``LogError/Code/corruptSnapshot`` error.
    public func chunks() throws(LogError) -> SnapshotChunks {
        if let blob { return SnapshotChunks(blob: blob, header: header, io: io) }
        return try SnapshotChunks(framesOf: header, io: io)
    }
}

/// What a snapshot file's header says, read before its payload.
public struct SnapshotHeader: Sendable, Hashable {
    /// The file it was read from.
    public var path: String
    /// The snapshot file layout version (1, 2 or 3).
    public var fileVersion: UInt16
    /// The blob's format version.
    public var formatVersion: UInt16
    /// The last sequence covered.
    public var sequence: UInt64
    /// The log fingerprint at `sequence` (file version 2 and later).
    public var fingerprint: LogFingerprint?
    /// The uncompressed bytes of the content.
    public let length: UInt64
    let compressed: UInt64
    let payloadHash: UInt64
    let payloadOffset: Int
}

/// What the caller of ``SnapshotStore/loadNewest(maxFormatVersion:moveAside:judge:)`` makes of a
/// snapshot's header.
public enum SnapshotVerdict: Sendable, Hashable {
    /// Load it.
    case use
    /// Not for this caller (beyond the point it reads to, or unverifiable): leave it in place.
    case skip(String)
    /// It does not belong to the log on disk: never trust it; move it aside when allowed.
    case reject(String)
}

/// The outcome of ``SnapshotStore/loadNewest(maxFormatVersion:moveAside:judge:)``.
public struct SnapshotLoad: Sendable {
    /// The newest snapshot that passed every check, if any.
    public var snapshot: Snapshot?
    /// One report per newer snapshot file that was not used, newest first.
    public var skipped: [LogError] = []
    /// The files moved aside (renamed, never deleted), with their new paths.
    public var movedAside: [String] = []
}

/// Snapshot files in a directory: written atomically, LZ4-compressed and checksummed, named
/// `snapshot-<sequence, 20 digits>.snap`; loading trusts only a snapshot whose checks all pass
/// and whose log fingerprint the caller confirmed.
///
/// Header (file versions 2 and 3), little-endian: `magic u32 · file version u16 · content format
/// version u16 · sequence u64 · uncompressed length u64 · stored length u64 · XXH3-64 of the
/// stored bytes u64 (0 in version 3, whose frames carry their own) · fingerprint: segment first
/// sequence u64 · batch offset u64 · batch first sequence u64 · batch count u32 · reserved u32 ·
/// batch payload XXH3-64 u64`, then a u32 header checksum (low 32 bits of XXH3-64 of the 80 bytes
/// before it). Version 3, which this build writes, is followed by frames (``SnapshotFrames``):
/// streamed, one chunk in memory at a time, no size cap. Version 2 is followed by one LZ4 block;
/// version 1 files end their header after the payload checksum (checksum over 40 bytes, payload
/// at 44) and carry no fingerprint. Both are still read.
public struct SnapshotStore: Sendable {
    /// The directory holding the snapshot files.
    public let directory: String
    let io: any FileIO

    static let magic: UInt32 = 0x4E53_4643  // "CFSN"
    static let fileVersion: UInt16 = 3
    static let headerSizes: [UInt16: Int] = [1: 44, 2: 84, 3: 84]
    static let prefix = "snapshot-"
    static let suffix = ".snap"
    static let tempPrefix = ".tmp-"

    static func headerSize(fileVersion: UInt16) -> Int { headerSizes[fileVersion] ?? 84 }

    /// Uses `directory` (created on the first write).
    public init(directory: String) {
        self.init(directory: directory, io: SystemFileIO())
    }

    package init(directory: String, io: any FileIO) {
        self.directory = directory
        self.io = io
    }

    /// `snapshots/` beside a log directory: `data/events` → `data/snapshots`.
    static func siblingDirectory(of logDirectory: String) -> String {
        var path = logDirectory
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        guard let slash = path.lastIndex(of: "/") else { return "snapshots" }
        let parent = path[..<slash]
        return parent.isEmpty ? "/snapshots" : parent + "/snapshots"
    }

    /// The file name of the snapshot covering `sequence`.
    static func name(sequence: UInt64) -> String {
        prefix + SegmentFiles.paddedSequence(sequence) + suffix
    }

    static func sequence(ofName name: String) -> UInt64? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        return SegmentFiles.sequence(ofPadded: name.dropFirst(prefix.count).dropLast(suffix.count))
    }

    /// Starts writing a snapshot: content goes in by section through the writer, and becomes the
    /// snapshot durably (temp file, `fsync`, `rename`, directory `fsync`) at
    /// ``SnapshotWriter/finish()``.
    ///
    /// - Parameters:
    ///   - sequence: The last log sequence the content covers; it must be synced in the log.
    ///   - formatVersion: The content's format version, checked when loading.
    ///   - fingerprint: The log's fingerprint at `sequence` (``EventLog/fingerprint(of:)``).
    /// - Throws: ``LogError/Code/io`` or ``LogError/Code/diskFull``.
    public func writer(sequence: UInt64, formatVersion: UInt16, fingerprint: LogFingerprint) throws(LogError) -> SnapshotWriter {
        try SnapshotWriter(store: self, sequence: sequence, formatVersion: formatVersion, fingerprint: fingerprint)
    }

    /// Writes a snapshot whose content is one blob (section 0), durably.
    ///
    /// - Throws: as ``writer(sequence:formatVersion:fingerprint:)``; a failed write leaves the
    ///   existing snapshots untouched.
    public func write(sequence: UInt64, formatVersion: UInt16, blob: [UInt8], fingerprint: LogFingerprint) throws(LogError) {
        let writer = try writer(sequence: sequence, formatVersion: formatVersion, fingerprint: fingerprint)
        try writer.write(section: 0, blob)
        try writer.finish()
    }

    /// The header of a snapshot file (versions 2 and 3).
    static func encodeHeader(
        fileVersion: UInt16, formatVersion: UInt16, sequence: UInt64, length: UInt64, stored: UInt64, payloadHash: UInt64,
        fingerprint: LogFingerprint
    ) -> [UInt8] {
        let size = headerSize(fileVersion: fileVersion)
        var bytes = [UInt8](repeating: 0, count: size)
        bytes.withUnsafeMutableBytes { raw in
            let base = raw.baseAddress!
            base.storeLE(Self.magic, at: 0)
            base.storeLE(fileVersion, at: 4)
            base.storeLE(formatVersion, at: 6)
            base.storeLE(sequence, at: 8)
            base.storeLE(length, at: 16)
            base.storeLE(stored, at: 24)
            base.storeLE(payloadHash, at: 32)
            base.storeLE(fingerprint.segmentFirstSequence, at: 40)
            base.storeLE(UInt64(fingerprint.offset), at: 48)
            base.storeLE(fingerprint.batchFirstSequence, at: 56)
            base.storeLE(fingerprint.batchCount, at: 64)
            base.storeLE(UInt32(0), at: 68)
            base.storeLE(fingerprint.payloadHash, at: 72)
            base.storeLE(UInt32(truncatingIfNeeded: LZ4Codec.hash(UnsafeRawBufferPointer(start: base, count: size - 4))), at: size - 4)
        }
        return bytes
    }

    /// The snapshot files by sequence, newest first.
    func candidates() throws(LogError) -> [(sequence: UInt64, path: String)] {
        guard io.kind(directory) == .directory else { return [] }
        return try FileSystem.list(directory, io: io)
            .compactMap { name in Self.sequence(ofName: name).map { ($0, FileSystem.join(directory, name)) } }
            .sorted { $0.0 > $1.0 }
    }

    /// The newest snapshot that passes its file checks and that `judge` accepts.
    ///
    /// Newer files are examined first, and each that is not used gets one report in `skipped`.
    /// With `moveAside`, which only the holder of the log's lock may pass, a damaged file and one
    /// `judge` rejects are renamed (`.corrupt`, `.stale`), never deleted, so they are not looked at
    /// again; a file of a newer version is left for the build that wrote it.
    ///
    /// - Parameters:
    ///   - maxFormatVersion: The newest blob format the caller understands.
    ///   - moveAside: Rename rejected and damaged files.
    ///   - judge: Decides from the header (sequence, fingerprint) before the payload is read.
    public func loadNewest(
        maxFormatVersion: UInt16, moveAside: Bool = false, judge: (SnapshotHeader) -> SnapshotVerdict
    ) -> SnapshotLoad {
        var result = SnapshotLoad()
        let files: [(sequence: UInt64, path: String)]
        do { files = try candidates() } catch {
            result.skipped.append(error)
            return result
        }
        for (_, path) in files {
            let outcome = readHeader(path: path).flatMap { header -> Result<Snapshot, LogError> in
                guard header.formatVersion <= maxFormatVersion else {
                    return .failure(LogError(
                        code: .unsupportedVersion,
                        message: "snapshot format version \(header.formatVersion) is newer than \(maxFormatVersion), the newest this build reads; it is skipped and the log replayed instead",
                        file: path, offset: 6, sequence: header.sequence))
                }
                switch judge(header) {
                case .use:
                    // Version 3: every frame is checked now (one read, no decompression), so a
                    // damaged file is passed over here like any other; reading checks them again.
                    if header.fileVersion >= 3 {
                        return SnapshotChunks.verify(header, io: io).map { Snapshot(header: header, blob: nil, io: io) }
                    }
                    return readPayload(header)
                case .skip(let why):
                    return .failure(LogError(code: .invalidArgument, message: "snapshot not used: \(why)", file: path, sequence: header.sequence))
                case .reject(let why):
                    return .failure(LogError(code: .corruptSnapshot, message: "snapshot does not match the log: \(why); it is never trusted", file: path, sequence: header.sequence))
                }
            }
            switch outcome {
            case .success(let snapshot):
                result.snapshot = snapshot
                return result
            case .failure(var error):
                if moveAside, error.code == .corruptSnapshot {
                    let tag = error.message.hasPrefix("snapshot does not match") ? "stale" : "corrupt"
                    if let aside = try? self.moveAside(path, tag: tag) {
                        error.message += "; moved aside to \(aside)"
                        result.movedAside.append(aside)
                    }
                }
                result.skipped.append(error)
            }
        }
        return result
    }

    /// The file `snapshot` was read from.
    package func path(of snapshot: Snapshot) -> String {
        FileSystem.join(directory, Self.name(sequence: snapshot.sequence))
    }

    /// Moves a snapshot file the caller found unusable aside (`path.tag`), ignoring failures.
    package func quarantine(_ path: String, tag: String) {
        _ = try? moveAside(path, tag: tag)
    }

    /// Renames `path` to an unused `path.tag` and syncs the directory; returns the new path.
    @discardableResult
    func moveAside(_ path: String, tag: String) throws(LogError) -> String {
        let aside = FileSystem.unusedPath(path + "." + tag, io: io)
        try FileSystem.rename(path, aside, io: io)
        try FileSystem.syncDirectory(directory, io: io)
        return aside
    }

    /// Deletes snapshot files older than the newest `keep` valid ones (of any format), and the
    /// temporary files of writes a crash interrupted. A file is valid when its header checks out
    /// and `isValid` accepts the header (the engine checks the format and the log fingerprint
    /// there, so neither a stale snapshot nor one this build does not start from counts among
    /// those kept). Files whose header does not check out are left for
    /// ``loadNewest(maxFormatVersion:moveAside:judge:)`` to report and move aside.
    ///
    /// - Returns: The paths removed.
    @discardableResult
    public func prune(keep: Int = 2, isValid: (SnapshotHeader) -> Bool = { _ in true }) -> [String] {
        var removed: [String] = []
        var valid = 0
        for (_, path) in (try? candidates()) ?? [] {
            // A damaged header is left for loadNewest to report and move aside.
            guard case .success(let header) = readHeader(path: path) else { continue }
            if valid >= keep {
                // Older than the newest `keep` valid ones: superseded, whatever its format.
                if (try? FileSystem.remove(path, io: io)) != nil { removed.append(path) }
            } else if isValid(header) {
                valid += 1
            }
        }
        removed += removeLeftovers()
        if !removed.isEmpty { try? FileSystem.syncDirectory(directory, io: io) }
        return removed
    }

    /// Removes the temporary files of snapshot writes that a crash interrupted.
    @discardableResult
    public func removeLeftovers() -> [String] {
        guard io.kind(directory) == .directory, let names = try? FileSystem.list(directory, io: io) else { return [] }
        var removed: [String] = []
        for name in names where name.hasPrefix(Self.tempPrefix) {
            let path = FileSystem.join(directory, name)
            if (try? FileSystem.remove(path, io: io)) != nil { removed.append(path) }
        }
        return removed
    }

    /// Reads and checks the header of one snapshot file.
    func readHeader(path: String) -> Result<SnapshotHeader, LogError> {
        func corrupt(_ why: String, offset: Int? = nil) -> LogError {
            LogError(code: .corruptSnapshot, message: "snapshot skipped: \(why); it will be rebuilt from the log", file: path, offset: offset)
        }
        let head: [UInt8]
        let size: Int
        do {
            let file = try FileDescriptor(path: path, flags: O_RDONLY, io: io)
            size = try file.size()
            head = try file.read(count: 84, at: 0)
        } catch {
            return .failure(error)
        }
        return head.withUnsafeBytes { raw -> Result<SnapshotHeader, LogError> in
            guard raw.count >= 8, let base = raw.baseAddress else {
                return .failure(corrupt("the file is \(raw.count) bytes, shorter than a header"))
            }
            guard base.loadLE(at: 0, as: UInt32.self) == Self.magic else { return .failure(corrupt("the magic is wrong", offset: 0)) }
            let fileVersion = base.loadLE(at: 4, as: UInt16.self)
            guard let headerSize = Self.headerSizes[fileVersion] else {
                if fileVersion > Self.fileVersion {
                    return .failure(LogError(code: .unsupportedVersion, message: "snapshot file version \(fileVersion) is newer than this build reads; upgrade conform", file: path, offset: 4))
                }
                return .failure(corrupt("file version \(fileVersion) does not exist", offset: 4))
            }
            guard raw.count >= headerSize else { return .failure(corrupt("the file is \(raw.count) bytes, shorter than its header")) }
            let check = UInt32(truncatingIfNeeded: LZ4Codec.hash(UnsafeRawBufferPointer(start: base, count: headerSize - 4)))
            guard base.loadLE(at: headerSize - 4, as: UInt32.self) == check else {
                return .failure(corrupt("the header checksum does not match", offset: headerSize - 4))
            }
            let sequence = base.loadLE(at: 8, as: UInt64.self)
            let length = base.loadLE(at: 16, as: UInt64.self)
            let compressed = base.loadLE(at: 24, as: UInt64.self)
            guard compressed == UInt64(size - headerSize) else {
                return .failure(corrupt("the header says \(compressed) compressed bytes but \(size - headerSize) follow", offset: 24))
            }
            // LZ4 cannot expand more than 255:1, so a larger claimed length is a lie; refusing it
            // before allocating keeps a crafted file from costing gigabytes. (Version 3 is never
            // allocated whole; its frames are bounded one by one.)
            if fileVersion < 3 {
                guard length <= UInt64(Int32.max), length <= compressed * 255 + 16,
                    Int(compressed) <= LZ4Codec.compressBound(Int(length)) || length == 0
                else {
                    return .failure(corrupt("the lengths are inconsistent", offset: 16))
                }
            } else if length > compressed &* 255 {
                return .failure(corrupt("the lengths are inconsistent", offset: 16))
            }
            var fingerprint: LogFingerprint?
            if fileVersion >= 2 {
                fingerprint = LogFingerprint(
                    sequence: sequence, segmentFirstSequence: base.loadLE(at: 40, as: UInt64.self),
                    offset: Int(truncatingIfNeeded: base.loadLE(at: 48, as: UInt64.self)),
                    batchFirstSequence: base.loadLE(at: 56, as: UInt64.self),
                    batchCount: base.loadLE(at: 64, as: UInt32.self),
                    payloadHash: base.loadLE(at: 72, as: UInt64.self))
            }
            return .success(SnapshotHeader(
                path: path, fileVersion: fileVersion, formatVersion: base.loadLE(at: 6, as: UInt16.self),
                sequence: sequence, fingerprint: fingerprint, length: length, compressed: compressed,
                payloadHash: base.loadLE(at: 32, as: UInt64.self), payloadOffset: headerSize))
        }
    }

    /// Reads, checks and decompresses the payload a checked header describes.
    func readPayload(_ header: SnapshotHeader) -> Result<Snapshot, LogError> {
        func corrupt(_ why: String, offset: Int? = nil) -> LogError {
            LogError(code: .corruptSnapshot, message: "snapshot skipped: \(why); it will be rebuilt from the log", file: header.path, offset: offset)
        }
        let payload: [UInt8]
        do {
            let file = try FileDescriptor(path: header.path, flags: O_RDONLY, io: io)
            payload = try file.read(count: Int(header.compressed), at: header.payloadOffset)
        } catch {
            return .failure(error)
        }
        guard payload.count == Int(header.compressed) else { return .failure(corrupt("the file shrank while it was read")) }
        return payload.withUnsafeBytes { raw -> Result<Snapshot, LogError> in
            guard LZ4Codec.hash(raw) == header.payloadHash else {
                return .failure(corrupt("the payload checksum does not match", offset: header.payloadOffset))
            }
            var blob = [UInt8](repeating: 0, count: Int(header.length))
            let ok = blob.withUnsafeMutableBytes { LZ4Codec.decompress(raw, into: $0) }
            guard ok || header.length == 0 else { return .failure(corrupt("the LZ4 payload does not decompress", offset: header.payloadOffset)) }
            return .success(Snapshot(header: header, blob: blob, io: io))
        }
    }
}

extension SnapshotStore {
    /// Moves aside every snapshot that the log in `logDirectory` does not vouch for: one whose
    /// fingerprint no longer matches, or, without a fingerprint, one beyond `lastSequence`.
    /// Used by `conform log repair` after it cut the log.
    ///
    /// - Returns: One line per file moved.
    package func moveAsideUnmatched(logDirectory: String, lastSequence: UInt64) -> [String] {
        var actions: [String] = []
        for (_, path) in (try? candidates()) ?? [] {
            guard case .success(let header) = readHeader(path: path) else { continue }
            var why: String?
            if let fingerprint = header.fingerprint {
                if case .mismatch(let reason) = fingerprint.check(directory: logDirectory, io: io) { why = reason }
            } else if header.sequence > lastSequence {
                why = "it covers sequence \(header.sequence), beyond the log's end at \(lastSequence)"
            }
            guard let why, let aside = try? moveAside(path, tag: "stale") else { continue }
            actions.append("moved snapshot \(path) aside to \(aside): \(why)")
        }
        return actions
    }
}
