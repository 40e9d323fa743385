// The floor of an HTTP/1.1 server on this machine: NIO's HTTP/1.1 codec and one synchronous
// handler answering every request with the same 400-byte body. No async, no routing, no JSON.
//
//   BareNIOServer [--host 127.0.0.1] [--port 0]   prints "listening on http://HOST:PORT"
import BareServerArguments
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

let arguments = ServerArguments(CommandLine.arguments)

/// Answers every request, once its end is read, with ``body``; keep-alive and pipelining as NIO's
/// pipeline helpers provide them.
final class FixedResponseHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let body: ByteBuffer = ByteBuffer(repeating: UInt8(ascii: "x"), count: 400)
    private var keepAlive = true
    private var pendingFlush = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            keepAlive = head.isKeepAlive
        case .body:
            break
        case .end:
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/x-amz-json-1.1")
            headers.add(name: "Content-Length", value: "400")
            if !keepAlive { headers.add(name: "Connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(Self.body))), promise: nil)
            if keepAlive {
                context.write(wrapOutboundOut(.end(nil)), promise: nil)
                pendingFlush = true
            } else {
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if pendingFlush {
            pendingFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }
}

let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
    .serverChannelOption(.backlog, value: 256)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
            try channel.pipeline.syncOperations.addHandler(FixedResponseHandler())
        }
    }
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .childChannelOption(.maxMessagesPerRead, value: 16)
    .bind(host: arguments.host, port: arguments.port)
    .wait()
FileHandle.standardOutput.write(Data(("listening on http://\(arguments.host):\(channel.localAddress?.port ?? arguments.port)" + "\n").utf8))
try channel.closeFuture.wait()
