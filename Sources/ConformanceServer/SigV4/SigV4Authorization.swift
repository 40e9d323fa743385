/// The parts of a SigV4 `Authorization` header:
/// `AWS4-HMAC-SHA256 Credential=<AccessKeyId>/<yyyymmdd>/<region>/<service>/aws4_request,
/// SignedHeaders=<h1;h2;…>, Signature=<64 hex>`.
package struct SigV4Authorization: Sendable, Equatable {
    /// The access key id of the credential.
    package var accessKeyId: String
    /// The scope date, `yyyymmdd`.
    package var date: String
    /// The scope region, e.g. `us-east-1`.
    package var region: String
    /// The scope service, `config` for this API.
    package var service: String
    /// The scope terminator, `aws4_request`.
    package var terminator: String
    /// The lowercase names of the signed headers, in the order the client listed them.
    package var signedHeaders: [String]
    /// The signature, lowercase hex.
    package var signature: String

    /// The algorithm name this server understands.
    package static let algorithm = "AWS4-HMAC-SHA256"

    /// `<date>/<region>/<service>/<terminator>`.
    package var scope: String { "\(date)/\(region)/\(service)/\(terminator)" }

    /// Parses a header value.
    ///
    /// - Parameter header: The value of `Authorization`.
    /// - Returns: `nil` when the value is not a well-formed SigV4 authorization: another scheme, a
    ///   missing `Credential`, `SignedHeaders` or `Signature` component, a credential scope that is
    ///   not five `/`-separated parts, or a region outside `[a-z0-9-]{1,64}`.
    package init?(parsing header: String) {
        // Byte-level scan: this runs on every request, and Character-based splitting showed up in
        // profiles at ~10% of a DescribeConformancePacks call.
        var header = header
        guard let parsed = header.withUTF8({ Self.parse(UnsafeRawBufferPointer($0)) }) else { return nil }
        self = parsed
    }

    private init(
        accessKeyId: String, date: String, region: String, service: String, terminator: String,
        signedHeaders: [String], signature: String
    ) {
        self.accessKeyId = accessKeyId
        self.date = date
        self.region = region
        self.service = service
        self.terminator = terminator
        self.signedHeaders = signedHeaders
        self.signature = signature
    }

    private static func parse(_ bytes: UnsafeRawBufferPointer) -> SigV4Authorization? {
        let prefix = algorithm.utf8
        guard bytes.count > prefix.count, bytes[prefix.count] == UInt8(ascii: " "),
            zip(bytes, prefix).allSatisfy({ $0 == $1 })
        else { return nil }
        func string(_ range: Range<Int>) -> String {
            String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }
        var credential: Range<Int>?
        var signedHeaders: Range<Int>?
        var signature: Range<Int>?
        var index = prefix.count + 1
        var components = 0
        while index < bytes.count {
            components += 1
            guard components <= 8 else { return nil }
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
            let nameStart = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "="), bytes[index] != UInt8(ascii: ",") { index += 1 }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { return nil }
            let name = nameStart..<index
            index += 1
            let valueStart = index
            while index < bytes.count, bytes[index] != UInt8(ascii: ","), bytes[index] != UInt8(ascii: " ") { index += 1 }
            let value = valueStart..<index
            while index < bytes.count, bytes[index] != UInt8(ascii: ",") { index += 1 }
            index += 1  // past the comma
            func named(_ text: StaticString) -> Bool {
                name.count == text.utf8CodeUnitCount
                    && zip(bytes[name], UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
                        .allSatisfy({ $0 == $1 })
            }
            if named("Credential") {
                credential = value
            } else if named("SignedHeaders") {
                signedHeaders = value
            } else if named("Signature") {
                signature = value
            }
        }
        guard let credential, let signedHeaders, let signature else { return nil }
        // <AccessKeyId>/<date>/<region>/<service>/<terminator>
        var parts: [Range<Int>] = []
        var partStart = credential.lowerBound
        for position in credential where bytes[position] == UInt8(ascii: "/") {
            parts.append(partStart..<position)
            partStart = position + 1
            guard parts.count < 5 else { return nil }
        }
        parts.append(partStart..<credential.upperBound)
        guard parts.count == 5, !parts[0].isEmpty, !parts[1].isEmpty, (1...64).contains(parts[2].count),
            bytes[parts[2]].allSatisfy({
                ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D
            })
        else { return nil }
        var headers: [String] = []
        var headerStart = signedHeaders.lowerBound
        for position in signedHeaders where bytes[position] == UInt8(ascii: ";") {
            if position > headerStart { headers.append(string(headerStart..<position)) }
            headerStart = position + 1
        }
        if signedHeaders.upperBound > headerStart { headers.append(string(headerStart..<signedHeaders.upperBound)) }
        return SigV4Authorization(
            accessKeyId: string(parts[0]), date: string(parts[1]), region: string(parts[2]),
            service: string(parts[3]), terminator: string(parts[4]), signedHeaders: headers,
            signature: string(signature)
        )
    }
}
