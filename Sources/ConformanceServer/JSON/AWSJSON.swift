import Foundation
package import Hummingbird

/// AWS JSON 1.1 bodies in both directions.
package enum AWSJSON {
    /// `application/x-amz-json-1.1`.
    package static let contentType = "application/x-amz-json-1.1"

    /// The decoder for request shapes: timestamps are epoch seconds, integer or fractional.
    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }()

    /// Decodes a request shape from a body.
    ///
    /// An empty body reads as `{}` (an input with no members set).
    ///
    /// - Parameters:
    ///   - type: The request shape.
    ///   - body: The request body.
    /// - Returns: The decoded shape.
    /// - Throws: `ValidationException` for a missing or `null` required member,
    ///   `SerializationException` for anything that is not a JSON object of the right member types.
    package static func decode<T: Decodable>(_ type: T.Type, from body: ByteBuffer) throws(ServiceError) -> T {
        let data: Data = body.readableBytes == 0 ? Data("{}".utf8) : Data(body.readableBytesView)
        do {
            return try decoder.decode(type, from: data)
        } catch {
            throw ServiceError(decoding: error)
        }
    }

    /// Encodes a shape through its `Encodable` conformance (the admin targets' answers): absent
    /// members omitted, timestamps as epoch seconds with millisecond precision.
    ///
    /// - Parameter value: The response shape.
    /// - Returns: The JSON text.
    /// - Throws: `InternalFailure` when the value cannot be represented (a non-finite number).
    package static func encode<T: Encodable>(_ value: T) throws(ServiceError) -> ByteBuffer {
        do {
            return ByteBuffer(bytes: try JSONStreamEncoder.encode(value))
        } catch {
            throw .internalFailure
        }
    }

    /// Encodes a response shape with its generated writer (every Config API output).
    ///
    /// - Parameter value: The response shape.
    /// - Returns: The JSON text; the same bytes ``encode(_:)`` would produce.
    static func encode<T: JSONStreamWritable>(writing value: T) -> ByteBuffer {
        let encoder = JSONStreamEncoder(capacity: 4096)
        value.write(to: encoder)
        return ByteBuffer(bytes: encoder.bytes)
    }

    /// The body of an error: `{"__type":"<Name>","message":"<text>"}`.
    package static func errorBody(_ error: ServiceError) -> ByteBuffer {
        let encoder = JSONStreamEncoder(capacity: 64 + error.message.utf8.count)
        encoder.bytes.append(contentsOf: #"{"__type":"#.utf8)
        encoder.writeString(error.type)
        encoder.bytes.append(contentsOf: #","message":"#.utf8)
        encoder.writeString(error.message)
        encoder.bytes.append(UInt8(ascii: "}"))
        return ByteBuffer(bytes: encoder.bytes)
    }

    /// `{}`: the answer of operations without output.
    package static let emptyObject = ByteBuffer(string: "{}")
}
