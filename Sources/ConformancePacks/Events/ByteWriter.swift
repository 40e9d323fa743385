/// Appends little-endian integers, varints and length-prefixed strings to a byte buffer.
///
/// The binary format of events and snapshots: every integer is little-endian, every length is a
/// LEB128 varint, a string is its UTF-8 length then its bytes, an optional is a 0/1 byte then the value.
struct ByteWriter {
    private(set) var bytes: [UInt8]

    init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }


    mutating func u64(_ value: UInt64) { fixed(value.littleEndian) }

    mutating func i64(_ value: Int64) { fixed(value.littleEndian) }

    private mutating func fixed<T: FixedWidthInteger>(_ littleEndian: T) {
        withUnsafeBytes(of: littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func count(_ value: Int) { varint(UInt64(value)) }

    mutating func string(_ value: String) {
        var copy = value
        copy.withUTF8 { utf8 in
            count(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func optionalString(_ value: String?) {
        if let value {
            bytes.append(1)
            string(value)
        } else {
            bytes.append(0)
        }
    }

    mutating func optionalI64(_ value: Int64?) {
        if let value {
            bytes.append(1)
            i64(value)
        } else {
            bytes.append(0)
        }
    }

    mutating func strings(_ values: [String]) {
        count(values.count)
        for value in values { string(value) }
    }

    mutating func optionalStrings(_ values: [String]?) {
        if let values {
            bytes.append(1)
            strings(values)
        } else {
            bytes.append(0)
        }
    }
}
