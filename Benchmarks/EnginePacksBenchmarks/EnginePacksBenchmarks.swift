import Benchmark
import ConformancePacks
import Foundation

// Benchmarks of the embedded engine (issue 3), in process, durability `none`:
//   - PutConformancePack of the largest corpus template, end to end (target: p50 ≤ 6 ms);
//   - one DescribeConformancePacks page of 20 (target: p50 ≤ 5 µs);
//   - replay of a log of 100,000 pack commands (target: ≤ 2 s).
// Run: cd Benchmarks && swift package benchmark --target EnginePacksBenchmarks

/// The corpus beside the repository (`../shared/corpus/templates`).
let corpus = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("shared/corpus/templates")

let context = RequestContext(accountId: "123456789012", region: "us-east-1")

func scratchDirectory(_ name: String) -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("conform-bench-\(name)-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func openEngine(_ directory: String) async throws -> ConformanceEngine {
    try await ConformanceEngine.open(.init(dataDirectory: directory, durability: .none, snapshotEveryBytes: 0))
}

/// The largest template of the corpus (it exceeds TemplateBody's 51,200, so it goes through TemplateS3Uri).
func largestTemplate() throws -> String {
    let files = try FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
    var best = ""
    for file in files {
        let text = try String(contentsOf: corpus.appendingPathComponent(file), encoding: .utf8)
        if text.utf8.count > best.utf8.count { best = text }
    }
    return best
}

func smallTemplate(_ rules: Int) -> String {
    var text = "Resources:\n"
    for index in 0..<rules {
        text += "  Rule\(index):\n    Type: AWS::Config::ConfigRule\n    Properties:\n      ConfigRuleName: rule-\(index)\n"
        text += "      Source:\n        Owner: AWS\n        SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED\n"
    }
    return text
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(10))

    Benchmark("PutConformancePack.largestCorpusTemplate", configuration: .init(maxIterations: 300)) { benchmark in
        let directory = scratchDirectory("put")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let engine = try await openEngine(directory)
        try await engine.putTemplate(s3Uri: "s3://bench/largest.yaml", body: try largestTemplate())
        let request = PutConformancePackRequest(conformancePackName: "Largest", templateS3Uri: "s3://bench/largest.yaml")
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try await engine.putConformancePack(request, context: context))
        }
        benchmark.stopMeasurement()
        try await engine.close()
    }

    Benchmark("DescribeConformancePacks.page20", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let directory = scratchDirectory("describe")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let engine = try await openEngine(directory)
        let body = smallTemplate(2)
        for index in 0..<50 {
            _ = try await engine.putConformancePack(.init(conformancePackName: "Pack\(index)", templateBody: body), context: context)
        }
        let first = try await engine.describeConformancePacks(.init(limit: 20), context: context)
        let request = DescribeConformancePacksRequest(limit: 20, nextToken: first.nextToken)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try await engine.describeConformancePacks(request, context: context))
        }
        benchmark.stopMeasurement()
        try await engine.close()
    }

    Benchmark("Replay.100kPackCommands", configuration: .init(metrics: [.wallClock], maxIterations: 5)) { benchmark in
        let directory = scratchDirectory("replay")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // 1,000 partitions × 20 packs × 5 rounds: creates, updates, and every fifth round deletes.
        let engine = try await openEngine(directory)
        let body = smallTemplate(2)
        var commands = 0
        for round in 0..<5 {
            for account in 0..<1000 {
                let ctx = RequestContext(accountId: String(format: "%012d", account), region: "us-east-1")
                for pack in 0..<20 {
                    if round == 4 && pack % 2 == 0 {
                        try await engine.deleteConformancePack(.init(conformancePackName: "Pack\(pack)"), context: ctx)
                    } else {
                        _ = try await engine.putConformancePack(.init(conformancePackName: "Pack\(pack)", templateBody: body), context: ctx)
                    }
                    commands += 1
                }
            }
        }
        precondition(commands == 100_000)
        let live = engine.stateDigest()
        try await engine.close()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let report = try ConformanceEngine.replay(dataDirectory: directory)
            precondition(report.digest == live, "replay digest differs from the live one")
            blackHole(report)
        }
        benchmark.stopMeasurement()
    }
}
