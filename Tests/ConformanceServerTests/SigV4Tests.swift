import ConformancePacks
@testable import ConformanceServer
import Foundation
import HTTPTypes
import Hummingbird
import Testing

/// A request botocore 1.43.11 signed (SigV4Auth, service `config`, region `eu-west-1`).
enum BotocoreVector {
    static let body = #"{"ConformancePackNames": ["pack-a"]}"#
    static let amzDate = "20261125T125745Z"
    static let authorization =
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/eu-west-1/config/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=d912f90175f981a7e3b0bd89fa5e827a80b76060d96a3a695d9fbf507f1f8205"
    static let credential = CredentialStore.Credential(
        accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", accountId: "111122223333"
    )
    static let signedAt = SigV4Verifier.parseAmzDate(amzDate)!

    static func head(authorization: String? = authorization, amzDate: String? = amzDate, target: String = "StarlingDoveService.DescribeConformancePacks") -> HTTPRequest {
        var fields = HTTPFields()
        fields[HTTPField.Name("X-Amz-Target")!] = target
        fields[.contentType] = "application/x-amz-json-1.1"
        if let amzDate { fields[HTTPField.Name("X-Amz-Date")!] = amzDate }
        if let authorization { fields[.authorization] = authorization }
        return HTTPRequest(method: .post, scheme: nil, authority: "127.0.0.1:4566", path: "/", headerFields: fields)
    }

    static func authenticator(now: Date = signedAt) throws -> Authenticator {
        Authenticator(credentials: try CredentialStore([credential]), clock: { now })
    }
}

@Suite("SigV4")
struct SigV4Tests {
    @Test("Parses the Authorization header botocore sends")
    func parsesBotocoreHeader() throws {
        let parsed = try #require(SigV4Authorization(parsing: BotocoreVector.authorization))
        #expect(parsed.accessKeyId == "AKIDEXAMPLE")
        #expect(parsed.date == "20261125")
        #expect(parsed.region == "eu-west-1")
        #expect(parsed.service == "config")
        #expect(parsed.terminator == "aws4_request")
        #expect(parsed.signedHeaders == ["content-type", "host", "x-amz-date", "x-amz-target"])
        #expect(parsed.signature == "d912f90175f981a7e3b0bd89fa5e827a80b76060d96a3a695d9fbf507f1f8205")
    }

    @Test(
        "Refuses malformed Authorization headers",
        arguments: [
            "",
            "Bearer abc",
            "AWS4-HMAC-SHA256",
            "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/config/aws4_request, SignedHeaders=host",
            "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/config, SignedHeaders=host, Signature=00",
            "AWS4-HMAC-SHA256 Credential=AKID/20240101/US_EAST/config/aws4_request, SignedHeaders=host, Signature=00",
            "AWS4-HMAC-SHA256 Credential=/20240101/us-east-1/config/aws4_request, SignedHeaders=host, Signature=00",
            "AWS4-HMAC-SHA256 garbage",
        ]
    )
    func refusesMalformed(_ header: String) {
        #expect(SigV4Authorization(parsing: header) == nil)
    }

    @Test("Verifies a request botocore signed")
    func verifiesBotocoreSignature() throws {
        let context = try BotocoreVector.authenticator().authenticate(
            head: BotocoreVector.head(), body: ByteBuffer(string: BotocoreVector.body)
        )
        #expect(context == RequestContext(accountId: "111122223333", region: "eu-west-1"))
    }

    @Test("Refuses a changed body, header, secret or signature")
    func refusesTampering() throws {
        let authenticator = try BotocoreVector.authenticator()
        func code(_ head: HTTPRequest, _ body: String = BotocoreVector.body, using auth: Authenticator? = nil) -> String? {
            do {
                _ = try (auth ?? authenticator).authenticate(head: head, body: ByteBuffer(string: body))
                return nil
            } catch {
                return error.type
            }
        }
        #expect(code(BotocoreVector.head(), #"{"ConformancePackNames": ["pack-b"]}"#) == "InvalidSignatureException")
        #expect(code(BotocoreVector.head(target: "StarlingDoveService.DescribeConformancePackStatus")) == "InvalidSignatureException")
        let badSignature = BotocoreVector.authorization.replacingOccurrences(of: "Signature=d9", with: "Signature=e9")
        #expect(code(BotocoreVector.head(authorization: badSignature)) == "InvalidSignatureException")
        let otherSecret = Authenticator(
            credentials: try CredentialStore([.init(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "other", accountId: "111122223333")]),
            clock: { BotocoreVector.signedAt }
        )
        #expect(code(BotocoreVector.head(), using: otherSecret) == "InvalidSignatureException")
    }

    @Test("Maps authentication failures to AWS's exceptions and statuses")
    func authenticationFailures() throws {
        let authenticator = try BotocoreVector.authenticator()
        let body = ByteBuffer(string: BotocoreVector.body)
        func failure(_ head: HTTPRequest, _ auth: Authenticator? = nil) -> ServiceError? {
            do {
                _ = try (auth ?? authenticator).authenticate(head: head, body: body)
                return nil
            } catch {
                return error
            }
        }
        let missing = try #require(failure(BotocoreVector.head(authorization: nil)))
        #expect(missing.type == "MissingAuthenticationTokenException" && missing.status == .forbidden)
        let unknownKey = BotocoreVector.authorization.replacingOccurrences(of: "AKIDEXAMPLE", with: "AKIDOTHER")
        let unknown = try #require(failure(BotocoreVector.head(authorization: unknownKey)))
        #expect(unknown.type == "UnrecognizedClientException" && unknown.status == .forbidden)
        let malformed = try #require(failure(BotocoreVector.head(authorization: "AWS4-HMAC-SHA256 nonsense")))
        #expect(malformed.type == "IncompleteSignature" && malformed.status == .badRequest)
        let noDate = try #require(failure(BotocoreVector.head(amzDate: nil)))
        #expect(noDate.type == "IncompleteSignature")
        let late = try BotocoreVector.authenticator(now: BotocoreVector.signedAt.addingTimeInterval(16 * 60))
        #expect(failure(BotocoreVector.head(), late)?.type == "RequestExpired")
        let early = try BotocoreVector.authenticator(now: BotocoreVector.signedAt.addingTimeInterval(-16 * 60))
        #expect(failure(BotocoreVector.head(), early)?.type == "RequestExpired")
        let withinSkew = try BotocoreVector.authenticator(now: BotocoreVector.signedAt.addingTimeInterval(14 * 60))
        #expect(failure(BotocoreVector.head(), withinSkew) == nil)
    }

    @Test("Without credentials, account and region come from the scope", arguments: [
        ("AWS4-HMAC-SHA256 Credential=210987654321/20240101/ap-south-1/config/aws4_request, SignedHeaders=host, Signature=00", "210987654321", "ap-south-1"),
        ("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20240101/eu-central-1/config/aws4_request, SignedHeaders=host, Signature=00", "123456789012", "eu-central-1"),
        ("AWS4-HMAC-SHA256 Credential=1234567890123/20240101/us-west-2/config/aws4_request, SignedHeaders=host, Signature=00", "123456789012", "us-west-2"),
        ("not a signature", "123456789012", "us-east-1"),
    ])
    func unverifiedContext(_ header: String, account: String, region: String) throws {
        let context = try Authenticator(credentials: nil).authenticate(
            head: BotocoreVector.head(authorization: header), body: ByteBuffer()
        )
        #expect(context == RequestContext(accountId: account, region: region))
        let unsigned = try Authenticator(credentials: nil).authenticate(
            head: BotocoreVector.head(authorization: nil), body: ByteBuffer()
        )
        #expect(unsigned == RequestContext(accountId: "123456789012", region: "us-east-1"))
    }

    @Test("The AWS test suite's get-vanilla request signs as documented")
    func awsTestSuiteVanilla() {
        var fields = HTTPFields()
        fields[HTTPField.Name("X-Amz-Date")!] = "20150830T123600Z"
        let head = HTTPRequest(method: .get, scheme: nil, authority: "example.amazonaws.com", path: "/", headerFields: fields)
        let canonical = SigV4Verifier.canonicalRequest(
            head: head, signedHeaders: ["host", "x-amz-date"],
            payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        )
        #expect(canonical == """
            GET
            /

            host:example.amazonaws.com
            x-amz-date:20150830T123600Z

            host;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        let signature = SigV4Verifier.signature(
            canonicalRequest: canonical, amzDate: "20150830T123600Z", scope: "20150830/us-east-1/service/aws4_request",
            key: SigV4Verifier.signingKey(
                secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", date: "20150830", region: "us-east-1", service: "service"
            )
        )
        #expect(signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test("Canonical query strings are decoded, re-encoded and sorted")
    func canonicalQuery() {
        #expect(SigV4Verifier.canonicalQuery("b=2&a=1&a=0") == "a=0&a=1&b=2")
        #expect(SigV4Verifier.canonicalQuery("k=a%20b&x") == "k=a%20b&x=")
        #expect(SigV4Verifier.canonicalQuery("") == "")
    }

    @Test("X-Amz-Date round-trips and refuses malformed values")
    func amzDates() throws {
        let date = try #require(SigV4Verifier.parseAmzDate("20240229T235959Z"))
        #expect(SigV4Verifier.formatAmzDate(date) == "20240229T235959Z")
        #expect(date.timeIntervalSince1970 == 1_709_251_199)
        for bad in ["2024-02-29T23:59:59Z", "20241329T000000Z", "20240229T246000Z", "20240229T235959", ""] {
            #expect(SigV4Verifier.parseAmzDate(bad) == nil)
        }
    }

    @Test("Credential files refuse bad entries")
    func credentialStore() {
        #expect(throws: CredentialStore.LoadError.self) {
            try CredentialStore([.init(accessKeyId: "A", secretAccessKey: "s", accountId: "12345")])
        }
        #expect(throws: CredentialStore.LoadError.self) {
            try CredentialStore([
                .init(accessKeyId: "A", secretAccessKey: "s", accountId: "123456789012"),
                .init(accessKeyId: "A", secretAccessKey: "t", accountId: "123456789012"),
            ])
        }
        #expect(throws: CredentialStore.LoadError.self) {
            try CredentialStore([.init(accessKeyId: "A", secretAccessKey: "", accountId: "123456789012")])
        }
    }
}
