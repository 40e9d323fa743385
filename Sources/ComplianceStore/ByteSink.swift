/// Where `ComplianceStore.serialize` writes: a 1 MiB buffer handed to the caller's closure
/// whenever it nearly fills, with the running checksum of everything handed over.
///
/// Not generic over the caller's error type, so that every write is specialized code: `emit`
/// returns false once the caller's closure threw, and the sink stops handing pieces over.
struct ByteSink: ~Copyable {
    static var pieceLimit: Int { 1 << 20 }
    /// Flush when fewer bytes than this are left: any fixed-size item (a block of entries, a
    /// rule's header) always fits after a flush.
    static var headroom: Int { 16 * 1_024 }

    let emit: (UnsafeRawBufferPointer) -> Bool
    /// False once `emit` failed: nothing more is handed over.
    var healthy = true
    let base = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 20)
    var count = 0
    let hasher = StreamHasher()

    init(emit: @escaping (UnsafeRawBufferPointer) -> Bool) { self.emit = emit }

    deinit { base.deallocate() }

    /// Hands the buffer over when it is nearly full.
    @inline(__always)
    mutating func makeRoom() {
        if count > Self.pieceLimit - Self.headroom { flush() }
    }

    mutating func flush() {
        guard count > 0 else { return }
        let bytes = UnsafeRawBufferPointer(start: base, count: count)
        hasher.update(bytes)
        if healthy { healthy = emit(bytes) }
        count = 0
    }

    @inline(__always)
    mutating func byte(_ value: UInt8) {
        base[count] = value
        count &+= 1
    }

    /// A LEB128 varint.
    @inline(__always)
    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            base[count] = UInt8(truncatingIfNeeded: rest) | 0x80
            count &+= 1
            rest >>= 7
        }
        base[count] = UInt8(truncatingIfNeeded: rest)
        count &+= 1
    }

    @inline(__always)
    mutating func varint(_ value: Int) { varint(UInt64(value)) }

    /// A zigzag varint: small magnitudes of either sign take few bytes.
    @inline(__always)
    mutating func signed(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// Bytes of any length, flushing as the buffer fills.
    mutating func bytes(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            if count == Self.pieceLimit { flush() }
            let take = min(Self.pieceLimit - count, bytes.count - offset)
            UnsafeMutableRawPointer(base + count).copyMemory(from: bytes.baseAddress! + offset, byteCount: take)
            count += take
            offset += take
        }
        makeRoom()
    }

    /// Flushes, then hands over the checksum of everything before it (8 bytes, little-endian).
    mutating func finish() {
        flush()
        let digest = hasher.digest
        for index in 0..<8 { base[index] = UInt8(truncatingIfNeeded: digest >> UInt64(8 * index)) }
        if healthy { healthy = emit(UnsafeRawBufferPointer(start: base, count: 8)) }
    }
}
