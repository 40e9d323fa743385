
/// Where and how the HTTP endpoint listens.
package struct ServerConfiguration: Sendable {
    /// The interface to bind, `127.0.0.1` by default.
    package var host: String
    /// The port; 0 picks a free one.
    package var port: Int
    /// Verify signatures against these keys; `nil` parses signatures without verifying them.
    package var credentials: CredentialStore?

    /// Creates a configuration.
    package init(host: String = "127.0.0.1", port: Int = 4566, credentials: CredentialStore? = nil) {
        self.host = host
        self.port = port
        self.credentials = credentials
    }
}
