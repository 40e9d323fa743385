import HTTPTypes
import NIOCore
import NIOHTTP1

/// One connection's requests: gathers each request's head and body into one buffer, answers it
/// through ``ConformanceResponder/answer(head:body:)`` and writes the answer back on the channel's
/// event loop.
///
/// Sits behind NIO's `configureHTTPServerPipeline` (with pipelining assistance, so a second request
/// written back to back reaches this handler only once the first is answered, and quiescing closes
/// the connection after its in-flight request). The answer's task is started from the channel's event
/// loop; with NIO's loops as the global executor (``ConformanceServer/adoptEventLoopsAsGlobalExecutor()``)
/// it is enqueued on that same loop (NIO's hook is sticky), so the engine runs without thread hops.
final class AWSJSONChannelHandler<Service: ConformanceService>: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    enum State {
        /// Between requests.
        case idle
        /// Reading a request's body.
        case collecting(HTTPRequest, keepAlive: Bool, version: HTTPVersion)
        /// The request is read and its answer not yet written.
        case answering
        /// The request was refused before its body was read: the rest of it is dropped, and the
        /// connection closes at its end (or when the client goes).
        case discarding
        /// The connection is closing or gone.
        case closed
    }

    let responder: ConformanceResponder<Service>
    private var state = State.idle
    private var body = ByteBuffer()
    /// Whether `channelRead` is on the stack, so that answers written meanwhile are flushed once, in
    /// `channelReadComplete`.
    private var reading = false
    private var flushPending = false

    init(responder: ConformanceResponder<Service>) {
        self.responder = responder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        reading = true
        defer { reading = false }
        switch unwrapInboundIn(data) {
        case .head(let head):
            received(head, context: context)
        case .body(var part):
            guard case .collecting(let request, _, let version) = state else { return }
            if body.readableBytes + part.readableBytes > ServerLimits.maxBodyBytes {
                refuse(responder.refusal(head: request, .bodyTooLarge), version: version, context: context)
            } else if body.readableBytes == 0 {
                body = part
            } else {
                body.writeBuffer(&part)
            }
        case .end:
            switch state {
            case .collecting(let request, let keepAlive, let version):
                state = .answering
                let body = self.body
                self.body = ByteBuffer()
                answer(request, body: body, keepAlive: keepAlive, version: version, context: context)
            case .discarding:
                close(context: context)
            case .idle, .answering, .closed:
                break
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if flushPending {
            flushPending = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        state = .closed
        body = ByteBuffer()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The client closed its side: no further request can come; one being answered still is.
        if case ChannelEvent.inputClosed = event {
            switch state {
            case .idle, .collecting, .discarding: close(context: context)
            case .answering, .closed: break
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Not HTTP/1.1: an AWS JSON 400 when no answer to this request was started, then close.
        let unanswered: Bool
        switch state {
        case .idle, .collecting: unanswered = true
        case .answering, .discarding, .closed: unanswered = false
        }
        if unanswered, error is HTTPParserError {
            let refusal = responder.finish(
                .failure(ServiceError(.serialization, "The request is not valid HTTP/1.1.")),
                target: nil, point: nil, started: .now)
            state = .closed
            writeResponse(refusal, after: .close, keepAlive: false, version: .http1_1, context: context)
        } else {
            close(context: context)
        }
    }

    /// A request's head: refused at once when it declares a body over the limit, else collected.
    private func received(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard case .idle = state else { return }
        guard let request = HTTPRequest(head) else {
            let refusal = responder.finish(.failure(.methodNotAllowed), target: nil, point: nil, started: .now)
            refuse(refusal, version: head.version, context: context)
            return
        }
        let declared = head.headers.first(name: "content-length").flatMap { Int($0) }
        if let declared, declared > ServerLimits.maxBodyBytes {
            refuse(responder.refusal(head: request, .bodyTooLarge), version: head.version, context: context)
            return
        }
        state = .collecting(request, keepAlive: head.isKeepAlive, version: head.version)
        // The first part becomes the body (no copy when it comes in one, the common case).
        body = ByteBuffer()
    }

    /// Starts the request's task on this event loop; its answer is written on this event loop.
    private func answer(
        _ request: HTTPRequest, body: ByteBuffer, keepAlive: Bool, version: HTTPVersion, context: ChannelHandlerContext
    ) {
        let eventLoop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: eventLoop)
        let responder = self.responder
        let operation: @Sendable () async -> Void = {
            let answer = await responder.answer(head: request, body: body)
            if eventLoop.inEventLoop {
                bound.value.0.write(answer, keepAlive: keepAlive, version: version, context: bound.value.1)
            } else {
                eventLoop.execute {
                    bound.value.0.write(answer, keepAlive: keepAlive, version: version, context: bound.value.1)
                }
            }
        }
        // Enqueued, not `Task.immediate`: with NIO's loops as the global executor the task runs on
        // this loop right after this read, and measured 96–103 µs of CPU per 20-result page against
        // 131–133 µs for `Task.immediate` run inline (BENCHMARKS.md, issue 10).
        Task(operation: operation)
    }

    /// Writes the answer to the request being answered (nothing when the client has gone).
    private func write(_ answer: ConformanceAnswer, keepAlive: Bool, version: HTTPVersion, context: ChannelHandlerContext) {
        guard case .answering = state else { return }
        let closes = !keepAlive || answer.closesConnection
        // Idle before the end is written: the pipelining handler may hand over the next request
        // from within that write.
        state = closes ? .closed : .idle
        writeResponse(answer, after: closes ? .close : .keepOpen, keepAlive: keepAlive, version: version, context: context)
    }

    /// Answers with `answer` before the request's body is read, then drops the rest of the request.
    private func refuse(_ answer: ConformanceAnswer, version: HTTPVersion, context: ChannelHandlerContext) {
        state = .discarding
        body = ByteBuffer()
        writeResponse(answer, after: .drain, keepAlive: false, version: version, context: context)
    }

    /// What becomes of the connection once a response is written.
    enum After {
        case keepOpen
        case close
        /// Shut the output, keep reading (and dropping) the request's remainder so that the client
        /// is not reset before it reads the answer; close at its end, when the client goes, or after
        /// ten seconds.
        case drain
    }

    private func writeResponse(
        _ answer: ConformanceAnswer, after: After, keepAlive: Bool, version: HTTPVersion, context: ChannelHandlerContext
    ) {
        let closes = after != .keepOpen
        var headers = HTTPHeaders()
        headers.reserveCapacity(7)
        headers.add(name: "Content-Type", value: AWSJSON.contentType)
        headers.add(name: HeaderName.requestId.rawName, value: answer.requestId)
        if let atSequence = answer.atSequence { headers.add(name: HeaderName.atSequence.rawName, value: String(atSequence)) }
        if let errorType = answer.errorType { headers.add(name: HeaderName.errorType.rawName, value: errorType) }
        headers.add(name: "Content-Length", value: String(answer.body.readableBytes))
        if closes {
            headers.add(name: "Connection", value: "close")
        } else if version.major == 1, version.minor == 0 {
            headers.add(name: "Connection", value: "keep-alive")
        }
        let status = HTTPResponseStatus(statusCode: answer.status.code, reasonPhrase: answer.status.reasonPhrase)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
        if answer.body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(answer.body))), promise: nil)
        }
        if closes {
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                let (handler, context) = bound.value
                if after == .drain, case .discarding = handler.state {
                    context.close(mode: .output, promise: nil)
                    context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(10)) { handler.close(context: context) }
                } else {
                    handler.close(context: context)
                }
            }
        } else if reading {
            context.write(wrapOutboundOut(.end(nil)), promise: nil)
            flushPending = true
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    private func close(context: ChannelHandlerContext) {
        if case .closed = state, !context.channel.isActive { return }
        state = .closed
        body = ByteBuffer()
        context.close(promise: nil)
    }
}
