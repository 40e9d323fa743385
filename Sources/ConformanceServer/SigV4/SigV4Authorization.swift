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
        var rest = Substring(header)
        guard rest.hasPrefix(Self.algorithm + " ") else { return nil }
        rest = rest.dropFirst(Self.algorithm.count + 1)
        var credential: Substring?
        var signedHeaders: Substring?
        var signature: Substring?
        for component in rest.split(separator: ",", maxSplits: 8) {
            let component = component.drop(while: { $0 == " " })
            guard let equals = component.firstIndex(of: "=") else { return nil }
            let value = component[component.index(after: equals)...]
            switch component[..<equals] {
            case "Credential": credential = value
            case "SignedHeaders": signedHeaders = value
            case "Signature": signature = value.prefix(while: { $0 != " " })
            default: continue
            }
        }
        guard let credential, let signedHeaders, let signature else { return nil }
        let scope = credential.split(separator: "/", omittingEmptySubsequences: false)
        guard scope.count == 5, !scope[0].isEmpty, !scope[1].isEmpty else { return nil }
        let region = scope[2]
        guard (1...64).contains(region.utf8.count),
            region.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D })
        else { return nil }
        self.accessKeyId = String(scope[0])
        self.date = String(scope[1])
        self.region = String(region)
        self.service = String(scope[3])
        self.terminator = String(scope[4])
        self.signedHeaders = signedHeaders.split(separator: ";").map { String($0) }
        self.signature = String(signature)
    }
}
