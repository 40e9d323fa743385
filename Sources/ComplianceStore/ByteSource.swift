/// Where `ComplianceStore.deserialize` reads: pieces from the caller's closure, split at any
/// byte boundary, with the running checksum of the bytes consumed. Every read checks its bounds
/// and throws `truncated` at the end of the stream.
struct ByteSource: ~Copyable {
    let next: () throws -> [UInt8]?
    var piece: [UInt8] = []
    var index = 0
    /// The index in `piece` up to which the checksum has consumed bytes.
    var hashed = 0
    /// Stream offset of `piece[0]`.
    var pieceOffset = 0
    var hashing = true
    let hasher = StreamHasher()

    init(next: @escaping () throws -> [UInt8]?) { self.next = next }

    /// The stream offset of the next byte.
    var offset: Int { pieceOffset + index }

    func error(_ code: ComplianceStoreError.Code, _ message: String) -> ComplianceStoreError {
        ComplianceStoreError(code: code, message: message, offset: offset)
    }

    /// Fetches the next non-empty piece; false at the end of the stream.
    mutating func refill() throws(ComplianceStoreError) -> Bool {
        hashPending()
        while true {
            let fetched: [UInt8]?
            do {
                fetched = try next()
            } catch {
                throw ComplianceStoreError(
                    code: .source, message: "Reading the serialized store failed at its source; the store was not loaded.",
                    offset: offset, cause: error)
            }
            guard let fetched else { return false }
            pieceOffset += piece.count
            piece = fetched
            index = 0
            hashed = 0
            if !piece.isEmpty { return true }
        }
    }

    /// Adds the bytes consumed so far in this piece to the checksum.
    mutating func hashPending() {
        if hashing && hashed < index {
            piece.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[hashed..<index])) }
        }
        hashed = index
    }

    @inline(__always)
    mutating func byte() throws(ComplianceStoreError) -> UInt8 {
        if index == piece.count {
            guard try refill() else { throw error(.truncated, "The serialized store ends early; the snapshot is incomplete.") }
        }
        let value = piece[index]
        index += 1
        return value
    }

    /// A LEB128 varint of at most 10 bytes that fits in 64 bits.
    @inline(__always)
    mutating func varint() throws(ComplianceStoreError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try byte()
            if shift == 63 && byte > 1 { throw error(.malformed, "A varint overflows 64 bits.") }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    /// A varint that must be at most `limit`.
    @inline(__always)
    mutating func count(atMost limit: Int, _ what: String) throws(ComplianceStoreError) -> Int {
        let start = offset
        let value = try varint()
        guard value <= UInt64(limit) else {
            throw ComplianceStoreError(code: .limitExceeded, message: "\(what) is \(value), more than the \(limit) allowed.", offset: start)
        }
        return Int(value)
    }

    @inline(__always)
    mutating func signed() throws(ComplianceStoreError) -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    /// Reads `count` bytes into `scratch` (replacing its contents).
    mutating func bytes(_ count: Int, into scratch: inout [UInt8]) throws(ComplianceStoreError) {
        scratch.removeAll(keepingCapacity: true)
        while scratch.count < count {
            if index == piece.count {
                guard try refill() else { throw error(.truncated, "The serialized store ends inside a string.") }
            }
            let take = min(count - scratch.count, piece.count - index)
            scratch.append(contentsOf: piece[index..<(index + take)])
            index += take
        }
    }

    /// Reads the 8-byte checksum trailer (not itself checksummed) and checks it, then checks
    /// that the stream ends there.
    mutating func finish() throws(ComplianceStoreError) {
        hashPending()
        hashing = false
        let expected = hasher.digest
        let start = offset
        var stored: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 8) { stored |= UInt64(try byte()) << UInt64(shift) }
        guard stored == expected else {
            throw ComplianceStoreError(code: .malformed, message: "The serialized store's checksum does not match its contents; it is corrupt.", offset: start)
        }
        if index < piece.count { throw error(.malformed, "Bytes follow the serialized store's checksum.") }
        if try refill() { throw error(.malformed, "Bytes follow the serialized store's checksum.") }
    }
}
