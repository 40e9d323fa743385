import Logging
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The AWS JSON 1.1 endpoint on a NIO channel pipeline of its own: `ServerBootstrap`, NIO's HTTP/1.1
/// codec with pipelining assistance, and ``AWSJSONChannelHandler`` in front of the responder.
///
/// A service of a `ServiceGroup`: `run()` binds, reports the address, and serves until graceful
/// shutdown (or cancellation), then stops accepting, lets every connection finish the request it is
/// in (its answer says `Connection: close`), and returns once every connection has closed.
struct AWSJSONServer<Service: ConformanceService>: ServiceLifecycle.Service {
    let responder: ConformanceResponder<Service>
    let host: String
    let port: Int
    let group: MultiThreadedEventLoopGroup
    let logger: Logger
    let onReady: @Sendable (_ host: String, _ port: Int) -> Void

    func run() async throws {
        let quiesce = ServerQuiescingHelper(group: group)
        let responder = self.responder
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiesce.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // No outbound header validation: every response header is written by
                    // ``AWSJSONChannelHandler`` from constants, ids and numbers, none from a client.
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withPipeliningAssistance: true, withErrorHandling: false, withOutboundHeaderValidation: false)
                    try channel.pipeline.syncOperations.addHandler(AWSJSONChannelHandler(responder: responder))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .bind(host: host, port: port)
            .get()
        onReady(host, channel.localAddress?.port ?? port)
        let stopped = group.next().makePromise(of: Void.self)
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await stopped.futureResult.get()
        } onCancelOrGracefulShutdown: {
            logger.info("Stopping: no new connections; finishing in-flight requests")
            quiesce.initiateShutdown(promise: stopped)
        }
    }
}
