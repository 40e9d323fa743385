/// Opaque, versioned, checksummed keyset tokens (spec §1.6, DESIGN.md "Read models").
///
/// A token is base64url (no padding) of `version u8 · operation u8 · scope u64 · last key · checksum u64`,
/// where the scope hashes the caller's partition and the request's filters, and the checksum
/// (keyed FNV-1a) covers everything before it. The next page starts strictly after the last key
/// returned, so a token stays valid while writes continue. A token from another operation, another
/// partition or filter set, an older format, or with any byte changed is refused with
/// `InvalidNextTokenException`.
enum PageToken {
    static let version: UInt8 = 1
    private static let checksumSeed: UInt64 = 0x636F_6E66_6F72_6D31  // "conform1"

    /// The paginated operations; the raw value is written into the token.
    enum Operation: UInt8 {
        case describeConformancePacks = 1
        case describeConformancePackStatus = 2
        case describeConfigRules = 3
        case describeConformancePackCompliance = 4
        case getConformancePackComplianceDetails = 5
        case listConformancePackComplianceScores = 6
        case describeComplianceByConfigRule = 7
        case getComplianceDetailsByConfigRule = 8
        case getConformancePackComplianceSummary = 9
        case describeOrganizationConformancePacks = 10
        case describeOrganizationConformancePackStatuses = 11
        case getOrganizationConformancePackDetailedStatus = 12
    }

    /// Hashes what a token is bound to: the partition and the filters of the request.
    static func scope(_ partition: PartitionKey, filters: [String] = []) -> UInt64 {
        var hash = FNV1a64()
        hash.combine(partition.accountId)
        hash.combine(partition.region)
        for filter in filters { hash.combine(filter) }
        return hash.value
    }

    static func encode(_ operation: Operation, scope: UInt64, lastKey: String) -> String {
        encode(operation, scope: scope) { $0.string(lastKey) }
    }

    /// A token whose position is a name and a number (a rule and a result key within it).
    static func encode(_ operation: Operation, scope: UInt64, lastKey: String, position: UInt64) -> String {
        encode(operation, scope: scope) {
            $0.string(lastKey)
            $0.u64(position)
        }
    }

    private static func encode(_ operation: Operation, scope: UInt64, position: (inout ByteWriter) -> Void) -> String {
        var w = ByteWriter(capacity: 64)
        w.u8(version)
        w.u8(operation.rawValue)
        w.u64(scope)
        position(&w)
        var checksum = FNV1a64(seed: checksumSeed)
        checksum.combine(w.bytes)
        w.u64(checksum.value)
        return Base64URL.encode(w.bytes)
    }

    /// The last key of the previous page.
    ///
    /// - Throws: `InvalidNextTokenException` when the token is not one this operation issued for
    ///   this partition and these filters.
    static func decode(_ token: String, _ operation: Operation, scope: UInt64) throws(ConformanceError) -> String {
        try decode(token, operation, scope: scope) { r throws(DecodeError) in try r.string() }
    }

    /// The name and number of a token made by ``encode(_:scope:lastKey:position:)``.
    static func decodePosition(_ token: String, _ operation: Operation, scope: UInt64) throws(ConformanceError) -> (String, UInt64) {
        try decode(token, operation, scope: scope) { r throws(DecodeError) in (try r.string(), try r.u64()) }
    }

    private static func decode<Position>(
        _ token: String, _ operation: Operation, scope: UInt64, position: (inout ByteReader) throws(DecodeError) -> Position
    ) throws(ConformanceError) -> Position {
        guard let bytes = Base64URL.decode(token), bytes.count > 18 else { throw .invalidNextToken }
        var checksum = FNV1a64(seed: checksumSeed)
        checksum.combine(bytes[..<(bytes.count - 8)])
        var r = ByteReader(bytes, offset: bytes.count - 8)
        do {
            guard try r.u64() == checksum.value else { throw ConformanceError.invalidNextToken }
            r = ByteReader(Array(bytes[..<(bytes.count - 8)]))
            guard try r.u8() == version, try r.u8() == operation.rawValue, try r.u64() == scope else {
                throw ConformanceError.invalidNextToken
            }
            let key = try position(&r)
            try r.expectEnd()
            return key
        } catch {
            throw .invalidNextToken
        }
    }
}

/// base64url without padding (RFC 4648 §5); decoding refuses anything else.
enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    private static let inverse: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, char) in alphabet.enumerated() { table[Int(char)] = UInt8(index) }
        return table
    }()

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= bytes.count {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            out.append(alphabet[Int(n & 63)])
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            let n = UInt32(bytes[index]) << 16 | (rest == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            if rest == 2 { out.append(alphabet[Int(n >> 6 & 63)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 4 != 1, chars.count <= 4096 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for char in chars {
            let value = inverse[Int(char)]
            guard value != 0xFF else { return nil }
            buffer = buffer << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        // Leftover bits must be zero, so each byte string has exactly one encoding.
        guard buffer & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return out
    }
}
