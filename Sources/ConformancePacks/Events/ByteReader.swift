/// Why a binary event or snapshot could not be decoded.
struct DecodeError: Error, Sendable, CustomStringConvertible {
    var message: String
    var offset: Int

    var description: String { "\(message) at byte \(offset)" }
}

/// Reads what ``ByteWriter`` wrote; short or malformed input throws ``DecodeError``, never traps.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset: Int
    /// Upper bound for any decoded count, so a corrupt length cannot ask for gigabytes.
    private let maximumCount: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
        self.maximumCount = bytes.count
    }

    var isAtEnd: Bool { offset == bytes.count }

    /// Bytes not read yet.
    var remaining: Int { bytes.count - offset }

    private func fail(_ message: String) -> DecodeError { DecodeError(message: message, offset: offset) }

    mutating func u8() throws(DecodeError) -> UInt8 {
        guard offset < bytes.count else { throw fail("unexpected end of input") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func bool() throws(DecodeError) -> Bool {
        switch try u8() {
        case 0: return false
        case 1: return true
        default: throw fail("invalid boolean")
        }
    }

    private mutating func fixed<T: FixedWidthInteger>(_: T.Type) throws(DecodeError) -> T {
        let size = MemoryLayout<T>.size
        guard bytes.count - offset >= size else { throw fail("unexpected end of input") }
        var value: T = 0
        for index in 0..<size {
            value |= T(truncatingIfNeeded: bytes[offset + index]) << (8 * index)
        }
        offset += size
        return value
    }


    mutating func u64() throws(DecodeError) -> UInt64 { try fixed(UInt64.self) }

    mutating func i64() throws(DecodeError) -> Int64 { try fixed(Int64.self) }

    mutating func varint() throws(DecodeError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try u8()
            guard shift < 64 else { throw fail("varint too long") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func count() throws(DecodeError) -> Int {
        let value = try varint()
        guard value <= UInt64(maximumCount) else { throw fail("length \(value) exceeds the input") }
        return Int(value)
    }

    mutating func string() throws(DecodeError) -> String {
        let length = try count()
        guard bytes.count - offset >= length else { throw fail("unexpected end of input") }
        let start = offset
        // ASCII (nearly every name, id and ARN) skips the generic validating initializer.
        let value: String? = bytes.withUnsafeBufferPointer { buffer in
            let slice = UnsafeBufferPointer(rebasing: buffer[start..<(start + length)])
            if slice.allSatisfy({ $0 < 0x80 }) { return String(decoding: slice, as: UTF8.self) }
            return String(validating: slice, as: UTF8.self)
        }
        guard let value else { throw fail("invalid UTF-8") }
        offset += length
        return value
    }

    mutating func optionalString() throws(DecodeError) -> String? {
        try bool() ? try string() : nil
    }

    mutating func optionalI64() throws(DecodeError) -> Int64? {
        try bool() ? try i64() : nil
    }

    mutating func strings() throws(DecodeError) -> [String] {
        let n = try count()
        var values: [String] = []
        values.reserveCapacity(n)
        for _ in 0..<n { values.append(try string()) }
        return values
    }

    mutating func optionalStrings() throws(DecodeError) -> [String]? {
        try bool() ? try strings() : nil
    }

    /// Throws unless every byte was consumed: trailing bytes mean a format mismatch.
    func expectEnd() throws(DecodeError) {
        guard isAtEnd else { throw fail("\(bytes.count - offset) trailing bytes") }
    }
}
