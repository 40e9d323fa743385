import ArgumentParser
import ConformancePacks
import ConformanceServer
import Foundation
import Logging

/// `conform serve`: the AWS JSON 1.1 endpoint of an engine on a data directory.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the AWS Config conformance-pack API (AWS JSON 1.1, SigV4) over HTTP.",
        discussion: """
            Prints 'listening on http://HOST:PORT' once ready. SIGINT or SIGTERM stops accepting \
            connections, finishes in-flight requests, flushes the log and exits 0. Set LOG_LEVEL \
            (trace, debug, info, notice, warning, error) to change logging; debug logs one line per request.
            """
    )

    @Option(help: "The interface to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on; 0 picks a free port (the ready line names it).")
    var port = 4566

    @Option(name: .customLong("data-dir"), help: "The engine's data directory (events/, snapshots/).")
    var dataDirectory = "logs"

    @Option(help: "When writes are acknowledged: every-batch (after fdatasync), interval=MS, or none.")
    var durability = "every-batch"

    @Option(help: "A JSON organization document: {\"ManagementAccountId\", \"MemberAccountIds\", \"DelegatedAdministratorAccountIds\", \"AllFeaturesEnabled\"}; recorded at start when it differs from the log's.")
    var organization: String?

    @Option(name: .customLong("deployment-delay"), help: "How long deployments stay in progress: 0 (default), 500ms, 5s, 2m.")
    var deploymentDelay = "0"

    @Option(help: "A JSON list of {\"AccessKeyId\", \"SecretAccessKey\", \"AccountId\"}; when given, SigV4 signatures are verified.")
    var credentials: String?

    @Option(
        name: .customLong("http-server"),
        help: ArgumentHelp("The HTTP front end: nio (default) or hummingbird (for comparisons).", visibility: .hidden))
    var httpServer = "nio"

    @Option(help: "Serve read-only, the state as it stood after this event sequence number or at this ISO-8601 time; writes are refused.")
    var at: String?

    func validate() throws {
        if let at, ConformanceEngine.ReadPoint(parsing: at) == nil {
            throw ValidationError("--at must be an event sequence number or an ISO-8601 time (2024-01-02T03:04:05Z), not '\(at)'.")
        }
        guard (0...65_535).contains(port) else {
            throw ValidationError("--port must be between 0 and 65535, not \(port).")
        }
        guard ConformanceEngine.Durability(parsing: durability) != nil else {
            throw ValidationError("--durability must be every-batch, interval=MS (MS > 0) or none, not '\(durability)'.")
        }
        guard ServerConfiguration.HTTPServerKind(rawValue: httpServer) != nil else {
            throw ValidationError("--http-server must be nio or hummingbird, not '\(httpServer)'.")
        }
        guard !dataDirectory.isEmpty else { throw ValidationError("--data-dir must not be empty.") }
        guard Self.duration(deploymentDelay) != nil else {
            throw ValidationError("--deployment-delay must be a duration such as 0, 500ms, 5s or 2m (at most a day), not '\(deploymentDelay)'.")
        }
    }

    /// `--deployment-delay`: a number with an optional unit (ms, s, m; seconds without one), at most a day.
    static func duration(_ text: String) -> Duration? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
        var number = Substring(text)
        var scale = 1.0
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            number = text.dropLast(suffix.count)
            scale = factor
            break
        }
        guard let value = Double(number), value.isFinite, value >= 0, value * scale <= 86_400 else { return nil }
        return .milliseconds(Int64((value * scale * 1000).rounded()))
    }

    func run() async throws {
        ConformanceServer.adoptEventLoopsAsGlobalExecutor()
        let level =
            ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        LoggingSystem.bootstrap { label in ServerLogHandler(label: label, level: level) }
        let logger = Logger(label: "conform.server")
        let store: CredentialStore?
        do {
            store = try credentials.map { path throws(CredentialStore.LoadError) in try CredentialStore(contentsOfFile: path) }
        } catch {
            throw ValidationError(error.description)
        }
        let recorded: Organization?
        do {
            recorded = try organization.map { path throws(OrganizationDocument.LoadError) in
                try OrganizationDocument.load(contentsOfFile: path)
            }
        } catch {
            throw ValidationError(error.description)
        }
        let configuration = ServerConfiguration(
            host: host, port: port, credentials: store, httpServer: ServerConfiguration.HTTPServerKind(rawValue: httpServer) ?? .nio)
        let ready: @Sendable (String, Int) -> Void = { host, port in
            FileHandle.standardOutput.write(Data("listening on http://\(host):\(port)\n".utf8))
        }
        let engine: ConformanceEngine
        if let at, let point = ConformanceEngine.ReadPoint(parsing: at) {
            engine = try ConformanceEngine.openReadOnly(
                dataDirectory: dataDirectory, at: point, logger: Logger(label: "conform.engine")
            )
        } else {
            engine = try await ConformanceEngine.open(
                .init(
                    dataDirectory: dataDirectory,
                    durability: ConformanceEngine.Durability(parsing: durability) ?? .everyBatch,
                    deploymentDelay: Self.duration(deploymentDelay) ?? .zero,
                    logger: Logger(label: "conform.engine")
                )
            )
            // The file wins over the log's organization; without one the recorded organization stands.
            if let recorded, try await engine.putOrganization(recorded) {
                logger.notice(
                    "Organization recorded from the file",
                    metadata: [
                        "org.management_account": "\(recorded.managementAccountId)",
                        "org.members": "\(recorded.memberAccountIds.count)",
                    ])
            }
        }
        do {
            try await ConformanceServer.run(service: engine, configuration: configuration, logger: logger, onReady: ready)
        } catch {
            try? await engine.close()
            throw error
        }
        try await engine.close()
        var metadata: Logger.Metadata = [:]
        if let counters = engine.logCounters {
            // Group commit at a glance (run.sh reports events per fsync from this line).
            metadata["log.events"] = "\(counters.events)"
            metadata["log.batches"] = "\(counters.batches)"
            metadata["log.syncs"] = "\(counters.syncs)"
        }
        logger.info("Stopped; log flushed and closed", metadata: metadata)
    }
}
