package import Hummingbird
import HTTPTypes

/// Hummingbird's face of the responder: what in-process tests (HummingbirdTesting) and the
/// HummingbirdCore server (kept for before/after measurements) call.
extension ConformanceResponder: HTTPResponder {
    package typealias Context = BasicRequestContext

    package func respond(to request: Request, context: Context) async throws -> Response {
        await answer(request)
    }

    /// The response to one request: reads the body (refusing it past ``ServerLimits/maxBodyBytes``),
    /// then ``answer(head:body:)``; never throws.
    package func answer(_ request: Request) async -> Response {
        let answer: ConformanceAnswer
        if request.method != .post {
            answer = refusal(head: request.head, .methodNotAllowed)
        } else if let declared = request.headers[.contentLength], let length = Int(declared),
            length > ServerLimits.maxBodyBytes
        {
            answer = refusal(head: request.head, .bodyTooLarge)
        } else {
            do throws(ServiceError) {
                let body = try await Self.collectBody(request.body)
                answer = await self.answer(head: request.head, body: body)
            } catch {
                answer = refusal(head: request.head, error)
            }
        }
        return Response(status: answer.status, headers: answer.headerFields, body: .init(byteBuffer: answer.body))
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
