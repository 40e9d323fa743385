package import Foundation
package import HTTPTypes
import Crypto

/// Signs requests with AWS Signature Version 4, as an SDK does: the client side of
/// ``SigV4Verifier``, for `conform` commands that talk to a server (`conform load --endpoint-url`).
package struct SigV4Signer: Sendable {
    package var accessKeyId: String
    package var secretAccessKey: String
    package var region: String
    package var service = SigV4Verifier.service

    package init(accessKeyId: String, secretAccessKey: String, region: String) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.region = region
    }

    /// Adds `X-Amz-Date`, `X-Amz-Content-Sha256` and `Authorization` to `head` for `body`.
    package func sign(_ head: inout HTTPRequest, body: [UInt8], now: Date = Date()) {
        let amzDate = SigV4Verifier.formatAmzDate(now)
        let date = String(amzDate.prefix(8))
        let payloadHash = SigV4Verifier.hex(SHA256.hash(data: body))
        head.headerFields[SigV4Verifier.amzDate] = amzDate
        head.headerFields[SigV4Verifier.contentSHA256] = payloadHash
        let signed = ["content-type", "host", "x-amz-content-sha256", "x-amz-date", "x-amz-target"]
            .filter { $0 == "host" || HTTPField.Name($0).map { head.headerFields[$0] != nil } == true }
        let canonical = SigV4Verifier.canonicalRequest(head: head, signedHeaders: signed, payloadHash: payloadHash)
        let scope = "\(date)/\(region)/\(service)/aws4_request"
        let key = SigV4Verifier.signingKey(secret: secretAccessKey, date: date, region: region, service: service)
        let signature = SigV4Verifier.signature(canonicalRequest: canonical, amzDate: amzDate, scope: scope, key: key)
        head.headerFields[.authorization] =
            "AWS4-HMAC-SHA256 Credential=\(accessKeyId)/\(scope), SignedHeaders=\(signed.joined(separator: ";")), Signature=\(signature)"
    }
}
