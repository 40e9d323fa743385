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

/// What damage at a batch boundary means: the one decision recovery, readers and `verify` share.
enum DamageVerdict: Equatable {
    /// The unfinished end of the newest segment: nothing valid follows (or only zeros do, which is
    /// what a power loss leaves on ext4). Opening for writing cuts it; it was never acknowledged
    /// under `everyBatch`.
    case tornTail(reason: String)
    /// Damage that is not a torn tail: in a sealed segment, or followed by a valid batch.
    case damaged(reason: String, validBatchFollowsAt: Int?)
    /// A batch written by a newer format than this build reads.
    case newerVersion(UInt16)
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
    init(path: String, io: any FileIO) throws(LogError) {
        let file = try FileDescriptor(path: path, flags: O_RDONLY, io: io)
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
        self.chunk = ByteArena(capacity: 64 << 10)
    }

    var path: String { file.path }

    /// Looks at the file's size again (a writer may have appended since).
    mutating func refreshSize() throws(LogError) {
        let size = try file.size()
        // A file that shrank was cut back: what was read ahead past its end is gone.
        if size < fileSize || chunkStart + chunk.count > size { chunk.count = 0 }
        fileSize = size
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

    /// Decides what `damage` means (see ``DamageVerdict``); `isLastSegment` says whether the
    /// segment is the newest of its log, the only one that can have a torn tail.
    func judge(_ damage: ScanDamage, isLastSegment: Bool) throws(LogError) -> DamageVerdict {
        if let version = damage.newerVersion { return .newerVersion(version) }
        if isLastSegment, try isZero(from: damage.offset) {
            return .tornTail(reason: "\(damage.reason); the rest of the file is zeros, as a power loss leaves it")
        }
        let follows = try validBatchOffset(after: damage.offset)
        if isLastSegment, follows == nil { return .tornTail(reason: damage.reason) }
        return .damaged(reason: damage.reason, validBatchFollowsAt: follows)
    }

    /// Whether every byte from `position` to the end of the file is zero.
    func isZero(from position: Int) throws(LogError) -> Bool {
        var buffer = ByteArena(capacity: 64 << 10)
        var at = position
        while at < fileSize {
            let n = try file.read(into: UnsafeMutableRawBufferPointer(start: buffer.base, count: min(buffer.capacity, fileSize - at)), at: at)
            if n == 0 { break }
            buffer.count = n
            if buffer.bytes.contains(where: { $0 != 0 }) { return false }
            at += n
        }
        return true
    }

    /// The header of a checksum-valid batch that starts exactly at `position`, with its payload
    /// checked too; nil when there is none.
    func validBatch(at position: Int) throws(LogError) -> BatchHeader? {
        guard position >= SegmentHeader.size, fileSize - position >= BatchHeader.size else { return nil }
        let head = try file.read(count: BatchHeader.size, at: position)
        guard case .success(let header) = head.withUnsafeBytes({ BatchHeader.decode($0) }),
              position + header.storedSize <= fileSize
        else { return nil }
        let payload = try file.read(count: Int(header.compressedLength), at: position + BatchHeader.size)
        guard payload.count == Int(header.compressedLength),
              payload.withUnsafeBytes({ LZ4Codec.hash($0) }) == header.payloadHash
        else { return nil }
        return header
    }

    /// The offset of the first whole, checksum-valid batch that starts after `position`, if any.
    ///
    /// Used to tell a torn tail (nothing valid follows: truncate) from damage in the middle.
    /// Reads the file in windows, so a large foreign file is never held in memory.
    func validBatchOffset(after position: Int) throws(LogError) -> Int? {
        let window = Self.readAhead
        var buffer = ByteArena(capacity: window)
        var start = position + 1
        // Bounded by the file size: each window advances by at least one byte.
        while fileSize - start >= BatchHeader.size {
            let n = try file.read(into: UnsafeMutableRawBufferPointer(start: buffer.base, count: min(window, fileSize - start)), at: start)
            guard n >= 4 else { return nil }
            buffer.count = n
            let bytes = buffer.bytes
            var i = 0
            while i + 4 <= n {
                if bytes.baseAddress.map({ $0.loadLE(at: i, as: UInt32.self) }) == BatchHeader.magic,
                   try validBatch(at: start + i) != nil
                {
                    return start + i
                }
                i += 1
            }
            start += n - 3
        }
        return nil
    }

    /// The last batch of a sealed segment, found from its end: the valid batch that ends exactly
    /// at the end of the file. Reads at most one batch's worth from the end (a header plus LZ4's
    /// bound for 4 MiB).
    ///
    /// - Returns: nil when the segment holds only its header, or its end is not a whole batch.
    func lastBatch() throws(LogError) -> BatchHeader? {
        guard fileSize > SegmentHeader.size else { return nil }
        let lowest = max(SegmentHeader.size, fileSize - (BatchHeader.size + LZ4Codec.compressBound(BatchHeader.maxUncompressed)))
        var windowEnd = fileSize - BatchHeader.size + 4
        var window = 64 << 10
        var buffer = ByteArena(capacity: window)
        // Windows grow from the end towards `lowest`; each candidate is a magic number.
        while windowEnd > lowest {
            let windowStart = max(lowest, windowEnd - window)
            let n = try file.read(into: UnsafeMutableRawBufferPointer(start: buffer.base, count: windowEnd - windowStart), at: windowStart)
            guard n == windowEnd - windowStart else { return nil }
            let base = UnsafeRawPointer(buffer.base)
            var i = n - 4
            while i >= 0 {
                if base.loadLE(at: i, as: UInt32.self) == BatchHeader.magic {
                    let at = windowStart + i
                    let head = try file.read(count: BatchHeader.size, at: at)
                    if case .success(let header) = head.withUnsafeBytes({ BatchHeader.decode($0) }),
                       at + header.storedSize == fileSize, try validBatch(at: at) != nil
                    {
                        return header
                    }
                }
                i -= 1
            }
            if windowStart == lowest { break }
            windowEnd = windowStart + 3
            window = min(window * 4, 4 << 20)
            buffer.ensureCapacity(window)
        }
        return nil
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
