// swift-tools-version: 6.1
import PackageDescription

// Benchmarks live in their own package so the main package never depends on ordo-one/benchmark.
// Run: cd Benchmarks && swift package --scratch-path .build-bench benchmark --target EventLogBenchmarks
// A path dependency's identity is the name of its folder, and a clone may name the checkout anything.
let root = Context.packageDirectory.split(separator: "/").dropLast().last.map(String.init) ?? "main"

let package = Package(
    name: "Benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        // The bare HTTP servers that `wrk/run.sh` measures beside `conform serve`.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // liblz4 itself, to measure raw compression of the same payloads beside the log.
        .systemLibrary(name: "CLZ4Bench", path: "CLZ4Bench", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .executableTarget(
            name: "EventLogBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "EventLog", package: root),
                "CLZ4Bench",
            ],
            path: "EventLogBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "TemplateBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ConformanceTemplates", package: root),
            ],
            path: "TemplateBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ComplianceStoreBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ComplianceStore", package: root),
            ],
            path: "ComplianceStoreBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "EnginePacksBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ConformancePacks", package: root),
            ],
            path: "EnginePacksBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "EngineComplianceBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ConformancePacks", package: root),
            ],
            path: "EngineComplianceBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "OrganizationBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ConformancePacks", package: root),
            ],
            path: "OrganizationBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "TimeTravelBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ConformancePacks", package: root),
            ],
            path: "TimeTravelBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // HTTP floors for `wrk/run.sh`: the same 400-byte answer from NIO's HTTP/1.1 handlers alone,
        // and from the smallest Hummingbird application.
        .target(name: "BareServerArguments", path: "BareServerArguments"),
        .executableTarget(
            name: "BareNIOServer",
            dependencies: [
                "BareServerArguments",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "BareNIOServer",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "BareHummingbirdServer",
            dependencies: [
                "BareServerArguments",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "BareHummingbirdServer",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
