/// Little-endian loads and stores on raw memory; callers check bounds once per header.
extension UnsafeRawPointer {
    @inline(__always)
    func loadLE<T: FixedWidthInteger>(at offset: Int, as type: T.Type) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

extension UnsafeMutableRawPointer {
    @inline(__always)
    func storeLE<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
    }
}

/// LEB128 unsigned varints, as used for record lengths.
enum Varint {
    /// The most bytes a 32-bit length takes.
    static let maxLength32 = 5

    /// How many bytes `value` takes.
    @inline(__always)
    static func size(_ value: UInt32) -> Int {
        var v = value
        var n = 1
        while v >= 0x80 {
            v >>= 7
            n += 1
        }
        return n
    }

    /// Writes `value` at `pointer`; returns the bytes written.
    @inline(__always)
    static func write(_ value: UInt32, to pointer: UnsafeMutableRawPointer) -> Int {
        var v = value
        var n = 0
        while v >= 0x80 {
            pointer.storeBytes(of: UInt8(truncatingIfNeeded: v) | 0x80, toByteOffset: n, as: UInt8.self)
            v >>= 7
            n += 1
        }
        pointer.storeBytes(of: UInt8(truncatingIfNeeded: v), toByteOffset: n, as: UInt8.self)
        return n + 1
    }

    /// Reads a 32-bit varint from `bytes` at `offset`; nil when short or over-long.
    @inline(__always)
    static func read(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> (value: UInt32, length: Int)? {
        var result: UInt32 = 0
        var shift: UInt32 = 0
        var index = offset
        while index < bytes.count, index - offset < maxLength32 {
            let byte = bytes[index]
            if shift == 28, byte > 0x0F { return nil }
            result |= UInt32(byte & 0x7F) << shift
            index += 1
            if byte & 0x80 == 0 { return (result, index - offset) }
            shift += 7
        }
        return nil
    }
}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` that keeps the closure's typed error.
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws(LogError) -> R) throws(LogError) -> R {
        let result: Result<R, LogError> = withUnsafeBytes { raw in Result { () throws(LogError) -> R in try body(raw) } }
        return try result.get()
    }

    /// `withUnsafeMutableBytes` that keeps the closure's typed error.
    mutating func withMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws(LogError) -> R) throws(LogError) -> R {
        let result: Result<R, LogError> = withUnsafeMutableBytes { raw in Result { () throws(LogError) -> R in try body(raw) } }
        return try result.get()
    }
}
