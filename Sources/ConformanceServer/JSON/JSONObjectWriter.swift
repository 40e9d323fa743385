import Foundation

/// Writes one JSON object member by member into a ``JSONStreamEncoder``; `nil` members are skipped.
///
/// Used by the generated writers of the response shapes (``JSONStreamWritable``), where the generic
/// `Encodable` path (existential containers, dynamic casts) costs more than the rest of the request.
struct JSONObjectWriter: ~Copyable {
    let encoder: JSONStreamEncoder
    private var first = true

    /// Opens the object.
    init(_ encoder: JSONStreamEncoder) {
        self.encoder = encoder
        encoder.bytes.append(UInt8(ascii: "{"))
    }

    /// Writes `"key":`; keys are ASCII member names that need no escaping.
    mutating func key(_ key: StaticString) {
        if !first { encoder.bytes.append(UInt8(ascii: ",")) }
        first = false
        encoder.bytes.append(UInt8(ascii: "\""))
        encoder.bytes.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        encoder.bytes.append(UInt8(ascii: "\""))
        encoder.bytes.append(UInt8(ascii: ":"))
    }

    /// Writes a string member (a model enum passes its raw value).
    mutating func string(_ key: StaticString, _ value: String?) {
        guard let value else { return }
        self.key(key)
        encoder.writeString(value)
    }

    /// Writes a timestamp member: epoch seconds with at most millisecond precision.
    mutating func date(_ key: StaticString, _ value: Date?) {
        guard let value else { return }
        self.key(key)
        encoder.writeDate(value)
    }

    /// Writes an integer member.
    mutating func integer(_ key: StaticString, _ value: Int?) {
        guard let value else { return }
        self.key(key)
        encoder.writeInteger(value)
    }

    /// Writes a boolean member.
    mutating func bool(_ key: StaticString, _ value: Bool?) {
        guard let value else { return }
        self.key(key)
        encoder.writeBool(value)
    }

    /// Writes a structure member.
    mutating func object(_ key: StaticString, _ value: (some JSONStreamWritable)?) {
        guard let value else { return }
        self.key(key)
        value.write(to: encoder)
    }

    /// Writes a list member; `write` writes one element.
    mutating func array<Element>(_ key: StaticString, _ values: [Element]?, _ write: (Element, JSONStreamEncoder) -> Void) {
        guard let values else { return }
        self.key(key)
        encoder.writeArray(values, write)
    }

    /// Writes a map member; `write` writes one value.
    mutating func map<Value>(_ key: StaticString, _ values: [String: Value]?, _ write: (Value, JSONStreamEncoder) -> Void) {
        guard let values else { return }
        self.key(key)
        encoder.writeMap(values, write)
    }

    /// Closes the object.
    consuming func finish() {
        encoder.bytes.append(UInt8(ascii: "}"))
    }
}

extension JSONStreamEncoder {
    /// Writes a JSON array; `write` writes one element.
    func writeArray<Element>(_ values: [Element], _ write: (Element, JSONStreamEncoder) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            write(value, self)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes a JSON object of a map, in the dictionary's iteration order (the order its `Encodable`
    /// conformance uses); `write` writes one value.
    func writeMap<Value>(_ values: [String: Value], _ write: (Value, JSONStreamEncoder) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        var first = true
        for (key, value) in values {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            writeString(key)
            bytes.append(UInt8(ascii: ":"))
            write(value, self)
        }
        bytes.append(UInt8(ascii: "}"))
    }
}
