import CXXHash

/// The fixed 48-byte header in front of every batch, little-endian:
/// `magic u32 · format version u16 · flags u16 · first sequence u64 · event count u32 ·
/// uncompressed length u32 · compressed length u32 · timestamp ms u64 · XXH3-64 of the compressed
/// bytes u64 · header checksum u32` (the low 32 bits of XXH3-64 over the 44 bytes before it).
struct BatchHeader: Hashable, Sendable {
    static let size = 48
    /// "CFBT" read as a little-endian u32.
    static let magic: UInt32 = 0x5442_4643
    /// The batch format this code writes and the newest it reads.
    static let formatVersion: UInt16 = 1
    /// The largest uncompressed payload of one batch; larger groups are split.
    static let maxUncompressed = 4 << 20

    var formatVersion: UInt16 = BatchHeader.formatVersion
    var flags: UInt16 = 0
    var firstSequence: UInt64
    var count: UInt32
    var uncompressedLength: UInt32
    var compressedLength: UInt32
    var timestamp: UInt64
    var payloadHash: UInt64

    /// The last sequence in the batch.
    var lastSequence: UInt64 { firstSequence &+ UInt64(count) &- 1 }
    /// The bytes the batch takes on disk.
    var storedSize: Int { BatchHeader.size + Int(compressedLength) }

    /// Writes the header, with its checksum, into 48 bytes at `pointer`.
    func encode(to pointer: UnsafeMutableRawPointer) {
        pointer.storeLE(BatchHeader.magic, at: 0)
        pointer.storeLE(formatVersion, at: 4)
        pointer.storeLE(flags, at: 6)
        pointer.storeLE(firstSequence, at: 8)
        pointer.storeLE(count, at: 16)
        pointer.storeLE(uncompressedLength, at: 20)
        pointer.storeLE(compressedLength, at: 24)
        pointer.storeLE(timestamp, at: 28)
        pointer.storeLE(payloadHash, at: 36)
        let check = UInt32(truncatingIfNeeded: XXH3_64bits(pointer, 44))
        pointer.storeLE(check, at: 44)
    }

    /// Why a header could not be decoded.
    enum DecodeFailure: Error, Equatable {
        case short, badMagic, badChecksum, newerVersion(UInt16), badFields(String)
    }

    /// Decodes and checks a header; never traps on any input.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> Result<BatchHeader, DecodeFailure> {
        guard bytes.count >= size, let base = bytes.baseAddress else { return .failure(.short) }
        guard base.loadLE(at: 0, as: UInt32.self) == magic else { return .failure(.badMagic) }
        let check = UInt32(truncatingIfNeeded: XXH3_64bits(base, 44))
        guard base.loadLE(at: 44, as: UInt32.self) == check else { return .failure(.badChecksum) }
        let header = BatchHeader(
            formatVersion: base.loadLE(at: 4, as: UInt16.self),
            flags: base.loadLE(at: 6, as: UInt16.self),
            firstSequence: base.loadLE(at: 8, as: UInt64.self),
            count: base.loadLE(at: 16, as: UInt32.self),
            uncompressedLength: base.loadLE(at: 20, as: UInt32.self),
            compressedLength: base.loadLE(at: 24, as: UInt32.self),
            timestamp: base.loadLE(at: 28, as: UInt64.self),
            payloadHash: base.loadLE(at: 36, as: UInt64.self))
        guard header.formatVersion <= formatVersion else { return .failure(.newerVersion(header.formatVersion)) }
        if let problem = header.invariantViolation { return .failure(.badFields(problem)) }
        return .success(header)
    }

    /// The first broken invariant of the header's fields, or nil when they hold.
    var invariantViolation: String? {
        if formatVersion == 0 { return "format version 0" }
        if flags != 0 { return "unknown flags \(flags)" }
        if firstSequence == 0 { return "first sequence 0" }
        if count == 0 { return "event count 0" }
        if firstSequence > UInt64.max - UInt64(count) { return "sequence overflow" }
        if Int(uncompressedLength) > BatchHeader.maxUncompressed { return "uncompressed length \(uncompressedLength) over the 4 MiB cap" }
        // Each record takes at least 4 bytes (type, version, one-byte length).
        if UInt64(count) * 4 > UInt64(uncompressedLength) { return "\(count) events cannot fit in \(uncompressedLength) bytes" }
        if compressedLength == 0 { return "compressed length 0" }
        if Int(compressedLength) > LZ4Codec.compressBound(Int(uncompressedLength)) { return "compressed length \(compressedLength) over LZ4's bound" }
        return nil
    }
}

extension BatchHeader.DecodeFailure: CustomStringConvertible {
    var description: String {
        switch self {
        case .short: "the header is cut short"
        case .badMagic: "the batch magic is wrong"
        case .badChecksum: "the header checksum does not match"
        case .newerVersion(let v): "batch format version \(v) is newer than \(BatchHeader.formatVersion), the newest this build reads"
        case .badFields(let why): "the header's fields are inconsistent: \(why)"
        }
    }
}

/// The 16-byte header at the start of every segment file:
/// `magic u32 · format version u16 · flags u16 · first sequence u64`.
enum SegmentHeader {
    static let size = 16
    /// "CFSG" read as a little-endian u32.
    static let magic: UInt32 = 0x4753_4643
    static let formatVersion: UInt16 = 1

    static func encode(firstSequence: UInt64) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: size)
        bytes.withUnsafeMutableBytes { raw in
            guard let p = raw.baseAddress else { return }
            p.storeLE(magic, at: 0)
            p.storeLE(formatVersion, at: 4)
            p.storeLE(UInt16(0), at: 6)
            p.storeLE(firstSequence, at: 8)
        }
        return bytes
    }

    enum DecodeFailure: Error { case short, badMagic, newerVersion(UInt16) }

    /// The first sequence named by the header.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> Result<UInt64, DecodeFailure> {
        guard bytes.count >= size, let p = bytes.baseAddress else { return .failure(.short) }
        guard p.loadLE(at: 0, as: UInt32.self) == magic else { return .failure(.badMagic) }
        let version = p.loadLE(at: 4, as: UInt16.self)
        guard version >= 1, version <= formatVersion else { return .failure(.newerVersion(version)) }
        return .success(p.loadLE(at: 8, as: UInt64.self))
    }
}
