// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "procwarden",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "procwardend", targets: ["procwardend"]),
        .executable(name: "procwardenctl", targets: ["procwardenctl"]),
        .library(name: "ProcWardenKit", targets: ["ProcWardenKit"]),
        .library(name: "ProcWardenSystemd", targets: ["ProcWardenSystemd"]),
        .library(name: "ProcWardenDaemon", targets: ["ProcWardenDaemon"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .systemLibrary(name: "CFuzzy", providers: [.apt(["libfuzzy-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CCap", pkgConfig: "libcap", providers: [.apt(["libcap-dev"])]),
        .target(name: "CShims", dependencies: ["CSystemd"]),
        .target(
            name: "ProcWardenKit",
            dependencies: [
                "CFuzzy", "COpenSSL",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "ProcWardenSystemd",
            dependencies: [
                "ProcWardenKit", "CSystemd", "CCap", "CShims",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "ProcWardenDaemon",
            dependencies: [
                "ProcWardenKit", "ProcWardenSystemd", "CSystemd", "CShims",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "procwardend",
            dependencies: [
                "ProcWardenKit", "ProcWardenSystemd", "ProcWardenDaemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "procwardenctl",
            dependencies: [
                "ProcWardenKit", "ProcWardenSystemd", "CSystemd",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Test helper: memfd_create + fexecve, the way fileless malware starts.
        .executableTarget(name: "pw-memfd-exec", path: "Tests/Helpers/pw-memfd-exec"),
        // Test helper: rewrites the state file until SIGKILLed.
        .executableTarget(name: "pw-state-writer", dependencies: ["ProcWardenKit"], path: "Tests/Helpers/pw-state-writer"),
        // Helpers both test targets share: spawning and running children,
        // scratch directories, byte-string file operations.
        .target(name: "ProcWardenTestSupport", dependencies: ["ProcWardenKit"], path: "Tests/TestSupport"),
        .testTarget(
            name: "ProcWardenKitTests",
            dependencies: ["ProcWardenKit", "ProcWardenTestSupport", .product(name: "Logging", package: "swift-log")],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "ProcWardenSystemdTests",
            dependencies: ["ProcWardenSystemd", "ProcWardenKit", "ProcWardenDaemon", "procwardenctl", "ProcWardenTestSupport",
                           .product(name: "Logging", package: "swift-log")],
            // procwardenctl help snapshots, read and re-recorded by path (#filePath).
            exclude: ["Snapshots"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
