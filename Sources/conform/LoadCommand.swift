import ArgumentParser
import ConformancePacks
import ConformanceServer
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// `conform load FILE.ndjson|- (--data-dir DIR | --endpoint-url URL)`: the bulk path of the
/// evaluation feed.
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load evaluation results from NDJSON into an engine's data directory or a running server.",
        discussion: """
            One line per result: a PutEvaluations Evaluation plus AccountId, Region (default us-east-1) and \
            ConfigRuleName (the deployed rule name), e.g.
              {"AccountId":"123456789012","ConfigRuleName":"s3-versioning-conformance-pack-abc","ComplianceResourceType":"AWS::S3::Bucket","ComplianceResourceId":"my-bucket","ComplianceType":"NON_COMPLIANT","OrderingTimestamp":1733200000}
            OrderingTimestamp is epoch seconds or ISO 8601. A bad line is reported with its line number and skipped; \
            with --strict the load stops at the first one. Each batch is recorded whole or not at all.
            """
    )

    @Argument(help: "The NDJSON file, or - for standard input.")
    var file: String

    @Option(name: .customLong("data-dir"), help: "Load into the engine in this directory (it must not be served meanwhile).")
    var dataDirectory: String?

    @Option(name: .customLong("endpoint-url"), help: "Load into a running server (ConformAdmin.PutEvaluationResults).")
    var endpointURL: String?

    @Flag(help: "Stop at the first line that does not parse or is refused.")
    var strict = false

    @Option(help: "Results per batch (one command each); with --endpoint-url also at most 900 KiB of JSON.")
    var batchSize = 10_000

    @Option(help: "Durability of the engine with --data-dir: every-batch, interval=MS or none.")
    var durability = "every-batch"

    func validate() throws {
        guard (dataDirectory == nil) != (endpointURL == nil) else {
            throw ValidationError("Give exactly one of --data-dir and --endpoint-url.")
        }
        guard batchSize >= 1, batchSize <= ConformanceEngine.ingestLimit else {
            throw ValidationError("--batch-size must be between 1 and \(ConformanceEngine.ingestLimit).")
        }
        guard ConformanceEngine.Durability(parsing: durability) != nil else {
            throw ValidationError("--durability must be every-batch, interval=MS or none, not '\(durability)'.")
        }
    }

    func run() async throws {
        let input: FileHandle
        var totalBytes: Int?
        if file == "-" {
            input = FileHandle.standardInput
        } else {
            guard let handle = FileHandle(forReadingAtPath: file) else { throw ValidationError("cannot read \(file)") }
            input = handle
            totalBytes = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? nil
        }
        let sink: any EvaluationSink
        if let dataDirectory {
            var logger = Logger(label: "conform.load")
            logger.logLevel = .warning
            let configuration = ConformanceEngine.Configuration(
                dataDirectory: dataDirectory, durability: ConformanceEngine.Durability(parsing: durability) ?? .everyBatch, logger: logger)
            sink = EngineSink(engine: try await ConformanceEngine.open(configuration))
        } else {
            sink = try HTTPSink(endpoint: HTTPEndpoint(url: endpointURL ?? ""))
        }
        let loader = Loader(sink: sink, strict: strict, batchSize: batchSize, progress: LoadProgress(totalBytes: totalBytes))
        let summary: LoadSummary
        do {
            summary = try await loader.load(LineReader(handle: input))
        } catch {
            try? await sink.close()
            throw error
        }
        try await sink.close()
        print(summary.line)
        if summary.stopped { throw ExitCode(1) }
    }
}

/// Where loaded records go.
protocol EvaluationSink: Sendable {
    /// Records one batch whole or not at all; returns what it recorded and refused.
    func send(_ records: [EvaluationRecord], strict: Bool) async throws -> IngestReport
    func close() async throws
}

/// Straight into an engine.
struct EngineSink: EvaluationSink {
    let engine: ConformanceEngine

    func send(_ records: [EvaluationRecord], strict: Bool) async throws -> IngestReport {
        try await engine.ingest(records, strict: strict)
    }

    func close() async throws { try await engine.close() }
}

/// Reads a file in large blocks and hands out its lines (without their newline).
struct LineReader {
    /// A longer line is an error, not a reason to read the whole input into memory.
    static let maxLine = 8 << 20

    let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    /// Where the search for the next newline resumes (nothing before it is a newline).
    private var scanned = 0
    private var ended = false
    /// Bytes read so far.
    private(set) var consumed = 0

    init(handle: FileHandle) {
        self.handle = handle
    }

    /// The next line, or nil at the end; a last line without a newline counts.
    mutating func next<R>(_ body: (UnsafeRawBufferPointer) -> R) throws -> R? {
        while true {
            if let newline = buffer[scanned...].firstIndex(of: 0x0A) {
                let result = buffer.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[start..<newline])) }
                start = newline + 1
                scanned = start
                return result
            }
            scanned = buffer.count
            if ended {
                guard start < buffer.count else { return nil }
                let result = buffer.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[start...])) }
                start = buffer.count
                return result
            }
            guard buffer.count - start <= Self.maxLine else {
                throw LineError("a line is longer than \(Self.maxLine) bytes; is this NDJSON?")
            }
            buffer.removeFirst(start)
            scanned -= start
            start = 0
            let block = handle.readData(ofLength: 4 << 20)
            if block.isEmpty { ended = true } else { buffer += block }
            consumed += block.count
        }
    }
}
