// swift-tools-version:6.0
import PackageDescription

/// Bansō (伴走): the care-workforce survey pipeline.
///
/// The tree follows the pipeline: `BansoCSV` (libcsv reader/writer) → `BansoIngest` →
/// `BansoClean` → `BansoAggregate` → `BansoPeers` → `BansoRoadmap` → `BansoFeedback` → `BansoPackets`,
/// orchestrated by `BansoRunner`; `BansoHistory` keeps every wave. Stages depend on `BansoCore` (and the
/// history and I/O modules), never on each other. Executables are thin wrappers over `BansoCLI`.
/// Paths and errors of the code that does I/O (`FilePath`, `FileDescriptor`, `Errno`).
let system = Target.Dependency.product(name: "SystemPackage", package: "swift-system")

let package = Package(
    name: "Banso",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "banso", targets: ["banso"]),
        .executable(name: "banso-synth", targets: ["banso-synth"]),
        // For the fuzz package in fuzz/ (and anyone embedding the reader and the row checks).
        .library(
            name: "BansoRowChecks",
            targets: ["BansoCSV", "BansoCore", "BansoIngest", "BansoClean", "BansoPackets", "BansoFuzzHarness"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        // C: libcsv behind a system-library target; only BansoCSV imports it.
        .systemLibrary(name: "CLibCSV", path: "Sources/CLibCSV", providers: [.apt(["libcsv-dev"])]),
        .target(
            name: "BansoCSV",
            dependencies: [
                "CLibCSV", .product(name: "Crypto", package: "swift-crypto"),
                system,
            ]),
        // C: libxlsxwriter behind its own system-library target; only BansoXLSX imports it.
        .systemLibrary(
            name: "CXLSXWriter", path: "Sources/CXLSXWriter", providers: [.apt(["libxlsxwriter-dev"])]),
        .target(name: "BansoXLSX", dependencies: ["CXLSXWriter"]),
        .target(
            name: "BansoCore",
            dependencies: [
                "BansoCSV", system,
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(name: "BansoIngest", dependencies: ["BansoCore", "BansoCSV", system]),
        .target(name: "BansoClean", dependencies: ["BansoCore", "BansoCSV", system]),
        // What the fuzz target runs on one input, shared with the regression tests.
        .target(
            name: "BansoFuzzHarness",
            dependencies: ["BansoCore", "BansoCSV", "BansoIngest", "BansoClean", "BansoPackets"]),
        // The history store: every wave's indicators and roadmap stages (SQLite through GRDB).
        .target(
            name: "BansoHistory", dependencies: ["BansoCore", .product(name: "GRDB", package: "GRDB.swift"), system]),
        .target(name: "BansoAggregate", dependencies: ["BansoCore", "BansoCSV", "BansoHistory", system]),
        .target(name: "BansoPeers", dependencies: ["BansoCore", "BansoHistory"]),
        .target(name: "BansoRoadmap", dependencies: ["BansoCore", "BansoHistory"]),
        .target(name: "BansoFeedback", dependencies: ["BansoCore", "BansoAggregate"]),
        .target(
            name: "BansoPackets",
            dependencies: [
                "BansoCore", "BansoCSV", "BansoXLSX", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Mustache", package: "swift-mustache"),
                system,
            ],
            resources: [
                .embedInCode("Templates/report.mustache"), .embedInCode("Templates/report.css"),
                .embedInCode("Templates/prefecture_summary.mustache"), .embedInCode("Templates/letter.mustache"),
            ]),
        .target(
            name: "BansoSynth", dependencies: ["BansoCore", "BansoCSV", system], exclude: ["Reference/README.md"],
            resources: [.embedInCode("Reference/municipalities-jp.tsv")]),
        .target(
            name: "BansoRunner",
            dependencies: [
                "BansoCore", "BansoCSV", "BansoHistory", "BansoIngest", "BansoClean", "BansoAggregate", "BansoPeers",
                "BansoRoadmap", "BansoFeedback", "BansoPackets",
                system,
            ]),
        .target(
            name: "BansoAnalyst",
            dependencies: [
                "BansoCore", "BansoCSV", "BansoIngest", "BansoClean", "BansoRunner", system,
            ]),
        .target(
            name: "BansoCLI",
            dependencies: [
                "BansoCore", "BansoCSV", "BansoRunner", "BansoHistory", "BansoPeers", "BansoPackets", "BansoSynth",
                "BansoAnalyst",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                system,
            ]),
        .target(
            name: "BansoTestSupport",
            dependencies: ["BansoCore", .product(name: "Logging", package: "swift-log"), system]),
        // Thin executables: every one is a single `main` over BansoCLI.
        .executableTarget(name: "banso", dependencies: ["BansoCLI"]),
        .executableTarget(name: "banso-ingest", dependencies: ["BansoCLI"]),
        .executableTarget(name: "banso-clean", dependencies: ["BansoCLI"]),
        .executableTarget(name: "banso-aggregate", dependencies: ["BansoCLI"]),
        .executableTarget(name: "banso-peers", dependencies: ["BansoCLI"]),
        .executableTarget(name: "banso-roadmap", dependencies: ["BansoCLI"]),
        .executableTarget(name: "banso-feedback", dependencies: ["BansoCLI"]),
        .executableTarget(name: "banso-packets", dependencies: ["BansoCLI"]),
        .executableTarget(name: "banso-synth", dependencies: ["BansoCLI"]),
        .testTarget(name: "BansoCSVTests", dependencies: [system, "BansoTestSupport", "BansoCSV", "BansoCore"]),
        .testTarget(
            name: "BansoCoreTests", dependencies: [system, "BansoTestSupport", "BansoCore"], exclude: ["Reference"]),
        .testTarget(
            name: "BansoCleanTests",
            dependencies: [
                system,
                "BansoTestSupport", "BansoClean", "BansoIngest", "BansoSynth", "BansoCore", "BansoFuzzHarness",
            ]),
        .testTarget(
            name: "BansoAggregateTests",
            dependencies: [
                system,
                "BansoTestSupport", "BansoAggregate", "BansoHistory", "BansoCore", "BansoSynth", "BansoIngest",
                "BansoClean", "BansoPeers",
            ], exclude: ["Reference"]),
        .testTarget(
            name: "BansoPeersTests",
            dependencies: [system, "BansoTestSupport", "BansoPeers", "BansoCore", "BansoSynth"]),
        .testTarget(
            name: "BansoPacketsTests",
            dependencies: [
                system,
                "BansoTestSupport", "BansoPackets", "BansoFeedback", "BansoCore", "BansoCSV", "BansoRunner",
                "BansoSynth", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]),
        .testTarget(
            name: "BansoRoadmapTests",
            dependencies: [
                system,
                "BansoTestSupport", "BansoRoadmap", "BansoCore", "BansoSynth", "BansoRunner",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]),
        .testTarget(
            name: "BansoFeedbackTests", dependencies: [system, "BansoTestSupport", "BansoFeedback", "BansoCore"]),
        .testTarget(name: "BansoRunnerTests", dependencies: [system, "BansoTestSupport", "BansoRunner", "BansoCore"]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                system,
                "BansoTestSupport", "BansoCore", "BansoCSV", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]),
    ]
)
