import Benchmark
import ComplianceStore
import Foundation

// Benchmarks of the compliance store (10 M results over 1,000 rules and 1 M resources):
//   - ingest on one core: target ≥ 1.5 M results/s and ≤ 40 resident bytes per result;
//   - a page of 100 under each filter: target well under 50 µs;
//   - ingest while a version is published every 1,000 results (the cost of path copying);
//   - serialize and deserialize of the whole store.
// Run: cd Benchmarks && swift package --scratch-path .build-bench benchmark --target ComplianceStoreBenchmarks
// COMPLIANCE_BENCH_RESULTS=1000000 runs at a tenth of the size. Figures also go to
// /tmp/compliance-store-bench.txt (COMPLIANCE_BENCH_REPORT).

let workload = Workload()

/// Ingests the workload into a new store; `publishEvery` > 0 takes a copy (a published version)
/// every that many results and holds it until the next one, as the engine does for readers.
func ingest(publishEvery: Int = 0) -> (store: ComplianceStore, seconds: Double, cpuSeconds: Double, results: Int) {
    var store = ComplianceStore()
    let rules = workload.makeRules(in: &store)
    var published = store
    var results = 0
    var sincePublish = 0
    var elapsed = Duration.zero
    var cpu = 0
    let clock = ContinuousClock()
    workload.forEachBatch(rules: rules) { batch in
        let cpuStart = threadCPUNanoseconds()
        let start = clock.now
        let outcome = store.record(batch, recordedTime: 1_700_000_000_000 + Int64(results / 1_000))
        if publishEvery > 0 {
            sincePublish += batch.count
            if sincePublish >= publishEvery {
                published = store
                sincePublish = 0
            }
        }
        elapsed += clock.now - start
        cpu += threadCPUNanoseconds() - cpuStart
        precondition(outcome.stored == batch.count)
        results += batch.count
    }
    blackHole(published)
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return (store, seconds, Double(cpu) / 1e9, results)
}

/// The store the read benchmarks share, built once.
let shared: ComplianceStore = ingest().store

/// A rule of the shared store with its type, keys and resource ids, for the page benchmarks.
struct PageFixture: Sendable {
    var rule: UInt32
    var typeName: String
    var keys: [UInt64]
    var ids: [String]
}

let pageFixture: PageFixture = {
    let rule = shared.ruleSlots[0]
    let (keys, ids) = allKeys(shared, rule: rule)
    let typeName = shared.page(rule: rule, filter: .init(), after: nil, limit: 1).rows[0].resourceType
    return PageFixture(rule: rule, typeName: typeName, keys: keys, ids: ids)
}()

/// Every key and resource id of `rule`, in order.
func allKeys(_ store: ComplianceStore, rule: UInt32) -> ([UInt64], [String]) {
    var keys: [UInt64] = []
    var ids: [String] = []
    var after: UInt64? = nil
    while true {
        let page = store.page(rule: rule, filter: .init(), after: after, limit: 1_000)
        keys += page.rows.map(\.key)
        ids += page.rows.map(\.resourceId)
        guard page.more else { return (keys, ids) }
        after = page.nextAfter
    }
}

let resultsPerSecond = BenchmarkMetric.custom("results/s", polarity: .prefersLarger, useScalingFactor: false)
let residentPerResult = BenchmarkMetric.custom("resident B/result (x100)", useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock], maxDuration: .seconds(10))

    Benchmark("Ingest", configuration: .init(metrics: [.wallClock, resultsPerSecond, residentPerResult], warmupIterations: 0, maxIterations: 1)) { benchmark in
        // The inputs' strings exist before the baseline: only the store's growth is measured.
        blackHole(workload.resourceIds.count)
        let before = residentBytes()
        let (store, seconds, cpuSeconds, results) = ingest()
        let after = residentBytes()
        let resident = Double(after - before) / Double(results)
        benchmark.measurement(resultsPerSecond, Int(Double(results) / cpuSeconds))
        benchmark.measurement(residentPerResult, Int(resident * 100))
        let memory = store.memory()
        let columns = memory.columnBytesPerResult
        report("ingest: \(results) results: record() took \(String(format: "%.2f", seconds)) s wall = \(Int(Double(results) / seconds)) results/s, \(String(format: "%.2f", cpuSeconds)) s thread CPU = \(Int(Double(results) / cpuSeconds)) results/s")
        report("ingest: resident growth \(after - before) B = \(String(format: "%.2f", resident)) B/result")
        report(
            "memory: accounted \(String(format: "%.2f", memory.bytesPerResult)) B/result; columns key \(String(format: "%.2f", columns.key)), orderingTimestamp \(String(format: "%.2f", columns.orderingTimestamp)), recordedTime \(String(format: "%.2f", columns.recordedTime)), annotation \(String(format: "%.2f", columns.annotation)); tree overhead \(String(format: "%.2f", memory.treeOverheadPerResult)); string table \(String(format: "%.2f", memory.stringBytesPerResult)) (\(memory.strings) strings, \(memory.stringBytes) string bytes); leaf fill \(String(format: "%.3f", memory.leafFill))")
        blackHole(store)
    }

    Benchmark("IngestPublishingEvery1000", configuration: .init(metrics: [.wallClock, resultsPerSecond], warmupIterations: 0, maxIterations: 1)) { benchmark in
        let (store, seconds, cpuSeconds, results) = ingest(publishEvery: 1_000)
        benchmark.measurement(resultsPerSecond, Int(Double(results) / cpuSeconds))
        report("ingest publishing every 1,000: \(Int(Double(results) / seconds)) results/s wall, \(Int(Double(results) / cpuSeconds)) results/s thread CPU")
        blackHole(store)
    }

    let pageFilters: [(String, (PageFixture) -> ResultFilter)] = [
        ("noFilter", { _ in ResultFilter() }),
        ("compliance", { _ in ResultFilter(compliances: [.nonCompliant, .notApplicable]) }),
        ("resourceType", { ResultFilter(resourceType: $0.typeName) }),
        ("resourceIds5", { ResultFilter(resourceIds: Array($0.ids[100..<105])) }),
        ("typeAndResourceIds5", { ResultFilter(resourceType: $0.typeName, resourceIds: Array($0.ids[200..<205])) }),
    ]
    for (name, makeFilter) in pageFilters {
        Benchmark("Page100.\(name)", configuration: .init(metrics: [.wallClock], maxDuration: .seconds(3), maxIterations: 20_000)) { benchmark in
            let fixture = pageFixture
            let filter = makeFilter(fixture)
            var index = 0
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                index = (index &+ 7_919) % (fixture.keys.count - 200)
                blackHole(shared.page(rule: fixture.rule, filter: filter, after: fixture.keys[index], limit: 100))
            }
        }
    }

    Benchmark("Serialize", configuration: .init(metrics: [.wallClock], warmupIterations: 0, maxIterations: 1)) { benchmark in
        var bytes = 0
        var pieces = 0
        blackHole(shared.visibleStrings)  // built before the clock starts
        let clock = ContinuousClock()
        benchmark.startMeasurement()
        defer { benchmark.stopMeasurement() }
        let start = clock.now
        shared.serialize { (piece) throws(Never) in
            bytes += piece.count
            pieces += 1
        }
        report("serialize: \(bytes) bytes in \(pieces) pieces, \(clock.now - start)")
    }

    Benchmark("Deserialize", configuration: .init(metrics: [.wallClock], warmupIterations: 0, maxIterations: 1)) { benchmark in
        var pieces: [[UInt8]] = []
        shared.serialize { (piece) throws(Never) in pieces.append(Array(piece)) }
        var index = 0
        let clock = ContinuousClock()
        benchmark.startMeasurement()
        let start = clock.now
        let store = try ComplianceStore.deserialize {
            defer { index += 1 }
            return index < pieces.count ? pieces[index] : nil
        }
        let elapsed = clock.now - start
        benchmark.stopMeasurement()
        precondition(store.resultCount == shared.resultCount)
        report("deserialize: \(store.resultCount) results in \(elapsed); leaf fill \(String(format: "%.3f", store.memory().leafFill))")
    }
}
