import ArgumentParser
import ConformBench
import ConformancePacks
import ConformanceServer
import Foundation
import Logging

/// `conform bench WORKLOAD`: a seeded workload, in process or against a server, and its report.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run a seeded workload in process or against a server, and report throughput, latency percentiles and errors.",
        discussion: """
            Workloads:
            \(Workload.allCases.map { "  \($0.rawValue): \($0.summary)" }.joined(separator: "\n"))
            Without --endpoint-url the engine runs in this process, behind the server's own request handler (no \
            sockets), on --data-dir or on a temporary directory removed at the end. The same seed gives the same calls \
            (with --calls, exactly the same calls per worker). Latencies are measured per call, from sending to the whole \
            answer, in microseconds (HdrHistogram, 3 significant digits).
            """
    )

    @Argument(help: "The workload: \(Workload.allCases.map(\.rawValue).joined(separator: ", ")).")
    var workloadName: String

    var workload: Workload { Workload(rawValue: workloadName) ?? .queries }

    @Option(name: .customLong("endpoint-url"), help: "Send the calls to a running server (http://HOST:PORT).")
    var endpointURL: String?

    @Option(name: .customLong("data-dir"), help: "Run the engine in process on this directory (default: a temporary one); replay reads it.")
    var dataDirectory: String?

    @Option(help: "The seed of the workload's generator.")
    var seed: UInt64 = 1

    @Option(help: "Seconds the measured phase lasts (unless --calls is given).")
    var duration: Double = 10

    @Option(help: "Stop after this many calls in all, split evenly over the workers, instead of after --duration.")
    var calls: Int?

    @Option(help: "Workers sending calls at once (one connection each over HTTP).")
    var concurrency = 4

    @Option(help: "Accounts the calls are spread over (the organization's members for the organization workload).")
    var accounts = 10

    @Option(help: "Resources each rule has results for.")
    var resources = 100

    @Option(help: "A directory of conformance pack templates (default: ../shared/corpus/templates when present, else synthetic templates).")
    var templates: String?

    @Option(help: "Durability of the in-process engine: every-batch, interval=MS or none.")
    var durability = "every-batch"

    @Option(help: "Report format: text, or json (one object) for tools.")
    var format: ReplayFormat = .text

    func validate() throws {
        guard Workload(rawValue: workloadName) != nil else {
            throw ValidationError("Unknown workload '\(workloadName)'; one of \(Workload.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        guard endpointURL == nil || dataDirectory == nil else { throw ValidationError("Give at most one of --endpoint-url and --data-dir.") }
        guard concurrency >= 1, concurrency <= 1024 else { throw ValidationError("--concurrency must be between 1 and 1024.") }
        guard accounts >= 1, accounts <= 10_000 else { throw ValidationError("--accounts must be between 1 and 10000.") }
        guard resources >= 1, resources <= 1_000_000 else { throw ValidationError("--resources must be between 1 and 1000000.") }
        guard duration > 0, duration <= 86_400 else { throw ValidationError("--duration must be above 0 and at most 86400 seconds.") }
        if let calls, calls < 1 { throw ValidationError("--calls must be 1 or more.") }
        guard ConformanceEngine.Durability(parsing: durability) != nil else {
            throw ValidationError("--durability must be every-batch, interval=MS or none, not '\(durability)'.")
        }
        if workload == .deploy, accounts < concurrency {
            throw ValidationError("The deploy workload needs --accounts of at least --concurrency (\(concurrency)): each worker puts and deletes packs in its own accounts.")
        }
        if workload == .replay, dataDirectory == nil { throw ValidationError("The replay workload reads a log: give --data-dir.") }
        if let templates, TemplateCorpus.load(directory: templates) == nil {
            throw ValidationError("--templates \(templates) holds no template that can be sent inline (.yaml, .yml or .json of at most 51,200 bytes).")
        }
    }

    func run() async throws {
        // As `conform serve` does, so that in-process figures compare with the server's.
        ConformanceServer.adoptEventLoopsAsGlobalExecutor()
        var machine = MachineInfo.current()
        let report: BenchReport
        if workload == .replay {
            report = try replay(machine: &machine)
        } else {
            report = try await callWorkload(machine: &machine)
        }
        print(format == .json ? report.json : report.text)
        if report.total.errorCount > 0 && report.total.errorCount == Int(report.total.calls) { throw ExitCode(1) }
    }

    private func corpus() -> TemplateCorpus {
        if let templates, let corpus = TemplateCorpus.load(directory: templates) { return corpus }
        for candidate in ["../shared/corpus/templates", "shared/corpus/templates"] {
            if let corpus = TemplateCorpus.load(directory: candidate) { return corpus }
        }
        return .synthetic
    }

    private func callWorkload(machine: inout MachineInfo) async throws -> BenchReport {
        let plan = WorkloadPlan(workload: workload, seed: seed, accounts: accounts, corpus: corpus(), resourcesPerRule: resources)
        var temporary: String?
        defer { if let temporary { try? FileManager.default.removeItem(atPath: temporary) } }
        let target: any BenchTarget
        if let endpointURL {
            target = HTTPTarget(endpoint: try HTTPEndpoint(url: endpointURL), url: endpointURL)
        } else {
            let directory = dataDirectory ?? {
                let path = FileManager.default.temporaryDirectory.appendingPathComponent("conform-bench-\(UUID().uuidString)").path
                temporary = path
                return path
            }()
            var logger = Logger(label: "conform.bench")
            logger.logLevel = .warning
            let durability = ConformanceEngine.Durability(parsing: durability) ?? .everyBatch
            let engine = try await ConformanceEngine.open(.init(dataDirectory: directory, durability: durability, logger: logger))
            target = InProcessTarget(engine: engine, description: "in-process (\(temporary == nil ? directory : "a temporary directory"), durability \(self.durability))")
        }
        let runner = BenchRunner(plan: plan, target: target, concurrency: concurrency, duration: .milliseconds(Int64(duration * 1000)), calls: calls)
        let setupStarted = ContinuousClock.now
        let outcome: (operations: [String: OperationStats], seconds: Double, setup: String, setupSeconds: Double)
        do {
            let (rules, setup) = try await runner.setUp()
            let setupSeconds = (ContinuousClock.now - setupStarted).seconds
            let (operations, seconds) = try await runner.run(rules: rules)
            outcome = (operations, seconds, setup, setupSeconds)
        } catch {
            try? await target.close()
            printError("error: \(error)")
            throw ExitCode(2)
        }
        try await target.close()
        machine.loadAtEnd = MachineInfo.loadAverages()
        return BenchReport(
            command: Self.commandLine(), workload: workload, seed: seed, target: target.description, concurrency: concurrency,
            machine: machine, setup: outcome.setup, setupSeconds: outcome.setupSeconds, seconds: outcome.seconds,
            operations: outcome.operations)
    }

    private func replay(machine: inout MachineInfo) throws -> BenchReport {
        let directory = dataDirectory ?? ""
        let bytes = Self.directoryBytes(directory + "/events")
        var logger = Logger(label: "conform.bench")
        logger.logLevel = .error
        let started = ContinuousClock.now
        let replayed: ConformanceEngine.ReplayReport
        do {
            replayed = try ConformanceEngine.replay(dataDirectory: directory, useSnapshots: false, logger: logger)
        } catch {
            printError("error: the log of \(directory) could not be replayed: \(error)")
            throw ExitCode(2)
        }
        let seconds = (ContinuousClock.now - started).seconds
        machine.loadAtEnd = MachineInfo.loadAverages()
        var report = BenchReport(
            command: Self.commandLine(), workload: workload, seed: seed, target: "in-process (\(directory))", concurrency: 1,
            machine: machine, setup: "none", setupSeconds: 0, seconds: seconds, operations: [:])
        report.figures = [
            ("events replayed", Double(replayed.lastSequence), "events"),
            ("replay time", seconds, "s"),
            ("replay rate", Double(replayed.lastSequence) / max(seconds, 1e-9), "events/s"),
            ("log read", Double(bytes) / 1_048_576 / max(seconds, 1e-9), "MiB/s (compressed, on disk)"),
        ]
        return report
    }

    /// The command as typed, words with spaces quoted.
    static func commandLine() -> String {
        CommandLine.arguments.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
    }

    static func directoryBytes(_ path: String) -> Int {
        let files = FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []
        return files.reduce(0) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: path + "/" + file)[.size] as? Int) ?? 0)
        }
    }
}
