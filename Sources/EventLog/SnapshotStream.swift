#if canImport(Glibc)
import Glibc
#endif

/// The frames of a snapshot file of version 3: its content streamed in independently compressed
/// and checksummed chunks, so that neither writing nor reading holds more than one chunk of it in
/// memory, and its size has no cap.
///
/// After the 84-byte header (``SnapshotStore``), little-endian frames:
/// `kind u8 (1 data, 2 end) · section u8 · reserved u16 · uncompressed length u32 · stored length
/// u32 · XXH3-64 of the stored bytes u64 · frame-header checksum u32` (low 32 bits of XXH3-64 of
/// the 20 bytes before it), then the stored bytes: an LZ4 block of at most ``chunkSize`` bytes
/// for a data frame; for the end frame, the count of data frames u64 and the total uncompressed
/// bytes u64. The end frame ends the file. Sections are the caller's: each data frame names the
/// section its bytes belong to, and a section's bytes are the concatenation of its frames.
enum SnapshotFrames {
    static let headerSize = 24
    /// The most uncompressed bytes one data frame holds.
    static let chunkSize = 1 << 20
    static let dataKind: UInt8 = 1
    static let endKind: UInt8 = 2

    static func encodeHeader(
        kind: UInt8, section: UInt8, uncompressed: Int, stored: UnsafeRawBufferPointer, into base: UnsafeMutableRawPointer
    ) {
        base.storeLE(kind, at: 0)
        base.storeLE(section, at: 1)
        base.storeLE(UInt16(0), at: 2)
        base.storeLE(UInt32(uncompressed), at: 4)
        base.storeLE(UInt32(stored.count), at: 8)
        base.storeLE(LZ4Codec.hash(stored), at: 12)
        base.storeLE(UInt32(truncatingIfNeeded: LZ4Codec.hash(UnsafeRawBufferPointer(start: base, count: 20))), at: 20)
    }
}

/// A snapshot being written: content goes in by section, is compressed one chunk at a time into a
/// temporary file, and becomes the snapshot only at ``finish()`` (fsync, rename, directory fsync).
/// Dropped without `finish()`, it removes its temporary file and leaves the snapshots as they were.
public final class SnapshotWriter {
    private let store: SnapshotStore
    private let sequence: UInt64
    private let formatVersion: UInt16
    private let fingerprint: LogFingerprint
    private let finalPath: String
    private let tempPath: String
    private var file: FileDescriptor?
    private var offset = SnapshotStore.headerSize(fileVersion: 3)
    private var pending: [UInt8] = []
    private var pendingSection: UInt8 = 0
    private var compressed: [UInt8]
    private var frames: UInt64 = 0
    private var total: UInt64 = 0
    private var finished = false

    init(store: SnapshotStore, sequence: UInt64, formatVersion: UInt16, fingerprint: LogFingerprint) throws(LogError) {
        guard fingerprint.sequence == sequence else {
            throw LogError(code: .invalidArgument, message: "the fingerprint is of sequence \(fingerprint.sequence), not \(sequence)", file: store.directory, sequence: sequence)
        }
        self.store = store
        self.sequence = sequence
        self.formatVersion = formatVersion
        self.fingerprint = fingerprint
        finalPath = FileSystem.join(store.directory, SnapshotStore.name(sequence: sequence))
        tempPath = FileSystem.join(store.directory, SnapshotStore.tempPrefix + "\(getpid())-" + SnapshotStore.name(sequence: sequence))
        compressed = [UInt8](repeating: 0, count: SnapshotFrames.headerSize + LZ4Codec.compressBound(SnapshotFrames.chunkSize))
        pending.reserveCapacity(SnapshotFrames.chunkSize)
        try FileSystem.makeDirectories(store.directory, io: store.io)
        file = try FileDescriptor(path: tempPath, flags: O_WRONLY | O_CREAT | O_TRUNC, io: store.io)
    }

    deinit {
        if !finished {
            _ = file.take()
            FileSystem.removeQuietly(tempPath, io: store.io)
        }
    }

    /// Appends `bytes` to `section`.
    ///
    /// - Throws: ``LogError/Code/io`` or ``LogError/Code/diskFull``; the snapshot is then
    ///   abandoned (drop the writer).
    public func write(section: UInt8, _ bytes: UnsafeRawBufferPointer) throws(LogError) {
        if section != pendingSection, !pending.isEmpty { try flush() }
        pendingSection = section
        var rest = bytes
        while !rest.isEmpty {
            let take = min(rest.count, SnapshotFrames.chunkSize - pending.count)
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[..<take]))
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            if pending.count == SnapshotFrames.chunkSize { try flush() }
        }
    }

    /// ``write(section:_:)`` of an array.
    public func write(section: UInt8, _ bytes: [UInt8]) throws(LogError) {
        try bytes.withBytes { (raw) throws(LogError) in try write(section: section, raw) }
    }

    /// Writes the end frame and the header, and makes the snapshot durable under its name.
    public func finish() throws(LogError) {
        try flush()
        var end = [UInt8](repeating: 0, count: SnapshotFrames.headerSize + 16)
        end.withUnsafeMutableBytes { raw in
            let base = raw.baseAddress!
            base.storeLE(frames, at: SnapshotFrames.headerSize)
            base.storeLE(total, at: SnapshotFrames.headerSize + 8)
            SnapshotFrames.encodeHeader(
                kind: SnapshotFrames.endKind, section: 0, uncompressed: 0,
                stored: UnsafeRawBufferPointer(start: base + SnapshotFrames.headerSize, count: 16), into: base)
        }
        try append(end)
        let header = SnapshotStore.encodeHeader(
            fileVersion: 3, formatVersion: formatVersion, sequence: sequence, length: total,
            stored: UInt64(offset - SnapshotStore.headerSize(fileVersion: 3)), payloadHash: 0, fingerprint: fingerprint)
        guard let open = file.take() else { throw LogError(code: .closed, message: "the snapshot writer was finished already", file: tempPath) }
        do throws(LogError) {
            try header.withBytes { (raw) throws(LogError) in try open.write(raw, at: 0) }
            try open.sync()
            try open.close()
            try FileSystem.rename(tempPath, finalPath, io: store.io)
            try FileSystem.syncDirectory(store.directory, io: store.io)
        } catch {
            FileSystem.removeQuietly(tempPath, io: store.io)
            finished = true
            throw error
        }
        finished = true
    }

    /// Compresses and writes the pending chunk as one data frame.
    private func flush() throws(LogError) {
        guard !pending.isEmpty else { return }
        let count = pending.count
        let section = pendingSection
        let size: Int? = compressed.withUnsafeMutableBytes { raw -> Int? in
            let base = raw.baseAddress!
            let out = UnsafeMutableRawBufferPointer(start: base + SnapshotFrames.headerSize, count: raw.count - SnapshotFrames.headerSize)
            guard let n = pending.withUnsafeBytes({ LZ4Codec.compress($0, into: out) }) else { return nil }
            SnapshotFrames.encodeHeader(
                kind: SnapshotFrames.dataKind, section: section, uncompressed: count,
                stored: UnsafeRawBufferPointer(start: base + SnapshotFrames.headerSize, count: n), into: base)
            return SnapshotFrames.headerSize + n
        }
        guard let size else {
            throw LogError(code: .invalidArgument, message: "LZ4 could not compress a \(count)-byte chunk", file: tempPath)
        }
        try compressed.withBytes { (raw) throws(LogError) in try append(UnsafeRawBufferPointer(rebasing: raw[..<size])) }
        frames += 1
        total += UInt64(count)
        pending.removeAll(keepingCapacity: true)
    }

    private func append(_ bytes: [UInt8]) throws(LogError) {
        try bytes.withBytes { (raw) throws(LogError) in try append(raw) }
    }

    private func append(_ bytes: UnsafeRawBufferPointer) throws(LogError) {
        guard file != nil else { throw LogError(code: .closed, message: "the snapshot writer was finished already", file: tempPath) }
        try file!.write(bytes, at: offset)
        offset += bytes.count
    }
}

/// One piece of a snapshot's content.
public struct SnapshotChunk: Sendable, Hashable {
    /// The section it belongs to (0 for the single blob of file versions 1 and 2).
    public var section: UInt8
    /// Its bytes, decompressed and checked.
    public var bytes: [UInt8]
}

/// Reads a snapshot's content one checked chunk at a time.
public final class SnapshotChunks {
    private enum Source {
        /// File versions 1 and 2: the whole (already checked) blob.
        case blob([UInt8]?)
        /// File version 3: frames from `offset`.
        case frames
    }

    private let header: SnapshotHeader
    private let io: any FileIO
    private var source: Source
    private var file: FileDescriptor?
    private var offset: Int
    private var fileSize = 0
    private var frames: UInt64 = 0
    private var total: UInt64 = 0
    private var ended = false

    init(blob: [UInt8], header: SnapshotHeader, io: any FileIO) {
        self.header = header
        self.io = io
        self.source = .blob(blob)
        self.offset = 0
    }

    init(framesOf header: SnapshotHeader, io: any FileIO) throws(LogError) {
        self.header = header
        self.io = io
        self.source = .frames
        self.offset = header.payloadOffset
        let open = try FileDescriptor(path: header.path, flags: O_RDONLY, io: io)
        fileSize = try open.size()
        file = consume open
    }

    private func corrupt(_ why: String, at offset: Int) -> LogError {
        LogError(code: .corruptSnapshot, message: "snapshot skipped: \(why); it will be rebuilt from the log", file: header.path, offset: offset)
    }

    /// The next chunk, or nil after the last one.
    ///
    /// - Throws: ``LogError/Code/corruptSnapshot`` for a damaged or truncated frame, a checksum
    ///   that does not match, or content that ends without its end frame; ``LogError/Code/io``.
    public func next() throws(LogError) -> SnapshotChunk? {
        switch source {
        case .blob(let blob):
            source = .blob(nil)
            return blob.map { SnapshotChunk(section: 0, bytes: $0) }
        case .frames:
            return try nextFrame(decompress: true)
        }
    }

    /// Checks every frame of a version-3 snapshot (headers, checksums, the end frame's counts)
    /// without decompressing: one sequential read of the file.
    static func verify(_ header: SnapshotHeader, io: any FileIO) -> Result<Void, LogError> {
        do {
            let frames = try SnapshotChunks(framesOf: header, io: io)
            while try frames.nextFrame(decompress: false) != nil {}
            return .success(())
        } catch {
            return .failure(error)
        }
    }

    private func nextFrame(decompress: Bool) throws(LogError) -> SnapshotChunk? {
        guard !ended, file != nil else { return nil }
        let head = try file!.read(count: SnapshotFrames.headerSize, at: offset)
        guard head.count == SnapshotFrames.headerSize else { throw corrupt("the content ends without its end frame", at: offset) }
        let (kind, section, length, stored, hash, valid) = head.withUnsafeBytes { raw in
            let base = raw.baseAddress!
            let check = UInt32(truncatingIfNeeded: LZ4Codec.hash(UnsafeRawBufferPointer(start: base, count: 20)))
            return (
                base.loadLE(at: 0, as: UInt8.self), base.loadLE(at: 1, as: UInt8.self),
                Int(base.loadLE(at: 4, as: UInt32.self)), Int(base.loadLE(at: 8, as: UInt32.self)),
                base.loadLE(at: 12, as: UInt64.self), base.loadLE(at: 20, as: UInt32.self) == check
            )
        }
        guard valid else { throw corrupt("a frame header checksum does not match", at: offset) }
        let bodyOffset = offset + SnapshotFrames.headerSize
        // Bounded before allocating: a data frame holds at most one chunk.
        switch kind {
        case SnapshotFrames.dataKind:
            guard length >= 1, length <= SnapshotFrames.chunkSize, stored >= 1, stored <= LZ4Codec.compressBound(length) else {
                throw corrupt("a frame claims \(length) bytes stored in \(stored)", at: offset)
            }
        case SnapshotFrames.endKind:
            guard stored == 16, length == 0 else { throw corrupt("the end frame is malformed", at: offset) }
        default:
            throw corrupt("a frame of unknown kind \(kind)", at: offset)
        }
        guard bodyOffset + stored <= fileSize else { throw corrupt("a frame runs past the end of the file", at: offset) }
        let body = try file!.read(count: stored, at: bodyOffset)
        guard body.count == stored else { throw corrupt("the file shrank while it was read", at: bodyOffset) }
        guard body.withUnsafeBytes({ LZ4Codec.hash($0) }) == hash else { throw corrupt("a frame checksum does not match", at: offset) }
        offset = bodyOffset + stored
        if kind == SnapshotFrames.endKind {
            let (count, bytes) = body.withUnsafeBytes { ($0.baseAddress!.loadLE(at: 0, as: UInt64.self), $0.baseAddress!.loadLE(at: 8, as: UInt64.self)) }
            guard count == frames, bytes == total, bytes == header.length, offset == fileSize else {
                throw corrupt("the end frame counts \(count) frames and \(bytes) bytes, but \(frames) frames and \(total) bytes came before it", at: offset)
            }
            ended = true
            _ = file.take()
            return nil
        }
        frames += 1
        total += UInt64(length)
        guard decompress else { return SnapshotChunk(section: section, bytes: []) }
        var chunk = [UInt8](repeating: 0, count: length)
        let ok = chunk.withUnsafeMutableBytes { out in body.withUnsafeBytes { LZ4Codec.decompress($0, into: out) } }
        guard ok else { throw corrupt("a frame does not decompress", at: bodyOffset) }
        return SnapshotChunk(section: section, bytes: chunk)
    }

    /// Every remaining chunk's bytes, concatenated (for small snapshots and tests).
    public func readAll() throws(LogError) -> [UInt8] {
        var bytes: [UInt8] = []
        while let chunk = try next() { bytes += chunk.bytes }
        return bytes
    }
}
