
/// Where and how the HTTP endpoint listens.
package struct ServerConfiguration: Sendable {
    /// The interface to bind, `127.0.0.1` by default.
    package var host: String
    /// The port; 0 picks a free one.
    package var port: Int
    /// Verify signatures against these keys; `nil` parses signatures without verifying them.
    package var credentials: CredentialStore?
    /// Which HTTP server runs the responder.
    package var httpServer: HTTPServerKind

    /// The HTTP front ends of the responder.
    package enum HTTPServerKind: String, Sendable, CaseIterable {
        /// Our own NIO channel pipeline (``AWSJSONServer``): the default.
        case nio
        /// HummingbirdCore's async HTTP/1.1 server, kept to measure the two side by side.
        case hummingbird
    }

    /// Creates a configuration.
    package init(
        host: String = "127.0.0.1", port: Int = 4566, credentials: CredentialStore? = nil, httpServer: HTTPServerKind = .nio
    ) {
        self.host = host
        self.port = port
        self.credentials = credentials
        self.httpServer = httpServer
    }
}
