package import Hummingbird
package import Logging
import HummingbirdCore
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The AWS JSON 1.1 endpoint of an engine.
package enum ConformanceServer {
    /// Builds the Hummingbird application that serves `service`.
    ///
    /// - Parameters:
    ///   - service: The engine.
    ///   - configuration: Address and credentials.
    ///   - logger: Request lines at debug, failures at warning.
    ///   - onReady: Called once the socket listens, with the host and the real port.
    /// - Returns: The application (what in-process tests drive; ``run(service:configuration:logger:onReady:)``
    ///   serves the same responder without the per-request logger and context `Application` builds).
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
    /// finish before returning. The caller closes the engine afterwards, so the log is flushed after
    /// the last answer.
    ///
    /// `configuration.httpServer` picks the front end: our own NIO pipeline (``AWSJSONServer``, the
    /// default), or HummingbirdCore's async HTTP/1.1 server with ``ConformanceResponder/answer(_:)``
    /// (kept for before/after measurements, BENCHMARKS.md).
    ///
    /// - Throws: When the address cannot be bound.
    package static func run<Service: ConformanceService>(
        service: Service,
        configuration: ServerConfiguration,
        logger: Logger,
        onReady: @escaping @Sendable (_ host: String, _ port: Int) -> Void = { _, _ in }
    ) async throws {
        let responder = ConformanceResponder(
            service: service,
            authenticator: Authenticator(credentials: configuration.credentials),
            logger: logger
        )
        let host = configuration.host
        let port = configuration.port
        let server: any ServiceLifecycle.Service
        switch configuration.httpServer {
        case .nio:
            server = AWSJSONServer(
                responder: responder, host: host, port: port, group: .singleton, logger: logger, onReady: onReady)
        case .hummingbird:
            server = try HTTPServerBuilder.http1().buildServer(
                configuration: HummingbirdCore.ServerConfiguration(address: .hostname(host, port: port)),
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                logger: logger,
                responder: { request, writer, _ in
                    let response = await responder.answer(request)
                    try await writer.write(response: response.head, body: response.body)
                },
                onServerRunning: { channel in
                    onReady(host, channel.localAddress?.port ?? port)
                }
            )
        }
        let group = ServiceGroup(
            configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await group.run()
    }
}
