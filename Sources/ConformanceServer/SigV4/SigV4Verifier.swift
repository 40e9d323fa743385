import ConformancePacks
package import Crypto
package import Foundation
package import Hummingbird
package import HTTPTypes

/// Verifies SigV4 signatures the way AWS does (header-based signing, service `config`).
///
/// Builds the canonical request from the method, the canonical URI and query, the signed headers
/// and the payload hash, derives the signing key from the secret and the credential scope, and
/// compares signatures in constant time.
package struct SigV4Verifier: Sendable {
    /// The service name the credential scope must carry.
    package static let service = "config"
    /// How far `X-Amz-Date` may be from the server's clock.
    package static let allowedSkew: TimeInterval = 15 * 60

    static let amzDate = HTTPField.Name("X-Amz-Date")!
    static let contentSHA256 = HTTPField.Name("X-Amz-Content-Sha256")!

    /// The accepted keys.
    package let credentials: CredentialStore

    /// Creates a verifier.
    package init(credentials: CredentialStore) {
        self.credentials = credentials
    }

    /// Verifies a signed request.
    ///
    /// - Parameters:
    ///   - authorization: The parsed `Authorization` header.
    ///   - head: The request head (method, path, authority, headers).
    ///   - body: The whole request body.
    ///   - now: The server's clock.
    /// - Returns: The credential that signed the request.
    /// - Throws: `UnrecognizedClientException` for an unknown key, `IncompleteSignature` for a
    ///   missing or malformed `X-Amz-Date`, `RequestExpired` when it is more than 15 minutes away
    ///   from `now`, `InvalidSignatureException` for a wrong scope, payload hash or signature.
    package func verify(
        _ authorization: SigV4Authorization, head: HTTPRequest, body: ByteBuffer, now: Date
    ) throws(ServiceError) -> CredentialStore.Credential {
        guard let credential = credentials[authorization.accessKeyId] else {
            throw ServiceError(.unrecognizedClient, "The security token included in the request is invalid.")
        }
        guard let amzDate = head.headerFields[Self.amzDate] else {
            throw ServiceError(
                .incompleteSignature, "Authorization header requires existence of a 'X-Amz-Date' header."
            )
        }
        guard let signedAt = Self.parseAmzDate(amzDate) else {
            throw ServiceError(.incompleteSignature, "Date must be in ISO-8601 'basic format'. Got '\(amzDate)'.")
        }
        if signedAt < now.addingTimeInterval(-Self.allowedSkew) {
            throw ServiceError(
                .requestExpired,
                "Signature expired: \(amzDate) is now earlier than \(Self.formatAmzDate(now.addingTimeInterval(-Self.allowedSkew))) (\(Self.formatAmzDate(now)) - 15 min.)"
            )
        }
        if signedAt > now.addingTimeInterval(Self.allowedSkew) {
            throw ServiceError(
                .requestExpired,
                "Signature not yet current: \(amzDate) is still later than \(Self.formatAmzDate(now.addingTimeInterval(Self.allowedSkew))) (\(Self.formatAmzDate(now)) + 15 min.)"
            )
        }
        guard authorization.date == amzDate.prefix(8) else {
            throw ServiceError(
                .invalidSignature,
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '\(authorization.date)' != '\(amzDate.prefix(8))', from '\(amzDate)'."
            )
        }
        guard authorization.service == Self.service, authorization.terminator == "aws4_request" else {
            throw ServiceError(
                .invalidSignature, "Credential should be scoped to correct service: '\(Self.service)'."
            )
        }
        guard authorization.signedHeaders.contains("host") else {
            throw ServiceError(.invalidSignature, "'Host' must be a 'SignedHeader' in the AWS Authorization.")
        }

        let bodyHash = Self.hex(SHA256.hash(data: body.readableBytesView))
        let payloadHash: String
        if let declared = head.headerFields[Self.contentSHA256] {
            guard declared == bodyHash || declared == "UNSIGNED-PAYLOAD" else {
                throw ServiceError(
                    .invalidSignature, "The provided 'x-amz-content-sha256' header does not match what was computed."
                )
            }
            payloadHash = declared
        } else {
            payloadHash = bodyHash
        }

        let canonical = Self.canonicalRequest(
            head: head, signedHeaders: authorization.signedHeaders, payloadHash: payloadHash
        )
        let key = Self.signingKey(
            secret: credential.secretAccessKey, date: authorization.date, region: authorization.region,
            service: authorization.service
        )
        let expected = Self.signature(canonicalRequest: canonical, amzDate: amzDate, scope: authorization.scope, key: key)
        guard Self.constantTimeEqual(expected, authorization.signature) else {
            throw ServiceError(
                .invalidSignature,
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
            )
        }
        return credential
    }

    /// The canonical request of SigV4: method, canonical URI, canonical query, canonical headers,
    /// signed header list and payload hash, one per line.
    package static func canonicalRequest(head: HTTPRequest, signedHeaders: [String], payloadHash: String) -> String {
        let target = head.path ?? "/"
        let path: Substring
        let query: Substring
        if let mark = target.firstIndex(of: "?") {
            path = target[..<mark]
            query = target[target.index(after: mark)...]
        } else {
            path = Substring(target)
            query = ""
        }
        var lines: [String] = [
            head.method.rawValue,
            path.isEmpty ? "/" : uriEncode(path, keepSlash: true),
            canonicalQuery(query),
        ]
        for name in signedHeaders {
            lines.append("\(name):\(canonicalHeaderValue(name, head: head))")
        }
        lines.append("")
        lines.append(signedHeaders.joined(separator: ";"))
        lines.append(payloadHash)
        return lines.joined(separator: "\n")
    }

    /// The value of a signed header: every field of that name joined by `,`, trimmed, with runs of
    /// spaces collapsed. `host` is the request's authority (HTTP/1.1 `Host`).
    static func canonicalHeaderValue(_ name: String, head: HTTPRequest) -> String {
        let values: [String]
        if name == "host" {
            values = head.authority.map { [$0] } ?? []
        } else if let fieldName = HTTPField.Name(name) {
            values = head.headerFields[values: fieldName]
        } else {
            values = []
        }
        return values.map { value in
            value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: ",")
    }

    /// Query parameters decoded, re-encoded with SigV4's rules and sorted by name, then value.
    static func canonicalQuery(_ query: Substring) -> String {
        guard !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&").map { pair -> (String, String) in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            return (uriEncode(Substring(name), keepSlash: false), uriEncode(Substring(value), keepSlash: false))
        }
        return pairs.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// Percent-encodes every byte but the unreserved ones (`A-Z a-z 0-9 - _ . ~`), and `/` when asked.
    static func uriEncode(_ text: Substring, keepSlash: Bool) -> String {
        let hexDigits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: "/") where keepSlash:
                out.append(byte)
            default:
                out.append(contentsOf: [UInt8(ascii: "%"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The signature of a canonical request: HMAC of the string to sign (algorithm, date, scope and
    /// the hash of the canonical request) with the signing key, in lowercase hex.
    package static func signature(canonicalRequest: String, amzDate: String, scope: String, key: SymmetricKey) -> String {
        let stringToSign = [
            SigV4Authorization.algorithm,
            amzDate,
            scope,
            hex(SHA256.hash(data: Data(canonicalRequest.utf8))),
        ].joined(separator: "\n")
        return hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
    }

    /// `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
    package static func signingKey(secret: String, date: String, region: String, service: String) -> SymmetricKey {
        var key = SymmetricKey(data: Data(("AWS4" + secret).utf8))
        for part in [date, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return key
    }

    /// Lowercase hex of a digest.
    package static func hex<D: Sequence<UInt8>>(_ digest: D) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Compares two strings without stopping at the first difference.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<a.count { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
