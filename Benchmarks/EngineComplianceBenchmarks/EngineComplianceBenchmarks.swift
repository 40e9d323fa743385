import Benchmark
import ConformancePacks
import Foundation
import Synchronization

// Benchmarks of compliance through the embedded engine (issue 8), on the workload:
// 10,000,000 results over 1,000 rules (10 accounts, one pack of 100 rules each) and 1,000,000
// resources (10 results each).
//   - bulk ingest, durability `none` (target ≥ 1 M results/s) and `everyBatch` (≥ 500 k/s),
//     with resident memory per result (target ≤ 48 bytes);
//   - replay of the whole log (≤ 5 s) and start-up from a snapshot (≤ 2 s);
//   - a page of 100 with any filter (p99 ≤ 200 µs), and while an ingest of ≥ 200 k results/s
//     runs beside it (p99 ≤ 300 µs);
//   - summaries and scores, whose cost must not depend on the result count.
// Run: cd Benchmarks && swift package --scratch-path .build-bench benchmark --target EngineComplianceBenchmarks
// ENGINE_BENCH_RESULTS=1000000 runs at a tenth of the size.

let resultCount = ProcessInfo.processInfo.environment["ENGINE_BENCH_RESULTS"].flatMap(Int.init) ?? 10_000_000
let resourceCount = resultCount / 10
let batchSize = ProcessInfo.processInfo.environment["ENGINE_BENCH_BATCH"].flatMap(Int.init) ?? 10_000
let accounts = (0..<10).map { String(format: "1000000000%02d", $0) }
let base = Date(timeIntervalSince1970: 1_733_000_000)
let resultsPerSecond = BenchmarkMetric.custom("results/s", polarity: .prefersLarger, useScalingFactor: false)
let bytesPerResult = BenchmarkMetric.custom("resident bytes/result", polarity: .prefersSmaller, useScalingFactor: false)

func scratchDirectory(_ name: String) -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("conform-bench-\(name)-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Resident bytes of this process (`/proc/self/statm`).
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
}

/// A pack of 100 rules per account.
func packTemplate() -> String {
    var text = "Resources:\n"
    for index in 0..<100 {
        text += "  Rule\(index):\n    Type: AWS::Config::ConfigRule\n    Properties:\n      ConfigRuleName: rule-\(index)\n"
        text += "      Source:\n        Owner: AWS\n        SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED\n"
    }
    return text
}

/// The 1,000 deployed rules: (account, name).
func deployRules(_ engine: ConformanceEngine) async throws -> [(account: String, name: String)] {
    var rules: [(String, String)] = []
    for account in accounts {
        let context = RequestContext(accountId: account, region: "us-east-1")
        _ = try await engine.putConformancePack(.init(conformancePackName: "pack", templateBody: packTemplate()), context: context)
        let described = try await engine.describeConfigRules(.init(), context: context)
        var token = described.nextToken
        var names = described.configRules?.compactMap(\.configRuleName) ?? []
        while let next = token {
            let page = try await engine.describeConfigRules(.init(nextToken: next), context: context)
            names += page.configRules?.compactMap(\.configRuleName) ?? []
            token = page.nextToken
        }
        rules += names.map { (account, $0) }
    }
    precondition(rules.count == 1000)
    return rules
}

/// The records of batch `index`: resource r gets results for rules (r·7 + k·100) mod 1000, k < 10.
func batch(_ index: Int, rules: [(account: String, name: String)], round: Int = 0) -> [EvaluationRecord] {
    var records: [EvaluationRecord] = []
    records.reserveCapacity(batchSize)
    let types = ["AWS::S3::Bucket", "AWS::EC2::Instance", "AWS::IAM::Role", "AWS::Lambda::Function"]
    let annotations = (0..<50).map { "Annotation text number \($0) explaining the finding" }
    var position = index * batchSize
    while records.count < batchSize, position < resultCount {
        let resource = position / 10
        let k = position % 10
        let rule = rules[(resource &* 7 &+ k &* 100) % 1000]
        let type = types[resource % 4]
        records.append(EvaluationRecord(
            accountId: rule.account, configRuleName: rule.name, complianceResourceType: type,
            complianceResourceId: "arn:aws:s3:::bucket-\(String(resource, radix: 16))-prod-eu-central-1-logs",
            complianceType: (resource &+ k &+ round) % 5 == 0 ? "NON_COMPLIANT" : ((resource + k) % 11 == 0 ? "NOT_APPLICABLE" : "COMPLIANT"),
            annotation: resource % 3 == 0 ? annotations[resource % 50] : nil,
            orderingTimestamp: base.addingTimeInterval(Double(round))))
        position += 1
    }
    return records
}

/// Ingests the whole workload; returns the seconds spent in `ingest` (record building excluded).
func ingestAll(_ engine: ConformanceEngine, rules: [(account: String, name: String)]) async throws -> Double {
    var seconds = 0.0
    let clock = ContinuousClock()
    for index in 0..<((resultCount + batchSize - 1) / batchSize) {
        let records = batch(index, rules: rules)
        let start = clock.now
        let report = try await engine.ingest(records)
        let elapsed = clock.now - start
        seconds += Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        precondition(report.rejected.isEmpty, "\(report.rejected.first!)")
    }
    return seconds
}

/// A data directory holding the whole workload (and a snapshot of it), built once.
actor Dataset {
    static let shared = Dataset()
    private var built: (directory: String, rules: [(account: String, name: String)])?

    func get() async throws -> (directory: String, rules: [(account: String, name: String)]) {
        if let built { return built }
        let directory = scratchDirectory("dataset")
        let engine = try await ConformanceEngine.open(.init(dataDirectory: directory, durability: .none, snapshotEveryBytes: 0))
        let rules = try await deployRules(engine)
        _ = try await ingestAll(engine, rules: rules)
        try await engine.close()  // writes the snapshot start-up loads
        built = (directory, rules)
        return (directory, rules)
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock], maxDuration: .seconds(60), maxIterations: 3)

    for durability in [ConformanceEngine.Durability.none, .everyBatch] {
        Benchmark("Ingest.\(durability).\(resultCount / 1_000_000)M", configuration: .init(
            // No warm-up run: its freed memory would stay in the heap and hide the resident growth.
            metrics: [.wallClock, resultsPerSecond, bytesPerResult], warmupIterations: 0, maxDuration: .seconds(600), maxIterations: 1
        )) { benchmark in
            let directory = scratchDirectory("ingest")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let engine = try await ConformanceEngine.open(.init(dataDirectory: directory, durability: durability, snapshotEveryBytes: 0))
            let rules = try await deployRules(engine)
            let before = residentBytes()
            benchmark.startMeasurement()
            let seconds = try await ingestAll(engine, rules: rules)
            benchmark.stopMeasurement()
            benchmark.measurement(resultsPerSecond, Int(Double(resultCount) / seconds))
            benchmark.measurement(bytesPerResult, (residentBytes() - before) / resultCount)
            try await engine.close()
        }
    }

    Benchmark("Replay.wholeLog", configuration: .init(maxDuration: .seconds(300), maxIterations: 3)) { benchmark in
        let (directory, _) = try await Dataset.shared.get()
        benchmark.startMeasurement()
        let report = try ConformanceEngine.replay(dataDirectory: directory, useSnapshots: false)
        benchmark.stopMeasurement()
        blackHole(report)
    }

    Benchmark("Open.fromSnapshot", configuration: .init(maxDuration: .seconds(300), maxIterations: 3)) { benchmark in
        let (directory, _) = try await Dataset.shared.get()
        benchmark.startMeasurement()
        let engine = try await ConformanceEngine.open(.init(dataDirectory: directory, durability: .none, snapshotEveryBytes: 0))
        benchmark.stopMeasurement()
        try await engine.close()
    }

    // Pages: each iteration is one page of 100 from the opened dataset, walking rules and pages
    // so that every iteration reads fresh data; p99 is the target.
    let pageConfiguration = Benchmark.Configuration(metrics: [.wallClock], maxDuration: .seconds(20), maxIterations: 20_000)
    let kinds: [(String, PageKind)] = [
        ("Page.ruleDetails.unfiltered", .ruleDetails(nil)),
        ("Page.ruleDetails.nonCompliant", .ruleDetails(.nonCompliant)),
        ("Page.packDetails.typeAndCompliance", .packTypeAndCompliance),
        ("Page.packDetails.resourceIds", .packResourceIds),
    ]
    for (name, kind) in kinds {
        Benchmark(name, configuration: pageConfiguration, closure: { benchmark in
            try await PageSession.shared.page(benchmark, kind)
        }, setup: { try await PageSession.shared.open(ingestBeside: false) }, teardown: { try await PageSession.shared.close() })
    }
    Benchmark("Page.ruleDetails.duringIngest", configuration: .init(
        metrics: [.wallClock, resultsPerSecond], maxDuration: .seconds(20), maxIterations: 20_000
    ), closure: { benchmark in
        try await PageSession.shared.page(benchmark, .ruleDetails(nil))
    }, setup: { try await PageSession.shared.open(ingestBeside: true) }, teardown: {
        try await PageSession.shared.close()
    })
    Benchmark("Summary.scoresAndPackCompliance", configuration: .init(metrics: [.wallClock], maxIterations: 20_000), closure: { benchmark in
        try await PageSession.shared.summary(benchmark)
    }, setup: { try await PageSession.shared.open(ingestBeside: false) }, teardown: { try await PageSession.shared.close() })
}

enum PageKind: Sendable {
    case ruleDetails(ComplianceType?)
    case packTypeAndCompliance
    case packResourceIds
}

/// The opened dataset the page benchmarks share, and where their walk through it is.
///
/// Not an actor: the benchmark (a class the framework does not make `Sendable`) is passed in, and
/// the framework runs setup, the iterations and teardown of one benchmark one after another.
final class PageSession: @unchecked Sendable {
    nonisolated(unsafe) static let shared = PageSession()
    private var engine: ConformanceEngine?
    private var rules: [(account: String, name: String)] = []
    private var ruleIndex = 0
    private var token: String?
    private var writer: Task<Int, Never>?
    private var stop: StopFlag?
    private var started = ContinuousClock.now

    final class StopFlag: Sendable {
        let value = Atomic<Bool>(false)
    }

    func open(ingestBeside: Bool) async throws {
        let (directory, rules) = try await Dataset.shared.get()
        let engine = try await ConformanceEngine.open(.init(dataDirectory: directory, durability: .none, snapshotEveryBytes: 0))
        self.engine = engine
        self.rules = rules
        ruleIndex = 0
        token = nil
        started = ContinuousClock.now
        guard ingestBeside else { return }
        // Re-evaluates the dataset beside the queries (every result replaced, in batches).
        let stop = StopFlag()
        self.stop = stop
        writer = Task.detached {
            var index = 0
            var round = 1
            var ingested = 0
            while !stop.value.load(ordering: .relaxed) {
                let records = batch(index, rules: rules, round: round)
                _ = try? await engine.ingest(records)
                ingested += records.count
                // With durability `none` an ingest never suspends: without a yield this task would
                // keep its cooperative thread, and the queries (on the pool's other thread, which
                // the benchmark runner blocks) would never run.
                await Task.yield()
                index += 1
                if index * batchSize >= resultCount { (index, round) = (0, round + 1) }
            }
            return ingested
        }
    }

    func close() async throws {
        stop?.value.store(true, ordering: .relaxed)
        if let writer {
            let ingested = await writer.value
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("ingest beside the queries: \(Int(Double(ingested) / seconds)) results/s")
        }
        writer = nil
        stop = nil
        try await engine?.close()
        engine = nil
    }

    func page(_ benchmark: Benchmark, _ kind: PageKind) async throws {
        guard let engine else { return }
        let rule = rules[ruleIndex]
        let context = RequestContext(accountId: rule.account, region: "us-east-1")
        var next: String?
        benchmark.startMeasurement()
        switch kind {
        case .ruleDetails(let type):
            next = try await engine.getComplianceDetailsByConfigRule(
                .init(configRuleName: rule.name, complianceTypes: type.map { [$0] }, limit: 100, nextToken: token), context: context).nextToken
        case .packTypeAndCompliance:
            next = try await engine.getConformancePackComplianceDetails(
                .init(conformancePackName: "pack", filters: .init(complianceType: .nonCompliant, resourceType: "AWS::EC2::Instance"),
                      limit: 100, nextToken: token), context: context).nextToken
        case .packResourceIds:
            let ids = (0..<5).map { "arn:aws:s3:::bucket-\(String(($0 + ruleIndex) * 4, radix: 16))-prod-eu-central-1-logs" }
            _ = try await engine.getConformancePackComplianceDetails(
                .init(conformancePackName: "pack", filters: .init(resourceType: "AWS::S3::Bucket", resourceIds: ids), limit: 100),
                context: context)
        }
        benchmark.stopMeasurement()
        token = next
        if token == nil { ruleIndex = (ruleIndex + 1) % rules.count }
    }

    func summary(_ benchmark: Benchmark) async throws {
        guard let engine else { return }
        let context = RequestContext(accountId: accounts[ruleIndex % accounts.count], region: "us-east-1")
        ruleIndex += 1
        benchmark.startMeasurement()
        blackHole(try await engine.listConformancePackComplianceScores(.init(), context: context))
        blackHole(try await engine.describeConformancePackCompliance(.init(conformancePackName: "pack"), context: context))
        benchmark.stopMeasurement()
    }
}
