import ConformancePacks
package import Hummingbird
import HTTPTypes
package import Logging

/// The whole HTTP surface: every request, on any path, is an AWS JSON 1.1 call routed by
/// `X-Amz-Target`.
///
/// Order of checks (spec §1.4): method, body size, target, JSON, authentication, model
/// constraints, then the operation. Every outcome is a response: a shape with 200, or an AWS JSON
/// error; nothing a client sends can make it throw.
package struct ConformanceResponder<Service: ConformanceService>: HTTPResponder {
    package typealias Context = BasicRequestContext

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

    package func respond(to request: Request, context: Context) async throws -> Response {
        await answer(request)
    }

    /// The response to one request; never throws (every failure is an AWS JSON error).
    package func answer(_ request: Request) async -> Response {
        let started = ContinuousClock.now
        var target: AmzTarget?
        var point: UInt64?
        let outcome: Result<ByteBuffer, ServiceError>
        do throws(ServiceError) {
            outcome = .success(try await handle(request, target: &target, point: &point))
        } catch {
            outcome = .failure(error)
        }
        let requestId = RequestIdentifier.make()
        var headers = HTTPFields()
        headers.reserveCapacity(5)
        headers[.contentType] = AWSJSON.contentType
        headers[HeaderName.requestId] = requestId
        if let point { headers[HeaderName.atSequence] = String(point) }
        let response: Response
        switch outcome {
        case .success(let body):
            headers[.contentLength] = String(body.readableBytes)
            response = Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
        case .failure(let error):
            let body = AWSJSON.errorBody(error)
            headers[HeaderName.errorType] = error.type
            headers[.contentLength] = String(body.readableBytes)
            if error.status == .contentTooLarge { headers[.connection] = "close" }
            response = Response(status: error.status, headers: headers, body: .init(byteBuffer: body))
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
                "http.status": "\(response.status.code)",
                "duration_us": "\((ContinuousClock.now - started).microseconds)",
            ]
        )
        return response
    }

    /// Reads, routes and answers one request; `target` is set as soon as it is known (for logs),
    /// `point` once a query with `x-conform-at` knows the last sequence it is answered at.
    func handle(_ request: Request, target: inout AmzTarget?, point: inout UInt64?) async throws(ServiceError) -> ByteBuffer {
        guard request.method == .post else { throw .methodNotAllowed }
        if let declared = request.headers[.contentLength], let length = Int(declared),
            length > ServerLimits.maxBodyBytes
        {
            throw .bodyTooLarge
        }
        let body = try await Self.collectBody(request.body)
        guard let header = request.headers[HeaderName.target] else {
            throw ServiceError(.unknownOperation, "Missing X-Amz-Target header.")
        }
        guard let parsed = AmzTarget(parsing: header) else {
            throw ServiceError(.unknownOperation, "Unknown X-Amz-Target: \(header.prefix(256))")
        }
        target = parsed
        let call = Call(service: service, authenticator: authenticator, head: request.head, body: body)
        if let at = request.headers[HeaderName.at] {
            // A query at a past point: answered by a read-only view of the service as it stood then.
            if parsed.isWrite { throw .pointOnWrite }
            guard let readPoint = ConformanceEngine.ReadPoint(parsing: at) else { throw .malformedPoint(at) }
            // Authenticated before the view is built: an anonymous caller cannot make it replay.
            _ = try authenticator.authenticate(head: request.head, body: body)
            let view = try await call.perform { try await service.pointView(at: readPoint) }
            point = view.lastSequence
            return try await Self.route(parsed, Call(service: view, authenticator: authenticator, head: request.head, body: body))
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

    /// Collects the body, refusing it as soon as it passes ``ServerLimits/maxBodyBytes``.
    static func collectBody(_ body: RequestBody) async throws(ServiceError) -> ByteBuffer {
        var collected = ByteBuffer()
        do {
            for try await part in body {
                guard collected.readableBytes + part.readableBytes <= ServerLimits.maxBodyBytes else {
                    throw ServiceError.bodyTooLarge
                }
                if collected.readableBytes == 0 {
                    collected = part
                } else {
                    var part = part
                    collected.writeBuffer(&part)
                }
            }
        } catch let error as ServiceError {
            throw error
        } catch {
            throw ServiceError(.serialization, "The request body could not be read.")
        }
        return collected
    }
}

extension Duration {
    /// Whole microseconds.
    var microseconds: Int64 {
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
