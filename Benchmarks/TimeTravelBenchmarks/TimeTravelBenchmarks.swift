import Benchmark
import ConformancePacks
import Foundation

// Time travel (issue 10): a query at a point 1,000,000 events back answered within 1 s the first
// time (the state rebuilt from the newest snapshot at or before the point plus the events after
// it), and as fast as a live query once that point's view is cached.
// Dataset: one 3-rule pack, then 1,100,000 PutEvaluations commands of one result each (one event
// each) over 10,000 resources, durability none, the default snapshot interval; built once.
// Run: cd Benchmarks && swift package --scratch-path .build-bench benchmark --target TimeTravelBenchmarks

let context = RequestContext(accountId: "123456789012", region: "us-east-1")
let commands = Int(ProcessInfo.processInfo.environment["TIME_TRAVEL_COMMANDS"] ?? "") ?? 1_100_000
let eventsBack: UInt64 = 1_000_000

let template = """
    Resources:
      R1: {Type: AWS::Config::ConfigRule, Properties: {ConfigRuleName: r1, Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}}}
      R2: {Type: AWS::Config::ConfigRule, Properties: {ConfigRuleName: r2, Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_LOGGING_ENABLED}}}
      R3: {Type: AWS::Config::ConfigRule, Properties: {ConfigRuleName: r3, Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_SSL_REQUESTS_ONLY}}}
    """

/// The engine on the dataset, and the live end's sequence.
final class Session: @unchecked Sendable {
    nonisolated(unsafe) static let shared = Session()
    var engine: ConformanceEngine?
    var directory = ""
    var end: UInt64 = 0
    /// Points asked for so far: each first query asks for a new one.
    var nextPoint: UInt64 = 0
    /// Just before the newest snapshot: the most events a rebuild replays (from the snapshot
    /// before it, or from event 1).
    var worstPoint: UInt64 = 0

    func open() async throws {
        guard engine == nil else { return }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("conform-bench-timetravel-\(UUID().uuidString)").path
        let engine = try await ConformanceEngine.open(.init(dataDirectory: directory, durability: .none))
        _ = try await engine.putConformancePack(.init(conformancePackName: "pack", templateBody: template), context: context)
        let rules = try await engine.describeConformancePackCompliance(.init(conformancePackName: "pack"), context: context)
            .conformancePackRuleComplianceList.compactMap(\.configRuleName)
        let start = Date(timeIntervalSince1970: 1_767_225_600)
        for index in 0..<commands {
            let evaluation = Evaluation(
                complianceResourceType: "AWS::S3::Bucket", complianceResourceId: "bucket-\(index % 10_000)",
                complianceType: index % 3 == 0 ? .nonCompliant : .compliant,
                orderingTimestamp: start.addingTimeInterval(Double(index)))
            _ = try await engine.putEvaluations(.init(evaluations: [evaluation], resultToken: rules[index % rules.count]), context: context)
        }
        end = try await engine.view(at: .sequence(.max)).lastSequence
        nextPoint = end - eventsBack
        let snapshots = (try? FileManager.default.contentsOfDirectory(atPath: directory + "/snapshots")) ?? []
        let sequences = snapshots.compactMap { name -> UInt64? in
            guard name.hasPrefix("snapshot-"), name.hasSuffix(".snap") else { return nil }
            return UInt64(name.dropFirst("snapshot-".count).dropLast(".snap".count))
        }.sorted()
        worstPoint = (sequences.last ?? end) - 1
        print("time travel dataset: \(end) events, snapshots at \(sequences), first-query points from \(nextPoint - 1) down, worst case at \(worstPoint)")
        self.engine = engine
    }

    func query(_ engine: ConformanceEngine) async throws {
        blackHole(try await engine.getConformancePackComplianceSummary(.init(conformancePackNames: ["pack"]), context: context))
    }

    func close() async throws {
        try await engine?.close()
        engine = nil
        try? FileManager.default.removeItem(atPath: directory)
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock], maxDuration: .seconds(60))

    // A new point each iteration (one event earlier each time), so nothing is cached.
    Benchmark("View.firstQuery.1Mback", configuration: .init(maxDuration: .seconds(120), maxIterations: 5), closure: { benchmark in
        let session = Session.shared
        guard let engine = session.engine else { return }
        session.nextPoint -= 1
        benchmark.startMeasurement()
        try await session.query(try await engine.view(at: .sequence(session.nextPoint)))
        benchmark.stopMeasurement()
    }, setup: { try await Session.shared.open() })

    // Just before the newest snapshot, one event earlier each time: the longest replay there is.
    Benchmark("View.firstQuery.beforeNewestSnapshot", configuration: .init(maxDuration: .seconds(120), maxIterations: 5), closure: { benchmark in
        let session = Session.shared
        guard let engine = session.engine else { return }
        session.worstPoint -= 1
        benchmark.startMeasurement()
        try await session.query(try await engine.view(at: .sequence(session.worstPoint)))
        benchmark.stopMeasurement()
    }, setup: { try await Session.shared.open() })

    Benchmark("View.cachedQuery.1Mback", configuration: .init(maxDuration: .seconds(10), maxIterations: 100_000), closure: { benchmark in
        let session = Session.shared
        guard let engine = session.engine else { return }
        let point = session.end - eventsBack
        benchmark.startMeasurement()
        try await session.query(try await engine.view(at: .sequence(point)))
        benchmark.stopMeasurement()
    }, setup: {
        try await Session.shared.open()
        let session = Session.shared
        _ = try await session.engine?.view(at: .sequence(session.end - eventsBack))
    })

    Benchmark("Live.query", configuration: .init(maxDuration: .seconds(10), maxIterations: 100_000), closure: { benchmark in
        let session = Session.shared
        guard let engine = session.engine else { return }
        benchmark.startMeasurement()
        try await session.query(engine)
        benchmark.stopMeasurement()
    }, setup: { try await Session.shared.open() }, teardown: { try await Session.shared.close() })
}
