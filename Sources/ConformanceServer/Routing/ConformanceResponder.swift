import ConformancePacks
package import HTTPTypes
package import Logging
package import NIOCore

/// The whole HTTP surface: every request, on any path, is an AWS JSON 1.1 call routed by
/// `X-Amz-Target`.
///
/// Order of checks (spec §1.4): method, body size, target, JSON, authentication, model
/// constraints, then the operation. Every outcome is a response: a shape with 200, or an AWS JSON
/// error; nothing a client sends can make it throw.
package struct ConformanceResponder<Service: ConformanceService>: Sendable {
    /// The engine (or a stand-in).
    package let service: Service
    /// Who is calling.
    package let authenticator: Authenticator
    /// Request lines at debug, failures at warning.
    package let logger: Logger

    /// Creates a responder.
    package init(service: Service, authenticator: Authenticator, logger: Logger) {
        self.service = service
        self.authenticator = authenticator
        self.logger = logger
    }

    /// The answer to one request whose body was read whole (the caller enforces
    /// ``ServerLimits/maxBodyBytes``, see ``refusal(head:_:)``); never throws (every failure is an
    /// AWS JSON error). This is the core every HTTP front end calls.
    package func answer(head: HTTPRequest, body: ByteBuffer) async -> ConformanceAnswer {
        let started = ContinuousClock.now
        var target: AmzTarget?
        var point: UInt64?
        let outcome: Result<ByteBuffer, ServiceError>
        do throws(ServiceError) {
            outcome = .success(try await handle(head: head, body: body, target: &target, point: &point))
        } catch {
            outcome = .failure(error)
        }
        return finish(outcome, target: target, point: point, started: started)
    }

    /// The answer to a request refused before its body was read (`error` is usually
    /// ``ServiceError/bodyTooLarge``); a method other than POST is refused as such first, since
    /// the method is checked before the body (spec §1.4).
    package func refusal(head: HTTPRequest, _ error: ServiceError) -> ConformanceAnswer {
        let error = head.method == .post ? error : .methodNotAllowed
        return finish(.failure(error), target: nil, point: nil, started: .now)
    }

    /// Logs the outcome and gives its answer.
    func finish(
        _ outcome: Result<ByteBuffer, ServiceError>, target: AmzTarget?, point: UInt64?, started: ContinuousClock.Instant
    ) -> ConformanceAnswer {
        let requestId = RequestIdentifier.make()
        let answer: ConformanceAnswer
        switch outcome {
        case .success(let body):
            answer = ConformanceAnswer(status: .ok, body: body, requestId: requestId, atSequence: point)
        case .failure(let error):
            answer = ConformanceAnswer(
                status: error.status, body: AWSJSON.errorBody(error), requestId: requestId, errorType: error.type,
                atSequence: point)
            if error.status.code >= 500 {
                logger.warning(
                    "Request failed",
                    metadata: [
                        "aws.operation": "\(target?.name ?? "-")", "aws.request_id": "\(requestId)",
                        "aws.error": "\(error.type)", "http.status": "\(error.status.code)",
                        "error.cause": "\(error.cause ?? "-")",
                    ]
                )
            }
        }
        logger.debug(
            "Request",
            metadata: [
                "aws.operation": "\(target?.name ?? "-")", "aws.request_id": "\(requestId)",
                "http.status": "\(answer.status.code)",
                "duration_us": "\((ContinuousClock.now - started).microseconds)",
            ]
        )
        return answer
    }

    /// Routes and answers one request whose body is read; `target` is set as soon as it is known
    /// (for logs), `point` once a query with `x-conform-at` knows the last sequence it is answered at.
    func handle(
        head: HTTPRequest, body: ByteBuffer, target: inout AmzTarget?, point: inout UInt64?
    ) async throws(ServiceError) -> ByteBuffer {
        guard head.method == .post else { throw .methodNotAllowed }
        guard let header = head.headerFields[HeaderName.target] else {
            throw ServiceError(.unknownOperation, "Missing X-Amz-Target header.")
        }
        guard let parsed = AmzTarget(parsing: header) else {
            throw ServiceError(.unknownOperation, "Unknown X-Amz-Target: \(header.prefix(256))")
        }
        target = parsed
        let call = Call(service: service, authenticator: authenticator, head: head, body: body)
        if let at = head.headerFields[HeaderName.at] {
            // A query at a past point: answered by a read-only view of the service as it stood then.
            if parsed.isWrite { throw .pointOnWrite }
            guard let readPoint = ConformanceEngine.ReadPoint(parsing: at) else { throw .malformedPoint(at) }
            // Authenticated before the view is built: an anonymous caller cannot make it replay.
            let caller = try authenticator.authenticate(head: head, body: body)
            let view = try await call.perform { try await service.pointView(at: readPoint) }
            point = view.lastSequence
            let checked = authenticator.authenticated(as: caller)
            return try await Self.route(parsed, Call(service: view, authenticator: checked, head: head, body: body))
        }
        if parsed.isWrite, service.isReadOnly { throw .readOnly }
        return try await Self.route(parsed, call)
    }

    /// Runs the operation `target` names.
    static func route<S: ConformanceService>(_ target: AmzTarget, _ call: Call<S>) async throws(ServiceError) -> ByteBuffer {
        switch target {
        case .api(let operation):
            return try await call.run(operation)
        case .admin(let operation):
            return try await call.run(operation)
        }
    }
}

extension Duration {
    /// Whole microseconds.
    package var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}

/// Header names of the AWS JSON protocol, built once.
enum HeaderName {
    static let target = HTTPField.Name("X-Amz-Target")!
    static let requestId = HTTPField.Name("x-amzn-RequestId")!
    static let errorType = HTTPField.Name("x-amzn-ErrorType")!
    /// A query at a past point: `SEQUENCE` or an ISO-8601 time.
    static let at = HTTPField.Name("x-conform-at")!
    /// The last sequence such a query was answered at.
    static let atSequence = HTTPField.Name("x-conform-at-sequence")!
}
