#if canImport(Glibc)
import Glibc
#endif

/// A snapshot read back from disk: an opaque blob and the last sequence it covers.
public struct Snapshot: Sendable, Hashable {
    /// The last log sequence whose effects the blob includes.
    public var sequence: UInt64
    /// The version of the blob's own format, chosen by the writer of the snapshot.
    public var formatVersion: UInt16
    /// The snapshot's bytes.
    public var blob: [UInt8]

    /// Creates a snapshot value.
    public init(sequence: UInt64, formatVersion: UInt16, blob: [UInt8]) {
        self.sequence = sequence
        self.formatVersion = formatVersion
        self.blob = blob
    }
}

/// Snapshot files in a directory: written atomically, LZ4-compressed and checksummed, named
/// `snapshot-<sequence, 20 digits>.snap`; loading trusts only a snapshot whose checks all pass.
///
/// File layout, little-endian: a 40-byte header `magic u32 · file version u16 · blob format version
/// u16 · sequence u64 · uncompressed length u64 · compressed length u64 · XXH3-64 of the compressed
/// bytes u64`, then a u32 header checksum (low 32 bits of XXH3-64 of the 40 bytes), then the LZ4 block.
public struct SnapshotStore: Sendable {
    /// The directory holding the snapshot files.
    public let directory: String

    static let magic: UInt32 = 0x4E53_4643  // "CFSN"
    static let fileVersion: UInt16 = 1
    static let headerSize = 44
    static let prefix = "snapshot-"
    static let suffix = ".snap"

    /// Uses `directory` (created on the first write).
    public init(directory: String) {
        self.directory = directory
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

    /// Writes a snapshot durably: temp file, `fsync`, `rename`, directory `fsync`.
    ///
    /// - Parameters:
    ///   - sequence: The last log sequence the blob covers.
    ///   - formatVersion: The blob's format version, checked by ``loadNewest(maxFormatVersion:)``.
    ///   - blob: The bytes to keep.
    /// - Throws: ``LogError/Code/io`` or ``LogError/Code/diskFull``; a failed write leaves the
    ///   existing snapshots untouched.
    public func write(sequence: UInt64, formatVersion: UInt16, blob: [UInt8]) throws(LogError) {
        try FileSystem.makeDirectories(directory)
        let bound = LZ4Codec.compressBound(blob.count)
        var bytes = [UInt8](repeating: 0, count: Self.headerSize + bound)
        let total: Int? = bytes.withUnsafeMutableBytes { raw -> Int? in
            guard let base = raw.baseAddress else { return nil }
            let payload = UnsafeMutableRawBufferPointer(start: base + Self.headerSize, count: bound)
            let compressed: Int
            if blob.isEmpty {
                compressed = 0
            } else {
                guard let n = blob.withUnsafeBytes({ LZ4Codec.compress($0, into: payload) }) else { return nil }
                compressed = n
            }
            base.storeLE(Self.magic, at: 0)
            base.storeLE(Self.fileVersion, at: 4)
            base.storeLE(formatVersion, at: 6)
            base.storeLE(sequence, at: 8)
            base.storeLE(UInt64(blob.count), at: 16)
            base.storeLE(UInt64(compressed), at: 24)
            base.storeLE(LZ4Codec.hash(UnsafeRawBufferPointer(start: base + Self.headerSize, count: compressed)), at: 32)
            base.storeLE(UInt32(truncatingIfNeeded: LZ4Codec.hash(UnsafeRawBufferPointer(start: base, count: 40))), at: 40)
            return Self.headerSize + compressed
        }
        guard let total else {
            throw LogError(code: .invalidArgument, message: "LZ4 could not compress a \(blob.count)-byte snapshot; it is too large", file: directory, sequence: sequence)
        }
        let finalPath = FileSystem.join(directory, Self.name(sequence: sequence))
        let tempPath = FileSystem.join(directory, ".tmp-\(getpid())-" + Self.name(sequence: sequence))
        do {
            let file = try FileDescriptor(path: tempPath, flags: O_WRONLY | O_CREAT | O_TRUNC)
            try bytes.withBytes { (raw) throws(LogError) in
                try file.write(UnsafeRawBufferPointer(rebasing: raw[0..<total]), at: 0)
            }
            try file.sync()
            try file.close()
            try FileSystem.rename(tempPath, finalPath)
            try FileSystem.syncDirectory(directory)
        } catch {
            FileSystem.remove(tempPath)
            throw error
        }
    }

    /// The newest valid snapshot, plus one error for each newer snapshot file that was skipped.
    ///
    /// - Parameter maxFormatVersion: The newest blob format the caller understands; newer snapshots
    ///   are skipped with ``LogError/Code/unsupportedVersion``.
    /// - Returns: nil when there is no valid snapshot (a missing directory is no error); `skipped`
    ///   holds ``LogError/Code/corruptSnapshot`` or ``LogError/Code/unsupportedVersion`` errors,
    ///   newest first.
    public func loadNewest(maxFormatVersion: UInt16) -> (snapshot: Snapshot?, skipped: [LogError]) {
        guard FileSystem.kind(directory) == .directory else { return (nil, []) }
        let names: [String]
        do { names = try FileSystem.list(directory) } catch { return (nil, [error]) }
        let candidates = names.compactMap { name in Self.sequence(ofName: name).map { ($0, name) } }
            .sorted { $0.0 > $1.0 }
        var skipped: [LogError] = []
        for (_, name) in candidates {
            switch load(path: FileSystem.join(directory, name), maxFormatVersion: maxFormatVersion) {
            case .success(let snapshot): return (snapshot, skipped)
            case .failure(let error): skipped.append(error)
            }
        }
        return (nil, skipped)
    }

    /// Reads and checks one snapshot file.
    func load(path: String, maxFormatVersion: UInt16) -> Result<Snapshot, LogError> {
        func corrupt(_ why: String, offset: Int? = nil) -> LogError {
            LogError(code: .corruptSnapshot, message: "snapshot skipped: \(why); it will be rebuilt from the log, delete the file to silence this", file: path, offset: offset)
        }
        let bytes: [UInt8]
        do {
            let file = try FileDescriptor(path: path, flags: O_RDONLY)
            bytes = try file.read(count: try file.size(), at: 0)
        } catch {
            return .failure(error)
        }
        return bytes.withUnsafeBytes { raw -> Result<Snapshot, LogError> in
            guard raw.count >= Self.headerSize, let base = raw.baseAddress else {
                return .failure(corrupt("the file is \(raw.count) bytes, shorter than a header"))
            }
            guard base.loadLE(at: 0, as: UInt32.self) == Self.magic else { return .failure(corrupt("the magic is wrong", offset: 0)) }
            let check = UInt32(truncatingIfNeeded: LZ4Codec.hash(UnsafeRawBufferPointer(start: base, count: 40)))
            guard base.loadLE(at: 40, as: UInt32.self) == check else { return .failure(corrupt("the header checksum does not match", offset: 40)) }
            let fileVersion = base.loadLE(at: 4, as: UInt16.self)
            let formatVersion = base.loadLE(at: 6, as: UInt16.self)
            let sequence = base.loadLE(at: 8, as: UInt64.self)
            guard fileVersion <= Self.fileVersion else {
                return .failure(LogError(code: .unsupportedVersion, message: "snapshot file version \(fileVersion) is newer than this build reads; upgrade conform", file: path, offset: 4, sequence: sequence))
            }
            guard formatVersion <= maxFormatVersion else {
                return .failure(LogError(code: .unsupportedVersion, message: "snapshot format version \(formatVersion) is newer than \(maxFormatVersion), the newest the caller reads; it is skipped and the log replayed instead", file: path, offset: 6, sequence: sequence))
            }
            let length = base.loadLE(at: 16, as: UInt64.self)
            let compressed = base.loadLE(at: 24, as: UInt64.self)
            guard compressed == UInt64(raw.count - Self.headerSize) else {
                return .failure(corrupt("the header says \(compressed) compressed bytes but \(raw.count - Self.headerSize) follow", offset: 24))
            }
            // LZ4 cannot expand more than 255:1, so a larger claimed length is a lie; refusing it
            // before allocating keeps a crafted file from costing gigabytes.
            guard length <= UInt64(Int32.max), length <= compressed * 255 + 16,
                Int(compressed) <= LZ4Codec.compressBound(Int(length)) || length == 0
            else {
                return .failure(corrupt("the lengths are inconsistent", offset: 16))
            }
            let payload = UnsafeRawBufferPointer(start: base + Self.headerSize, count: Int(compressed))
            guard LZ4Codec.hash(payload) == base.loadLE(at: 32, as: UInt64.self) else {
                return .failure(corrupt("the payload checksum does not match", offset: Self.headerSize))
            }
            var blob = [UInt8](repeating: 0, count: Int(length))
            let ok = blob.withUnsafeMutableBytes { LZ4Codec.decompress(payload, into: $0) }
            guard ok || length == 0 else { return .failure(corrupt("the LZ4 payload does not decompress", offset: Self.headerSize)) }
            return .success(Snapshot(sequence: sequence, formatVersion: formatVersion, blob: blob))
        }
    }
}
