import ConformancePacks
import Foundation

/// A `Decoder` that makes a value of any generated shape without knowing its members: it answers
/// whatever the shape's synthesized `init(from:)` asks for.
///
/// `.populated` sets every optional member and gives lists and maps two elements; `.sparse` leaves
/// optional members out and required lists empty. Strings carry characters JSON must escape,
/// timestamps a millisecond fraction, and model enums cycle through their listed values and one the
/// model does not list.
final class FixtureDecoder: Decoder {
    enum Mode: CustomStringConvertible {
        case populated, sparse
        var description: String { self == .populated ? "populated" : "sparse" }
    }

    /// Numbers the values made, so that no two strings or timestamps are alike.
    private final class Counter {
        var value = 0
        func next() -> Int {
            value += 1
            return value
        }
    }

    let mode: Mode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    private let counter: Counter

    private init(mode: Mode, codingPath: [any CodingKey], counter: Counter) {
        self.mode = mode
        self.codingPath = codingPath
        self.counter = counter
    }

    /// A value of `type`.
    static func make<T: Decodable>(_ type: T.Type, _ mode: Mode) throws -> T {
        try FixtureDecoder(mode: mode, codingPath: [], counter: Counter()).value(T.self)
    }

    /// Sparse, or nested deep enough to stop (a recursive shape must end).
    var isSparse: Bool { mode == .sparse || codingPath.count > 16 }

    func value<T: Decodable>(_ type: T.Type) throws -> T {
        let n = counter.next()
        switch type {
        case is String.Type: return "s\(n) \"q\" \\ /\n\t\u{1}é✓" as! T
        case is Int.Type: return n as! T
        case is Bool.Type: return (n % 2 == 0) as! T
        case is Double.Type: return (Double(n) + 0.25) as! T
        case is Date.Type: return Date(timeIntervalSince1970: 1_700_000_000 + Double(n) + 0.125) as! T
        case let model as any ModelEnum.Type: return Self.enumValue(model, n) as! T
        default: return try T(from: self)
        }
    }

    private static func enumValue<E: ModelEnum>(_ type: E.Type, _ n: Int) -> E {
        let listed = E.allCases
        let index = n % (listed.count + 1)
        return index < listed.count ? listed[index] : E(rawValue: "NOT_LISTED_\(n)")
    }

    func child(_ key: any CodingKey) -> FixtureDecoder {
        FixtureDecoder(mode: mode, codingPath: codingPath + [key], counter: counter)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Keyed<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        Unkeyed(decoder: self, count: isSparse ? 0 : 2)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        Single(decoder: self)
    }

    /// Only the scalar types the generator maps model shapes to are made.
    private func unsupported<T>(_ type: T.Type) -> DecodingError {
        .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "the generator maps no model shape to \(type)"))
    }

    private struct Index: CodingKey {
        var intValue: Int?
        var stringValue: String { "\(intValue ?? 0)" }
        init(_ index: Int) { intValue = index }
        init?(stringValue: String) { nil }
        init?(intValue: Int) { self.intValue = intValue }
    }

    private struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let decoder: FixtureDecoder
        var codingPath: [any CodingKey] { decoder.codingPath }
        /// The keys of a map (`[String: V]` asks for them); structures ask by name.
        var allKeys: [Key] { decoder.isSparse ? [] : ["k1", "k2"].compactMap(Key.init(stringValue:)) }

        func contains(_ key: Key) -> Bool { !decoder.isSparse }
        func decodeNil(forKey key: Key) throws -> Bool { false }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decoder.child(key).value(type) }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoder.child(key).value(type) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder.child(key).value(type) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decoder.child(key).value(type) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoder.child(key).value(type) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { throw decoder.unsupported(type) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { throw decoder.unsupported(type) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { throw decoder.unsupported(type) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { throw decoder.unsupported(type) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { throw decoder.unsupported(type) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { throw decoder.unsupported(type) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { throw decoder.unsupported(type) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { throw decoder.unsupported(type) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { throw decoder.unsupported(type) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { throw decoder.unsupported(type) }
        func nestedContainer<NestedKey: CodingKey>(
            keyedBy type: NestedKey.Type, forKey key: Key
        ) throws -> KeyedDecodingContainer<NestedKey> {
            try decoder.child(key).container(keyedBy: type)
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try decoder.child(key).unkeyedContainer()
        }
        func superDecoder() throws -> any Decoder { decoder }
        func superDecoder(forKey key: Key) throws -> any Decoder { decoder.child(key) }
    }

    private struct Unkeyed: UnkeyedDecodingContainer {
        let decoder: FixtureDecoder
        let count: Int?
        var currentIndex = 0
        var codingPath: [any CodingKey] { decoder.codingPath }
        var isAtEnd: Bool { currentIndex >= count ?? 0 }

        init(decoder: FixtureDecoder, count: Int) {
            self.decoder = decoder
            self.count = count
        }

        private mutating func next() -> FixtureDecoder {
            defer { currentIndex += 1 }
            return decoder.child(Index(currentIndex))
        }

        mutating func decodeNil() throws -> Bool { false }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().value(type) }
        mutating func decode(_ type: Bool.Type) throws -> Bool { try next().value(type) }
        mutating func decode(_ type: String.Type) throws -> String { try next().value(type) }
        mutating func decode(_ type: Double.Type) throws -> Double { try next().value(type) }
        mutating func decode(_ type: Int.Type) throws -> Int { try next().value(type) }
        mutating func decode(_ type: Float.Type) throws -> Float { throw decoder.unsupported(type) }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { throw decoder.unsupported(type) }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { throw decoder.unsupported(type) }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { throw decoder.unsupported(type) }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { throw decoder.unsupported(type) }
        mutating func decode(_ type: UInt.Type) throws -> UInt { throw decoder.unsupported(type) }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { throw decoder.unsupported(type) }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { throw decoder.unsupported(type) }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { throw decoder.unsupported(type) }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { throw decoder.unsupported(type) }
        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy type: NestedKey.Type
        ) throws -> KeyedDecodingContainer<NestedKey> {
            try next().container(keyedBy: type)
        }
        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
        mutating func superDecoder() throws -> any Decoder { next() }
    }

    private struct Single: SingleValueDecodingContainer {
        let decoder: FixtureDecoder
        var codingPath: [any CodingKey] { decoder.codingPath }

        func decodeNil() -> Bool { false }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.value(type) }
        func decode(_ type: Bool.Type) throws -> Bool { try decoder.value(type) }
        func decode(_ type: String.Type) throws -> String { try decoder.value(type) }
        func decode(_ type: Double.Type) throws -> Double { try decoder.value(type) }
        func decode(_ type: Int.Type) throws -> Int { try decoder.value(type) }
        func decode(_ type: Float.Type) throws -> Float { throw decoder.unsupported(type) }
        func decode(_ type: Int8.Type) throws -> Int8 { throw decoder.unsupported(type) }
        func decode(_ type: Int16.Type) throws -> Int16 { throw decoder.unsupported(type) }
        func decode(_ type: Int32.Type) throws -> Int32 { throw decoder.unsupported(type) }
        func decode(_ type: Int64.Type) throws -> Int64 { throw decoder.unsupported(type) }
        func decode(_ type: UInt.Type) throws -> UInt { throw decoder.unsupported(type) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { throw decoder.unsupported(type) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { throw decoder.unsupported(type) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { throw decoder.unsupported(type) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { throw decoder.unsupported(type) }
    }
}
