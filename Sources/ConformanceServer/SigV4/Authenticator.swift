package import ConformancePacks
package import Foundation
package import Hummingbird
package import HTTPTypes

/// Decides who is calling: the account and region of a request, from its SigV4 credential scope,
/// verifying the signature when credentials are configured.
package struct Authenticator: Sendable {
    /// The account of callers whose access key id is not itself a 12-digit account id.
    package static let defaultAccountId = "123456789012"
    /// The region of unsigned requests.
    package static let defaultRegion = "us-east-1"

    static let authorizationName = HTTPField.Name("Authorization")!

    /// Verifies signatures when set; without it signatures are parsed, not verified.
    package let verifier: SigV4Verifier?
    /// The server's clock, for the signature's age.
    package let clock: @Sendable () -> Date
    /// The context of the one request this authenticator was made for, already authenticated
    /// (``authenticated(as:)``).
    private var known: ConformancePacks.RequestContext?

    /// Creates an authenticator.
    ///
    /// - Parameters:
    ///   - credentials: The keys to verify against; `nil` to accept any signature.
    ///   - clock: The time source; the wall clock by default.
    package init(credentials: CredentialStore?, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.verifier = credentials.map(SigV4Verifier.init(credentials:))
        self.clock = clock
    }

    /// An authenticator for one request whose caller is already known: it answers `context`
    /// without checking the signature again.
    func authenticated(as context: ConformancePacks.RequestContext) -> Authenticator {
        var copy = self
        copy.known = context
        return copy
    }

    /// The context of a request.
    ///
    /// Without verification a missing or unreadable `Authorization` header means the default account
    /// in `us-east-1`; a readable one names the region of its scope and, when its access key id is 12
    /// digits, the account.
    ///
    /// - Parameters:
    ///   - head: The request head.
    ///   - body: The whole body (hashed when verifying).
    /// - Returns: The account and region the request acts in.
    /// - Throws: When verifying: `MissingAuthenticationTokenException` without `Authorization`,
    ///   `IncompleteSignature` for a malformed one, and the errors of ``SigV4Verifier/verify(_:head:body:now:)``.
    package func authenticate(head: HTTPRequest, body: ByteBuffer) throws(ServiceError) -> ConformancePacks.RequestContext {
        if let known { return known }
        let header = head.headerFields[Self.authorizationName]
        guard let verifier else {
            guard let header, let authorization = SigV4Authorization(parsing: header) else {
                return ConformancePacks.RequestContext(accountId: Self.defaultAccountId, region: Self.defaultRegion)
            }
            return ConformancePacks.RequestContext(accountId: Self.account(of: authorization.accessKeyId), region: authorization.region)
        }
        guard let header else {
            throw ServiceError(.missingAuthenticationToken, "Missing Authentication Token")
        }
        guard let authorization = SigV4Authorization(parsing: header) else {
            throw ServiceError(
                .incompleteSignature,
                "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters with algorithm AWS4-HMAC-SHA256 and a credential scope of the form <AccessKeyId>/<yyyymmdd>/<region>/config/aws4_request."
            )
        }
        let credential = try verifier.verify(authorization, head: head, body: body, now: clock())
        return ConformancePacks.RequestContext(accountId: credential.accountId, region: authorization.region)
    }

    /// A 12-digit access key id is the account; any other key maps to ``defaultAccountId``.
    package static func account(of accessKeyId: String) -> String {
        isAccountId(accessKeyId) ? accessKeyId : defaultAccountId
    }

    /// Whether `id` has the form of an AWS account id: exactly 12 decimal digits.
    package static func isAccountId(_ id: String) -> Bool {
        id.utf8.count == 12 && id.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}
