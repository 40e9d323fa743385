import Foundation

/// The access keys a verifying server accepts, read from the `--credentials` file:
/// `[{"AccessKeyId": "...", "SecretAccessKey": "...", "AccountId": "123456789012"}]`.
package struct CredentialStore: Sendable {
    /// One access key.
    package struct Credential: Sendable, Hashable, Codable {
        /// The access key id clients put in the credential scope.
        package var accessKeyId: String
        /// The secret both sides sign with.
        package var secretAccessKey: String
        /// The 12-digit account the key belongs to.
        package var accountId: String

        /// Creates a credential.
        package init(accessKeyId: String, secretAccessKey: String, accountId: String) {
            self.accessKeyId = accessKeyId
            self.secretAccessKey = secretAccessKey
            self.accountId = accountId
        }

        enum CodingKeys: String, CodingKey {
            case accessKeyId = "AccessKeyId"
            case secretAccessKey = "SecretAccessKey"
            case accountId = "AccountId"
        }
    }

    /// A credentials file that cannot be used.
    package struct LoadError: Error, Sendable, CustomStringConvertible {
        /// What is wrong and where.
        package var description: String
    }

    private let byAccessKeyId: [String: Credential]

    /// Creates a store.
    ///
    /// - Parameter credentials: The accepted keys.
    /// - Throws: ``LoadError`` when a key id is empty or repeated, a secret is empty, or an account
    ///   id is not 12 digits.
    package init(_ credentials: [Credential]) throws(LoadError) {
        var byAccessKeyId: [String: Credential] = [:]
        for (index, credential) in credentials.enumerated() {
            let entry = "entry \(index + 1)"
            guard !credential.accessKeyId.isEmpty else { throw LoadError(description: "\(entry): AccessKeyId is empty") }
            guard !credential.secretAccessKey.isEmpty else {
                throw LoadError(description: "\(entry): SecretAccessKey is empty")
            }
            guard Authenticator.isAccountId(credential.accountId) else { throw LoadError(description: "\(entry): AccountId '\(credential.accountId)' is not 12 digits") }
            guard byAccessKeyId.updateValue(credential, forKey: credential.accessKeyId) == nil else {
                throw LoadError(description: "\(entry): AccessKeyId '\(credential.accessKeyId)' appears twice")
            }
        }
        self.byAccessKeyId = byAccessKeyId
    }

    /// Reads a credentials file.
    ///
    /// - Parameter path: The JSON file.
    /// - Throws: ``LoadError`` naming the file when it cannot be read or is not a list of credentials.
    package init(contentsOfFile path: String) throws(LoadError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw LoadError(description: "cannot read credentials file '\(path)': \(error.localizedDescription)")
        }
        let credentials: [Credential]
        do {
            credentials = try JSONDecoder().decode([Credential].self, from: data)
        } catch {
            throw LoadError(
                description: "credentials file '\(path)' is not a JSON list of {\"AccessKeyId\", \"SecretAccessKey\", \"AccountId\"}"
            )
        }
        do {
            try self.init(credentials)
        } catch {
            throw LoadError(description: "credentials file '\(path)': \(error.description)")
        }
    }

    /// The credential for an access key id, if any.
    package subscript(accessKeyId: String) -> Credential? { byAccessKeyId[accessKeyId] }

    /// How many keys the store holds.
    package var count: Int { byAccessKeyId.count }
}
