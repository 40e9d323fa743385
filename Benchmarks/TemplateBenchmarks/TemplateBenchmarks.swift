import Benchmark
import ConformanceTemplates
import Foundation

// Benchmarks of the template parser and evaluator (ConformanceTemplates), in process:
//   - parse and resolve the 130-rule corpus templates under their defaults (target: p50 ≤ 5 ms);
//   - the smallest corpus template, for the fixed cost (thread, parser set-up);
//   - refusing a billion-laughs alias bomb and a 10,000-deep nesting (must stay cheap).
// Run: cd Benchmarks && swift package benchmark --target TemplateBenchmarks
// Gate on mallocCountTotal (stable on a shared 2-core machine); read wall clock as p50.

/// The corpus beside the repository (`../shared/corpus/templates`).
let templateDirectory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("shared/corpus/templates")

let templateContext = TemplateContext(accountId: "123456789012", region: "us-east-1", stackName: "awsconfigconforms-bench")

func corpusTemplate(_ name: String) -> String {
    let url = templateDirectory.appendingPathComponent(name)
    guard let text = try? String(contentsOf: url, encoding: .utf8) else {
        fatalError("corpus template missing: \(url.path) (the corpus lives in ../shared/corpus beside the repository)")
    }
    return text
}

func resolveBenchmark(_ name: String, _ text: String) {
    Benchmark(
        name,
        configuration: .init(metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident], maxDuration: .seconds(5), maxIterations: 2_000)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try ConformancePackTemplate.resolve(body: text, parameters: [:], context: templateContext))
        }
    }
}

func refusalBenchmark(_ name: String, _ text: String) {
    Benchmark(name, configuration: .init(metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident], maxDuration: .seconds(3), maxIterations: 500)) { benchmark in
        for _ in benchmark.scaledIterations {
            do {
                blackHole(try ConformancePackTemplate.resolve(body: text, parameters: [:], context: templateContext))
            } catch {
                blackHole(error)
            }
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    // 130 rules, 51,046 bytes: the largest template at the rule limit.
    resolveBenchmark("Templates.resolve BNM-RMiT (130 rules)", corpusTemplate("Operational-Best-Practices-for-BNM-RMiT.yaml"))
    // 129 rules, 51,307 bytes: the largest file of the corpus.
    resolveBenchmark("Templates.resolve ABS-CCIGv2-Material (129 rules)", corpusTemplate("Operational-Best-Practices-for-ABS-CCIGv2-Material.yaml"))
    resolveBenchmark("Templates.resolve cpack (1 rule)", corpusTemplate("cpack.yml"))

    var laughs = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for level in 1...9 {
        laughs += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]\n"
    }
    refusalBenchmark("Templates.refuse billion laughs", laughs + "Resources:\n  ? *a9\n  : x\n")
    refusalBenchmark("Templates.refuse 10,000-deep nesting", "Resources: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000))
}
