// swift-tools-version:6.0
import PackageDescription

/// The libFuzzer target over the CSV reader, header mapping and the clean of one row.
///
/// Built only by fuzz/run (it needs -sanitize=fuzzer, which supplies main).
let package = Package(
    name: "BansoFuzz",
    // fuzz/run links fuzz/Banso to the checkout, so the identity is the same whatever its folder is called.
    dependencies: [.package(path: "Banso")],
    targets: [
        .executableTarget(name: "banso-fuzz", dependencies: [.product(name: "BansoRowChecks", package: "Banso")])
    ]
)
