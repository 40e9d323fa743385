import Foundation

/// Writes one JSON object member by member into a ``JSONStreamEncoder``; `nil` members are skipped.
///
/// Used by the hand-written writers of the hottest response shapes, where the generic `Encodable`
/// path (existential containers, dynamic casts) costs more than the rest of the request.
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
        encoder.bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    mutating func string(_ key: StaticString, _ value: String?) {
        guard let value else { return }
        self.key(key)
        encoder.writeString(value)
    }

    mutating func date(_ key: StaticString, _ value: Date?) {
        guard let value else { return }
        self.key(key)
        encoder.writeDate(value)
    }

    /// Writes a list member whose elements write themselves.
    mutating func array<Element>(_ key: StaticString, _ values: [Element]?, _ write: (Element, JSONStreamEncoder) -> Void) {
        guard let values else { return }
        self.key(key)
        encoder.bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { encoder.bytes.append(UInt8(ascii: ",")) }
            write(value, encoder)
        }
        encoder.bytes.append(UInt8(ascii: "]"))
    }

    /// Closes the object.
    consuming func finish() {
        encoder.bytes.append(UInt8(ascii: "}"))
    }
}
