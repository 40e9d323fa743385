import ConformBench
import ConformancePacks
import ConformanceServer
import Foundation
import HTTPTypes
import Logging
import NIOCore

/// What a workload's calls come back as.
struct BenchResponse: Sendable {
    var status: Int
    var body: [UInt8]
    /// The AWS error type (`x-amzn-ErrorType`, else the body's `__type`), nil on success.
    var errorType: String?

    init(status: Int, body: [UInt8], errorType: String?) {
        self.status = status
        self.body = body
        guard status != 200 else { return }
        if let errorType, !errorType.isEmpty {
            self.errorType = errorType
        } else if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any], let type = object["__type"] as? String {
            self.errorType = String(type.split(separator: "#").last ?? Substring(type))
        } else {
            self.errorType = "HTTP \(status)"
        }
    }
}

/// Where a workload's calls go: one session per worker (a connection, over HTTP).
protocol BenchTarget: Sendable {
    /// "in-process (…)" or the endpoint URL, for the report.
    var description: String { get }
    /// Runs `body` with a function that sends one call and waits for its answer.
    func withSession<Result: Sendable>(
        _ body: (_ send: (BenchCall) async throws -> BenchResponse) async throws -> Result
    ) async throws -> Result
    func close() async throws
}

/// Signs a call as its account (the access key id names the account; the secret is the one
/// the target expects, any when signatures are not verified).
struct CallSigner: Sendable {
    var secretAccessKey: String
    var region: String

    func head(for call: BenchCall, authority: String) -> HTTPRequest {
        HTTPEndpoint.request(
            target: call.target, payload: call.body,
            signer: SigV4Signer(accessKeyId: call.account, secretAccessKey: secretAccessKey, region: region), authority: authority)
    }
}

/// The engine and the server's own request handler in this process, without sockets: what the
/// engine and the AWS JSON layer cost, without HTTP.
struct InProcessTarget: BenchTarget {
    let engine: ConformanceEngine
    let responder: ConformanceResponder<ConformanceEngine>
    let signer = CallSigner(secretAccessKey: "x", region: "us-east-1")
    let description: String

    init(engine: ConformanceEngine, description: String) {
        self.engine = engine
        var logger = Logger(label: "conform.bench")
        logger.logLevel = .error
        responder = ConformanceResponder(service: engine, authenticator: Authenticator(credentials: nil), logger: logger)
        self.description = description
    }

    func withSession<Result: Sendable>(
        _ body: (_ send: (BenchCall) async throws -> BenchResponse) async throws -> Result
    ) async throws -> Result {
        try await body { call in
            let answer = await responder.answer(head: signer.head(for: call, authority: "localhost"), body: ByteBuffer(bytes: call.body))
            return BenchResponse(status: Int(answer.status.code), body: Array(answer.body.readableBytesView), errorType: answer.errorType)
        }
    }

    func close() async throws { try await engine.close() }
}

/// A server at `--endpoint-url`, one HTTP/1.1 connection per worker.
struct HTTPTarget: BenchTarget {
    let endpoint: HTTPEndpoint
    let url: String
    var description: String { url }

    func withSession<Result: Sendable>(
        _ body: (_ send: (BenchCall) async throws -> BenchResponse) async throws -> Result
    ) async throws -> Result {
        let signer = CallSigner(secretAccessKey: endpoint.signer.secretAccessKey, region: endpoint.signer.region)
        return try await endpoint.withSignedConnection { post in
            try await withoutActuallyEscaping(post) { post in
                try await body { call in
                    let response = try await post(signer.head(for: call, authority: endpoint.authority), call.body)
                    return BenchResponse(status: response.status, body: response.body, errorType: response.errorType)
                }
            }
        }
    }

    func close() async throws {}
}
