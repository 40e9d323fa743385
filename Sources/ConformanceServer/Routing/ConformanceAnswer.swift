package import HTTPTypes
package import NIOCore

/// What ``ConformanceResponder`` answers to one request, before any HTTP framework dresses it:
/// the status, the body and the few values its headers are made of.
package struct ConformanceAnswer: Sendable {
    /// 200, or the status of the AWS error.
    package var status: HTTPResponse.Status
    /// The JSON document (the output shape, or `{"__type", "message"}`).
    package var body: ByteBuffer
    /// `x-amzn-RequestId`.
    package var requestId: String
    /// `x-amzn-ErrorType`, for errors.
    package var errorType: String?
    /// `x-conform-at-sequence`: the last sequence a query at a past point was answered at.
    package var atSequence: UInt64?

    /// Whether the connection must close after this answer: a refused body may not have been read whole.
    package var closesConnection: Bool { status == .contentTooLarge }

    /// The response headers (content type and length, request id, error type, `Connection: close`
    /// when ``closesConnection``).
    package var headerFields: HTTPFields {
        var headers = HTTPFields()
        headers.reserveCapacity(6)
        headers[.contentType] = AWSJSON.contentType
        headers[HeaderName.requestId] = requestId
        if let atSequence { headers[HeaderName.atSequence] = String(atSequence) }
        if let errorType { headers[HeaderName.errorType] = errorType }
        headers[.contentLength] = String(body.readableBytes)
        if closesConnection { headers[.connection] = "close" }
        return headers
    }
}
