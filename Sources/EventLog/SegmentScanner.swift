#if canImport(Glibc)
import Glibc
#endif

/// Damage found at a batch boundary while scanning a segment.
struct ScanDamage: Sendable {
    /// Where the damaged batch starts.
    var offset: Int
    /// The batch's header, when it was readable and passed its checksum.
    var header: BatchHeader?
    /// Whether the batch runs past the end of the file (a torn write) rather than failing a check.
    var torn: Bool
    /// A batch format newer than this build reads, with a valid header checksum.
    var newerVersion: UInt16?
    /// Why the batch is damaged.
    var reason: String
}

/// One step of a scan.
enum ScanStep {
    /// A whole batch whose header and payload checksums hold; `payload` is valid until the next step.
    case batch(BatchHeader, offset: Int, payload: UnsafeRawBufferPointer)
    /// The end of the file, exactly at a batch boundary.
    case end
    /// A batch that is cut short or fails a check.
    case damage(ScanDamage)
}

/// Walks the batches of one segment file through a read-ahead buffer, checking each header and
/// payload checksum; it never trusts a length before the header checksum vouched for it.
struct SegmentScanner: ~Copyable {
    static let readAhead = 1 << 20

    let file: FileDescriptor
    /// The first sequence the segment header names.
    let firstSequence: UInt64
    /// The size of the file when last looked at.
    private(set) var fileSize: Int
    /// Where the next batch starts.
    var offset: Int = SegmentHeader.size
    private var chunk: ByteArena
    private var chunkStart = 0

    /// Opens `path` read-only and checks its segment header.
    ///
    /// - Throws: ``LogError/Code/notASegment`` when the file has no segment header,
    ///   ``LogError/Code/unsupportedVersion`` for a newer format, ``LogError/Code/io``.
    init(path: String) throws(LogError) {
        let file = try FileDescriptor(path: path, flags: O_RDONLY)
        let size = try file.size()
        let head = try file.read(count: SegmentHeader.size, at: 0)
        let decoded = head.withUnsafeBytes { SegmentHeader.decode($0) }
        switch decoded {
        case .success(let first): self.firstSequence = first
        case .failure(.short), .failure(.badMagic):
            throw LogError(
                code: .notASegment,
                message: "the file has a .seg name but no segment header (\(size) bytes); move it out of the log directory or run `conform log repair`",
                file: path, offset: 0)
        case .failure(.newerVersion(let v)):
            throw LogError(
                code: .unsupportedVersion,
                message: "segment format version \(v) is newer than \(SegmentHeader.formatVersion), the newest this build reads; upgrade conform",
                file: path, offset: 4)
        }
        self.file = file
        self.fileSize = size
        self.chunk = ByteArena(capacity: Self.readAhead)
    }

    var path: String { file.path }

    /// Looks at the file's size again (a writer may have appended since).
    mutating func refreshSize() throws(LogError) {
        fileSize = try file.size()
    }

    /// The bytes `[at, at + count)`, fewer at end of file; valid until the next call.
    private mutating func bytes(at position: Int, count: Int) throws(LogError) -> UnsafeRawBufferPointer {
        if position >= chunkStart, position + count <= chunkStart + chunk.count {
            return UnsafeRawBufferPointer(start: chunk.base + (position - chunkStart), count: count)
        }
        let want = min(max(count, Self.readAhead), max(0, fileSize - position))
        chunk.ensureCapacity(want)
        chunkStart = position
        chunk.count = 0
        let n = try file.read(into: UnsafeMutableRawBufferPointer(start: chunk.base, count: want), at: position)
        chunk.count = n
        return UnsafeRawBufferPointer(start: chunk.base, count: min(n, count))
    }

    /// Reads the next batch, checking header checksum, invariants and payload checksum.
    mutating func next(checkPayload: Bool = true) throws(LogError) -> ScanStep {
        let start = offset
        let remaining = fileSize - start
        if remaining <= 0 { return .end }
        if remaining < BatchHeader.size {
            return .damage(ScanDamage(offset: start, header: nil, torn: true, reason: "only \(remaining) bytes of a batch header"))
        }
        let headerBytes = try bytes(at: start, count: BatchHeader.size)
        if headerBytes.count < BatchHeader.size {
            return .damage(ScanDamage(offset: start, header: nil, torn: true, reason: "the file shrank under the reader"))
        }
        let header: BatchHeader
        switch BatchHeader.decode(headerBytes) {
        case .success(let h): header = h
        case .failure(.newerVersion(let v)):
            return .damage(ScanDamage(offset: start, header: nil, torn: false, newerVersion: v, reason: BatchHeader.DecodeFailure.newerVersion(v).description))
        case .failure(let why):
            return .damage(ScanDamage(offset: start, header: nil, torn: false, reason: why.description))
        }
        if header.storedSize > remaining {
            return .damage(ScanDamage(
                offset: start, header: header, torn: true,
                reason: "the batch needs \(header.storedSize) bytes but only \(remaining) remain"))
        }
        let payload = try bytes(at: start + BatchHeader.size, count: Int(header.compressedLength))
        if payload.count < Int(header.compressedLength) {
            return .damage(ScanDamage(offset: start, header: header, torn: true, reason: "the file shrank under the reader"))
        }
        if checkPayload, LZ4Codec.hash(payload) != header.payloadHash {
            return .damage(ScanDamage(offset: start, header: header, torn: false, reason: "the payload checksum does not match"))
        }
        offset = start + header.storedSize
        return .batch(header, offset: start, payload: payload)
    }

    /// The offset of the first whole, checksum-valid batch that starts after `position`, if any.
    ///
    /// Used to tell a torn tail (nothing valid follows: truncate) from damage in the middle.
    func validBatchOffset(after position: Int) throws(LogError) -> Int? {
        let from = position + 1
        guard fileSize - from >= BatchHeader.size else { return nil }
        let rest = try file.read(count: fileSize - from, at: from)
        return rest.withUnsafeBytes { raw -> Int? in
            guard raw.count >= BatchHeader.size else { return nil }
            let magic0 = UInt8(truncatingIfNeeded: BatchHeader.magic)
            var i = 0
            while i + BatchHeader.size <= raw.count {
                if raw[i] == magic0,
                   case .success(let h) = BatchHeader.decode(UnsafeRawBufferPointer(rebasing: raw[i...])),
                   i + h.storedSize <= raw.count,
                   LZ4Codec.hash(UnsafeRawBufferPointer(rebasing: raw[(i + BatchHeader.size)..<(i + h.storedSize)])) == h.payloadHash
                {
                    return from + i
                }
                i += 1
            }
            return nil
        }
    }
}

/// Decompresses a batch and checks its record framing.
enum BatchDecoder {
    /// Decompresses `payload` into `arena` and checks that exactly `header.count` records fill
    /// exactly `header.uncompressedLength` bytes. Returns why not, or nil when whole.
    static func decode(_ header: BatchHeader, payload: UnsafeRawBufferPointer, into arena: inout ByteArena) -> String? {
        let length = Int(header.uncompressedLength)
        arena.ensureCapacity(length)
        arena.count = 0
        guard LZ4Codec.decompress(payload, into: UnsafeMutableRawBufferPointer(start: arena.base, count: length)) else {
            return "the LZ4 payload does not decompress to \(length) bytes"
        }
        arena.count = length
        return checkFraming(arena.bytes, count: header.count)
    }

    /// Checks that `count` records exactly fill `bytes`.
    static func checkFraming(_ bytes: UnsafeRawBufferPointer, count: UInt32) -> String? {
        var position = 0
        var seen: UInt32 = 0
        while position < bytes.count {
            guard let (_, size) = record(in: bytes, at: position) else {
                return "record \(seen) at byte \(position) of the batch is cut short"
            }
            position += size
            seen += 1
            if seen > count { return "more records than the header's \(count)" }
        }
        return seen == count ? nil : "\(seen) records where the header says \(count)"
    }

    /// The record at `position` and its encoded size, or nil when it runs past the end.
    @inline(__always)
    static func record(in bytes: UnsafeRawBufferPointer, at position: Int)
        -> (header: (type: UInt16, version: UInt8, payload: Range<Int>), size: Int)?
    {
        guard position + 4 <= bytes.count, let base = bytes.baseAddress else { return nil }
        let type = base.loadLE(at: position, as: UInt16.self)
        let version = bytes[position + 2]
        guard let (length, n) = Varint.read(bytes, at: position + 3) else { return nil }
        let start = position + 3 + n
        guard Int(length) <= bytes.count - start else { return nil }
        return ((type, version, start..<(start + Int(length))), 3 + n + Int(length))
    }
}
