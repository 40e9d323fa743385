// swift-tools-version: 6.1
import PackageDescription

/// One set of compiler settings for every target (STYLE.md §1).
let settings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "conform",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ConformancePacks", targets: ["ConformancePacks"]),
        .library(name: "EventLog", targets: ["EventLog"]),
        .library(name: "ConformanceTemplates", targets: ["ConformanceTemplates"]),
        .library(name: "ComplianceStore", targets: ["ComplianceStore"]),
        .executable(name: "conform", targets: ["conform"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // Quiescing (graceful shutdown) and HTTP/1 method conversion for the server's own pipeline.
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Hummingbird's own API is written in these two; the server names them directly.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
        .target(
            name: "EventLog",
            dependencies: ["CLZ4", "CXXHash"],
            swiftSettings: settings
        ),
        // Evaluation results in memory: persistent versions for readers beside one writer.
        .target(
            name: "ComplianceStore",
            dependencies: ["CXXHash", .product(name: "Collections", package: "swift-collections")],
            swiftSettings: settings
        ),
        // A simulated disk beneath the log's file-system seam: fault injection and power loss, for tests.
        .target(name: "SimulatedDisk", dependencies: ["EventLog"], swiftSettings: settings),
        .target(
            name: "ConformanceTemplates",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: settings
        ),
        .target(
            name: "ConformancePacks",
            dependencies: [
                "EventLog",
                "ComplianceStore",
                "ConformanceTemplates",
                .product(name: "Collections", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        .target(
            name: "ConformanceServer",
            dependencies: [
                "ConformancePacks",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        // `conform bench`: seeded workloads and their reports.
        .target(
            name: "ConformBench",
            dependencies: ["ConformanceTemplates", .product(name: "Histogram", package: "hdrhistogram-swift")],
            swiftSettings: settings
        ),
        .executableTarget(
            name: "conform",
            dependencies: [
                "EventLog",
                "ConformancePacks",
                "ConformanceServer",
                "ConformBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: settings
        ),
        .testTarget(name: "EventLogTests", dependencies: ["EventLog", "SimulatedDisk"], swiftSettings: settings),
        .testTarget(name: "ConformBenchTests", dependencies: ["ConformBench"], swiftSettings: settings),
        .testTarget(name: "ComplianceStoreTests", dependencies: ["ComplianceStore"], swiftSettings: settings),
        .testTarget(
            name: "ConformanceTemplatesTests",
            dependencies: ["ConformanceTemplates"],
            swiftSettings: settings
        ),
        .testTarget(name: "ConformancePacksTests", dependencies: ["ConformancePacks", "EventLog", "SimulatedDisk"], swiftSettings: settings),
        .testTarget(
            name: "ConformanceServerTests",
            dependencies: [
                "ConformanceServer",
                "ConformancePacks",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: settings
        ),
    ]
)
