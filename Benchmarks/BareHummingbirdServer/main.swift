// The smallest Hummingbird application: one route answering every POST / with the same 400-byte
// body, Hummingbird's Application (router, request context, per-request logger) on HummingbirdCore.
//
//   BareHummingbirdServer [--host 127.0.0.1] [--port 0]   prints "listening on http://HOST:PORT"
import BareServerArguments
import Foundation
import Hummingbird
import Logging

let arguments = ServerArguments(CommandLine.arguments)
let body = ByteBuffer(repeating: UInt8(ascii: "x"), count: 400)
let router = Router()
router.post("/") { _, _ in
    Response(
        status: .ok, headers: [.contentType: "application/x-amz-json-1.1"], body: .init(byteBuffer: body))
}
var logger = Logger(label: "bare-hummingbird")
logger.logLevel = .warning
let host = arguments.host
let app = Application(
    router: router,
    configuration: .init(address: .hostname(host, port: arguments.port)),
    onServerRunning: { channel in
        FileHandle.standardOutput.write(Data(("listening on http://\(host):\(channel.localAddress?.port ?? 0)" + "\n").utf8))
    },
    logger: logger
)
try await app.runService()
