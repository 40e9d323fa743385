import Benchmark
import ConformancePacks
import Foundation

// Benchmarks of organization packs through the embedded engine (issue 9), for an organization of
// 1,000 member accounts:
//   - PutOrganizationConformancePack of a 130-rule template deploys to every account in ≤ 1 s
//     with durability `none`, and writes ≤ 1 MiB of log (the `events/` directory's growth);
//   - a page of GetOrganizationConformancePackDetailedStatus with each filter: O(log n + page);
//   - start-up from a snapshot with 50 organization packs × 1,000 members ≤ 1 s (3-rule packs:
//     50 packs of 130 rules cannot all deploy into one account, whose packs hold at most 150 rules).
// Run: cd Benchmarks && swift package --scratch-path .build-bench benchmark --target OrganizationBenchmarks

let management = RequestContext(accountId: "100000000000", region: "us-east-1")
let members = (1...1000).map { String(200_000_000_000 + $0) }
let logBytes = BenchmarkMetric.custom("log bytes written", polarity: .prefersSmaller, useScalingFactor: false)

func scratchDirectory(_ name: String) -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("conform-bench-\(name)-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Bytes of the files under `path`.
func directoryBytes(_ path: String) -> Int {
    let files = FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []
    return files.reduce(0) { total, file in
        total + ((try? FileManager.default.attributesOfItem(atPath: path + "/" + file)[.size] as? Int) ?? 0)
    }
}

func template(rules: Int) -> String {
    var text = "Resources:\n"
    for index in 0..<rules {
        text += "  Rule\(index):\n    Type: AWS::Config::ConfigRule\n    Properties:\n      ConfigRuleName: rule-\(index)\n"
        text += "      Source:\n        Owner: AWS\n        SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED\n"
    }
    return text
}

func openEngine(_ directory: String) async throws -> ConformanceEngine {
    let engine = try await ConformanceEngine.open(.init(dataDirectory: directory, durability: .none))
    _ = try await engine.putOrganization(try Organization(managementAccountId: management.accountId, memberAccountIds: members))
    return engine
}

/// A data directory with 50 organization packs of 3 rules deployed to the 1,000 members, closed
/// (so it ends with a snapshot); built once.
actor Dataset {
    static let shared = Dataset()
    private var directory: String?

    func get() async throws -> String {
        if let directory { return directory }
        let path = scratchDirectory("organization")
        let engine = try await openEngine(path)
        for index in 0..<50 {
            _ = try await engine.putOrganizationConformancePack(
                .init(organizationConformancePackName: "Pack\(index)", templateBody: template(rules: 3)), context: management)
        }
        try await engine.close()
        directory = path
        return path
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock], maxDuration: .seconds(60), maxIterations: 5)

    Benchmark("Put.130rules.1000members", configuration: .init(metrics: [.wallClock, logBytes], maxDuration: .seconds(120), maxIterations: 5)) { benchmark in
        let directory = scratchDirectory("put")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let engine = try await openEngine(directory)
        let body = template(rules: 130)
        let before = directoryBytes(directory + "/events")
        benchmark.startMeasurement()
        _ = try await engine.putOrganizationConformancePack(
            .init(organizationConformancePackName: "Wide", templateBody: body), context: management)
        benchmark.stopMeasurement()
        try await engine.close()
        benchmark.measurement(logBytes, directoryBytes(directory + "/events") - before)
    }

    Benchmark("Open.fromSnapshot.50packs.1000members", configuration: .init(maxDuration: .seconds(120), maxIterations: 5)) { benchmark in
        let directory = try await Dataset.shared.get()
        benchmark.startMeasurement()
        let engine = try await ConformanceEngine.open(.init(dataDirectory: directory, durability: .none))
        benchmark.stopMeasurement()
        try await engine.close()
    }

    // Pages of the detailed status of one of the 50 packs, with each filter (a third of the rows
    // match the status filter after a faulted update); each iteration one page of 100.
    let filters: [(String, OrganizationResourceDetailedStatusFilters?)] = [
        ("none", nil), ("status", .init(status: .updateFailed)), ("account", .init(accountId: members[500])),
        ("accountAndStatus", .init(accountId: members[501], status: .updateSuccessful)),
    ]
    for (name, filter) in filters {
        Benchmark("DetailedStatus.page.\(name)", configuration: .init(maxDuration: .seconds(10), maxIterations: 20_000), closure: { benchmark in
            try await StatusSession.shared.page(benchmark, filter)
        }, setup: { try await StatusSession.shared.open() }, teardown: { try await StatusSession.shared.close() })
    }
}

/// An engine with one 1,000-member pack whose update failed in every third account.
final class StatusSession: @unchecked Sendable {
    nonisolated(unsafe) static let shared = StatusSession()
    private var engine: ConformanceEngine?
    private var directory = ""
    private var token: String?

    func open() async throws {
        directory = scratchDirectory("status")
        let engine = try await openEngine(directory)
        let request = PutOrganizationConformancePackRequest(organizationConformancePackName: "Status", templateBody: template(rules: 3))
        _ = try await engine.putOrganizationConformancePack(request, context: management)
        for account in members.enumerated().filter({ $0.offset % 3 == 0 }).map(\.element) {
            try await engine.putDeploymentFault(DeploymentFault(
                organizationConformancePackName: "Status", accountId: account, operation: .update, errorCode: "E", errorMessage: "m"))
        }
        _ = try await engine.putOrganizationConformancePack(request, context: management)
        self.engine = engine
    }

    func page(_ benchmark: Benchmark, _ filters: OrganizationResourceDetailedStatusFilters?) async throws {
        guard let engine else { return }
        benchmark.startMeasurement()
        let page = try await engine.getOrganizationConformancePackDetailedStatus(
            .init(organizationConformancePackName: "Status", filters: filters, limit: 100, nextToken: token), context: management)
        benchmark.stopMeasurement()
        token = page.nextToken
        blackHole(page)
    }

    func close() async throws {
        try await engine?.close()
        engine = nil
        token = nil
        try? FileManager.default.removeItem(atPath: directory)
    }
}
