// swift-tools-version:6.1
import PackageDescription

// SwiftPM names a path dependency after its directory, which differs between
// checkouts (a worktree, CI's clone), so the identity is computed.
let root =
    Context.packageDirectory.split(separator: "/").dropLast().last.map { String($0).lowercased() } ?? "procwarden"

let kit: Target.Dependency = .product(name: "ProcWardenKit", package: root)
let benchmark: Target.Dependency = .product(name: "Benchmark", package: "benchmark")

let package = Package(
    name: "procwarden-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Inputs shared by the benchmarks and the bench-compare helpers.
        .target(
            name: "BenchSupport",
            dependencies: [kit, .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "DigestBenchmarks",
            dependencies: [benchmark, kit, "BenchSupport"],
            path: "Benchmarks/DigestBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ScanBenchmarks",
            dependencies: [benchmark, kit, "BenchSupport"],
            path: "Benchmarks/ScanBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // bench-compare's side of each comparison: the library's code paths,
        // driven from a command line so they can be timed next to the peers.
        .executableTarget(
            name: "pw-digest",
            dependencies: [kit, "BenchSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .systemLibrary(name: "CJournal"),
        .executableTarget(
            name: "pw-journal",
            dependencies: [
                kit, .product(name: "ProcWardenSystemd", package: root), "CJournal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The native ssdeep engine against libfuzzy: throughput and the full sweep.
        .executableTarget(
            name: "pw-ctph",
            dependencies: [
                kit, .product(name: "CTPHIdentity", package: root),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "pw-dpkg",
            dependencies: [kit, .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "pw-scan",
            dependencies: [kit, "BenchSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
