package import Hummingbird
package import Logging
import NIOCore

/// The AWS JSON 1.1 endpoint of an engine.
package enum ConformanceServer {
    /// Builds the Hummingbird application that serves `service`.
    ///
    /// - Parameters:
    ///   - service: The engine.
    ///   - configuration: Address and credentials.
    ///   - logger: Request lines at debug, failures at warning.
    ///   - onReady: Called once the socket listens, with the host and the real port.
    /// - Returns: The application; run it with `runService()` for SIGINT/SIGTERM handling.
    package static func makeApplication<Service: ConformanceService>(
        service: Service,
        configuration: ServerConfiguration,
        logger: Logger,
        onReady: @escaping @Sendable (_ host: String, _ port: Int) -> Void = { _, _ in }
    ) -> Application<ConformanceResponder<Service>> {
        let responder = ConformanceResponder(
            service: service,
            authenticator: Authenticator(credentials: configuration.credentials),
            logger: logger
        )
        let host = configuration.host
        return Application(
            responder: responder,
            configuration: .init(address: .hostname(host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                onReady(host, channel.localAddress?.port ?? configuration.port)
            },
            logger: logger
        )
    }

    /// Serves until SIGINT or SIGTERM, then stops accepting connections and lets in-flight requests
    /// finish before returning.
    ///
    /// The caller closes the engine afterwards, so the log is flushed after the last answer.
    ///
    /// - Throws: When the address cannot be bound.
    package static func run<Service: ConformanceService>(
        service: Service,
        configuration: ServerConfiguration,
        logger: Logger,
        onReady: @escaping @Sendable (_ host: String, _ port: Int) -> Void = { _, _ in }
    ) async throws {
        let application = makeApplication(
            service: service, configuration: configuration, logger: logger, onReady: onReady
        )
        try await application.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}
