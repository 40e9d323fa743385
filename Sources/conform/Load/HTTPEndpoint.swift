import ConformanceServer
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOPosix

/// HTTP/1.1 connections to a conform (or AWS-compatible) endpoint, each for requests sent one
/// after another (`conform load --endpoint-url`). Requests are signed
/// with SigV4 from the usual environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
/// `AWS_DEFAULT_REGION`), as the AWS CLI does.
struct HTTPEndpoint {
    let host: String
    let port: Int
    let signer: SigV4Signer

    /// Parses `http://HOST:PORT` (a path, if any, is ignored: AWS JSON posts to `/`; an IPv6
    /// host is written in brackets).
    init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let components = URLComponents(string: url), components.scheme == "http", var host = components.host, !host.isEmpty else {
            throw LineError("--endpoint-url must be http://HOST:PORT, not '\(url)'")
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host
        self.port = components.port ?? 80
        signer = SigV4Signer(
            accessKeyId: environment["AWS_ACCESS_KEY_ID"] ?? "123456789012",
            secretAccessKey: environment["AWS_SECRET_ACCESS_KEY"] ?? "x",
            region: environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1")
    }

    /// A response: its status, body and AWS error type header.
    struct Response {
        var status: Int
        var body: [UInt8]
        /// `x-amzn-ErrorType`, when the answer has one.
        var errorType: String? = nil
    }

    /// The `Host` header's value: the host, bracketed when it is an IPv6 address, and the port.
    var authority: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Opens the connection, runs `body` with a function that posts one AWS JSON request on it
    /// (signed with this endpoint's credentials) and waits for the response, and closes the
    /// connection.
    func withConnection<Result: Sendable>(
        _ body: (_ post: (_ target: String, _ payload: [UInt8]) async throws -> Response) async throws -> Result
    ) async throws -> Result {
        try await withSignedConnection { send in
            try await withoutActuallyEscaping(send) { send in
                try await body { target, payload in
                    try await send(Self.request(target: target, payload: payload, signer: signer, authority: authority), payload)
                }
            }
        }
    }

    /// The head of an AWS JSON 1.1 call to `target`, signed by `signer`.
    static func request(target: String, payload: [UInt8], signer: SigV4Signer, authority: String) -> HTTPRequest {
        var head = HTTPRequest(method: .post, scheme: "http", authority: authority, path: "/")
        head.headerFields[.contentType] = "application/x-amz-json-1.1"
        head.headerFields[HTTPField.Name("X-Amz-Target")!] = target
        signer.sign(&head, body: payload)
        return head
    }

    /// Opens the connection, runs `body` with a function that sends one request the caller
    /// built and signed, and closes the connection.
    func withSignedConnection<Result: Sendable>(
        _ body: (_ send: (_ head: HTTPRequest, _ payload: [UInt8]) async throws -> Response) async throws -> Result
    ) async throws -> Result {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var responses = inbound.makeAsyncIterator()
            return try await body { head, payload in
                var nioHead = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/")
                nioHead.headers.add(name: "Host", value: authority)
                nioHead.headers.add(name: "Content-Length", value: String(payload.count))
                for field in head.headerFields { nioHead.headers.add(name: field.name.rawName, value: field.value) }
                try await outbound.write(.head(nioHead))
                try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: payload))))
                try await outbound.write(.end(nil))
                var status = 0
                var errorType: String?
                var received: [UInt8] = []
                while let part = try await responses.next() {
                    switch part {
                    case .head(let response):
                        status = Int(response.status.code)
                        errorType = response.headers.first(name: "x-amzn-ErrorType")
                    case .body(let buffer): received += buffer.readableBytesView
                    case .end: return Response(status: status, body: received, errorType: errorType)
                    }
                }
                throw LineError("the endpoint closed the connection before answering")
            }
        }
    }
}
