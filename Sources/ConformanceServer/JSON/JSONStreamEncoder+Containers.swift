extension JSONStreamEncoder {
    /// An object; `nil` members are skipped so absent members never reach the wire.
    struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let encoder: JSONStreamEncoder
        let depth: Int
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil(forKey key: Key) throws {}
        mutating func encode(_ value: Bool, forKey key: Key) throws {
            encoder.beginKey(key.stringValue, at: depth)
            encoder.writeBool(value)
        }
        mutating func encode(_ value: String, forKey key: Key) throws {
            encoder.beginKey(key.stringValue, at: depth)
            encoder.writeString(value)
        }
        mutating func encode(_ value: Double, forKey key: Key) throws {
            encoder.beginKey(key.stringValue, at: depth)
            try encoder.writeDouble(value)
        }
        mutating func encode(_ value: Float, forKey key: Key) throws {
            encoder.beginKey(key.stringValue, at: depth)
            try encoder.writeDouble(Double(value))
        }
        mutating func encode(_ value: Int, forKey key: Key) throws {
            encoder.beginKey(key.stringValue, at: depth)
            encoder.writeInteger(value)
        }
        mutating func encode(_ value: Int8, forKey key: Key) throws { try encode(Int(value), forKey: key) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { try encode(Int(value), forKey: key) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { try encode(Int(value), forKey: key) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { try encode(Int(value), forKey: key) }
        mutating func encode(_ value: UInt, forKey key: Key) throws {
            encoder.beginKey(key.stringValue, at: depth)
            encoder.writeInteger(value)
        }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { try encode(UInt(value), forKey: key) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { try encode(UInt(value), forKey: key) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { try encode(UInt(value), forKey: key) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { try encode(UInt(value), forKey: key) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            encoder.beginKey(key.stringValue, at: depth)
            try encoder.encodeValue(value)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy keyType: NestedKey.Type, forKey key: Key
        ) -> KeyedEncodingContainer<NestedKey> {
            encoder.beginKey(key.stringValue, at: depth)
            return encoder.container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            encoder.beginKey(key.stringValue, at: depth)
            return encoder.unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder {
            encoder.beginKey("super", at: depth)
            return encoder
        }
        mutating func superEncoder(forKey key: Key) -> any Encoder {
            encoder.beginKey(key.stringValue, at: depth)
            return encoder
        }
    }

    /// An array.
    struct UnkeyedContainer: UnkeyedEncodingContainer {
        let encoder: JSONStreamEncoder
        let depth: Int
        private(set) var count = 0
        var codingPath: [any CodingKey] { [] }

        init(encoder: JSONStreamEncoder, depth: Int) {
            self.encoder = encoder
            self.depth = depth
        }

        private mutating func begin() {
            encoder.beginMember(at: depth)
            count += 1
        }

        mutating func encodeNil() throws {
            begin()
            encoder.bytes.append(contentsOf: "null".utf8)
        }
        mutating func encode(_ value: Bool) throws {
            begin()
            encoder.writeBool(value)
        }
        mutating func encode(_ value: String) throws {
            begin()
            encoder.writeString(value)
        }
        mutating func encode(_ value: Double) throws {
            begin()
            try encoder.writeDouble(value)
        }
        mutating func encode(_ value: Float) throws {
            begin()
            try encoder.writeDouble(Double(value))
        }
        mutating func encode(_ value: Int) throws {
            begin()
            encoder.writeInteger(value)
        }
        mutating func encode(_ value: Int8) throws { try encode(Int(value)) }
        mutating func encode(_ value: Int16) throws { try encode(Int(value)) }
        mutating func encode(_ value: Int32) throws { try encode(Int(value)) }
        mutating func encode(_ value: Int64) throws { try encode(Int(value)) }
        mutating func encode(_ value: UInt) throws {
            begin()
            encoder.writeInteger(value)
        }
        mutating func encode(_ value: UInt8) throws { try encode(UInt(value)) }
        mutating func encode(_ value: UInt16) throws { try encode(UInt(value)) }
        mutating func encode(_ value: UInt32) throws { try encode(UInt(value)) }
        mutating func encode(_ value: UInt64) throws { try encode(UInt(value)) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            begin()
            try encoder.encodeValue(value)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
            -> KeyedEncodingContainer<NestedKey>
        {
            begin()
            return encoder.container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            begin()
            return encoder.unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder {
            begin()
            return encoder
        }
    }

    /// A scalar (or a value that encodes itself through a single-value container).
    struct SingleValueContainer: SingleValueEncodingContainer {
        let encoder: JSONStreamEncoder
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil() throws { encoder.bytes.append(contentsOf: "null".utf8) }
        mutating func encode(_ value: Bool) throws { encoder.writeBool(value) }
        mutating func encode(_ value: String) throws { encoder.writeString(value) }
        mutating func encode(_ value: Double) throws { try encoder.writeDouble(value) }
        mutating func encode(_ value: Float) throws { try encoder.writeDouble(Double(value)) }
        mutating func encode(_ value: Int) throws { encoder.writeInteger(value) }
        mutating func encode(_ value: Int8) throws { encoder.writeInteger(value) }
        mutating func encode(_ value: Int16) throws { encoder.writeInteger(value) }
        mutating func encode(_ value: Int32) throws { encoder.writeInteger(value) }
        mutating func encode(_ value: Int64) throws { encoder.writeInteger(value) }
        mutating func encode(_ value: UInt) throws { encoder.writeInteger(value) }
        mutating func encode(_ value: UInt8) throws { encoder.writeInteger(value) }
        mutating func encode(_ value: UInt16) throws { encoder.writeInteger(value) }
        mutating func encode(_ value: UInt32) throws { encoder.writeInteger(value) }
        mutating func encode(_ value: UInt64) throws { encoder.writeInteger(value) }
        mutating func encode<T: Encodable>(_ value: T) throws { try encoder.encodeValue(value) }
    }
}
