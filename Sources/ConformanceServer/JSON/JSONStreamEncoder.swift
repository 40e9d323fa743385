import Foundation

/// A JSON encoder that writes bytes as `encode(to:)` runs, without building a tree first.
///
/// Foundation's `JSONEncoder` builds an intermediate value tree and then serialises it; for the
/// small response shapes of this API that doubles the work on the hottest path (see BENCHMARKS.md).
/// This encoder writes straight into a byte array. It follows the AWS JSON 1.1 rules of this server:
/// members encoded as `nil` are omitted (never `null`), and a `Date` is written as epoch seconds with
/// at most millisecond precision (`1573865201.619`).
///
/// Containers are closed lazily: a container stays open until its owner's `encode(to:)` returns or a
/// sibling member is written to an enclosing container, which is how synthesized `Codable`
/// conformances use them.
///
/// Its two stored properties opt out of the runtime's exclusivity checks: every member written
/// went through a `swift_beginAccess`/`swift_endAccess` pair (a thread-local access set), about a
/// tenth of a 20-result page's CPU in `perf`. The encoder is used by one request at a time and
/// never hands out `inout` references to them, so no overlapping access can happen.
final class JSONStreamEncoder: Encoder {
    /// The encoded bytes so far.
    @exclusivity(unchecked) var bytes: [UInt8]
    /// Open containers, outermost first; `true` for arrays. `count` counts members written.
    @exclusivity(unchecked) private var stack: [(isArray: Bool, count: Int)] = []

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// Creates an encoder with room for `capacity` bytes.
    init(capacity: Int = 512) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Encodes `value` as one JSON document.
    ///
    /// - Parameter value: The value to encode.
    /// - Returns: The UTF-8 JSON text.
    static func encode<T: Encodable>(_ value: T, capacity: Int = 512) throws -> [UInt8] {
        let encoder = JSONStreamEncoder(capacity: capacity)
        try encoder.encodeValue(value)
        return encoder.bytes
    }

    // MARK: Container bookkeeping

    /// Encodes a nested value and closes whatever containers it opened.
    func encodeValue<T: Encodable>(_ value: T) throws {
        let depth = stack.count
        if let date = value as? Date {
            writeDate(date)
            return
        }
        try value.encode(to: self)
        close(downTo: depth)
    }

    /// Closes every container deeper than `depth`.
    func close(downTo depth: Int) {
        while stack.count > depth {
            let frame = stack.removeLast()
            bytes.append(frame.isArray ? UInt8(ascii: "]") : UInt8(ascii: "}"))
        }
    }

    /// Opens a container for the value being encoded at `depth`, or reuses the one it already opened.
    private func open(isArray: Bool) -> Int {
        if let top = stack.last, top.isArray == isArray, top.count == 0, lastByteOpens(isArray: isArray) {
            // `container(keyedBy:)` called twice by the same encode(to:) before writing anything.
            return stack.count
        }
        stack.append((isArray, 0))
        bytes.append(isArray ? UInt8(ascii: "[") : UInt8(ascii: "{"))
        return stack.count
    }

    private func lastByteOpens(isArray: Bool) -> Bool {
        bytes.last == (isArray ? UInt8(ascii: "[") : UInt8(ascii: "{"))
    }

    /// Prepares container `depth` for a new member: closes deeper containers and writes the separator.
    func beginMember(at depth: Int) {
        close(downTo: depth)
        if stack[depth - 1].count > 0 { bytes.append(UInt8(ascii: ",")) }
        stack[depth - 1].count += 1
    }

    /// Writes `"key":` for a member of the object at `depth`.
    func beginKey(_ key: String, at depth: Int) {
        beginMember(at: depth)
        writeString(key)
        bytes.append(UInt8(ascii: ":"))
    }

    // MARK: Scalars

    /// Writes a JSON string with the escapes JSON requires.
    func writeString(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var start = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                start = index + 1
                switch byte {
                case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
                case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [
                        UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                        hex[Int(byte >> 4)], hex[Int(byte & 0xF)],
                    ])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes a decimal integer.
    func writeInteger<T: BinaryInteger>(_ value: T) {
        if let value = Int64(exactly: value) {
            writeInt64(value)
        } else {
            bytes.append(contentsOf: String(value).utf8)
        }
    }

    /// Writes a decimal `Int64` without building a `String` first.
    func writeInt64(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        // 20 digits hold any UInt64; written from the end.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude != 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    /// Writes a floating-point number; non-finite values, which JSON cannot hold, are refused.
    func writeDouble(_ value: Double) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "Non-finite number"))
        }
        if value == value.rounded(), abs(value) < 1e15 {
            writeInteger(Int64(value))
        } else {
            bytes.append(contentsOf: value.description.utf8)
        }
    }

    func writeBool(_ value: Bool) {
        let text: StaticString = value ? "true" : "false"
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Writes a timestamp as epoch seconds rounded to the millisecond: `1573865201.619`,
    /// `1573865201.6` or `1573865201`, never a binary-fraction artefact like `1573865201.6190002`.
    func writeDate(_ date: Date) {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        if milliseconds < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = milliseconds.magnitude
        let fraction = magnitude % 1000
        writeInt64(Int64(magnitude / 1000))
        guard fraction != 0 else { return }
        bytes.append(UInt8(ascii: "."))
        bytes.append(UInt8(ascii: "0") + UInt8(fraction / 100))
        // Trailing zeros dropped: .6 for 600 ms, .61 for 610 ms.
        if fraction % 100 != 0 { bytes.append(UInt8(ascii: "0") + UInt8(fraction / 10 % 10)) }
        if fraction % 10 != 0 { bytes.append(UInt8(ascii: "0") + UInt8(fraction % 10)) }
    }

    // MARK: Encoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedContainer<Key>(encoder: self, depth: open(isArray: false)))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        UnkeyedContainer(encoder: self, depth: open(isArray: true))
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(encoder: self)
    }
}
