// swift-tools-version:6.0
// SPDX-License-Identifier: GPL-2.0-or-later
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
        .library(name: "CTPHIdentity", targets: ["CTPHIdentity"]),
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
        // openat2(2) for the engine, which must not see sd-bus through CShims.
        .target(name: "CLinux"),
        // The native ssdeep generator (SPEC §18), a module of its own so that it
        // is optimised in debug builds too: unoptimised, its generic SIMD hot
        // loop runs at under 1 MB/s, too slow for the identity tests against
        // libfuzzy to sweep hundreds of MB in CI.
        .target(name: "ProcWardenCTPH", swiftSettings: [.unsafeFlags(["-O"])]),
        .target(
            name: "ProcWardenKit",
            dependencies: [
                "CFuzzy", "COpenSSL", "CLinux", "ProcWardenCTPH",
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
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Test helper: memfd_create + fexecve, the way fileless malware starts.
        .executableTarget(name: "pw-memfd-exec", path: "Tests/Helpers/pw-memfd-exec"),
        // Test helper: rewrites the state file until SIGKILLed.
        .executableTarget(
            name: "pw-state-writer", dependencies: ["ProcWardenKit"], path: "Tests/Helpers/pw-state-writer"),
        // Native ssdeep against libfuzzy: seeded inputs and system files, shared
        // by the unit tests and the benchmarks' full sweep (pw-ctph). Optimised
        // like the engine, so debug test runs can afford hundreds of MB.
        .target(
            name: "CTPHIdentity", dependencies: ["ProcWardenKit"], path: "Tests/CTPHIdentity",
            swiftSettings: [.unsafeFlags(["-O"])]),
        // Every test helper, in one place: children and scratch directories,
        // a private dbus-daemon with procwardend on it (`withDaemonOnBus`),
        // journald, the notify socket, fake /proc fixtures (copied into the
        // bundle).
        .target(
            name: "ProcWardenTestSupport",
            dependencies: [
                "ProcWardenKit", "ProcWardenSystemd", "ProcWardenDaemon", "CSystemd",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/TestSupport",
            resources: [.copy("Fixtures")]
        ),
        // SPEC §12 layer 1: parsers, configuration, rules, dedup and rate
        // limit, the state store, journal field encoding, argument validation,
        // help screens. No daemon, no bus, no journald.
        .testTarget(
            name: "UnitTests",
            dependencies: [
                "ProcWardenKit", "ProcWardenSystemd", "procwardenctl", "ProcWardenTestSupport", "CTPHIdentity",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Unit",
            // procwardenctl help snapshots, read and re-recorded by path (#filePath).
            exclude: ["Snapshots"]
        ),
        // SPEC §12 layer 2, against real parts: processes (Scan), journald
        // (Journal), a private dbus-daemon (Bus), the daemon binary (Daemon),
        // procwardenctl against them (Ctl).
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "ProcWardenSystemd", "ProcWardenKit", "ProcWardenDaemon", "procwardenctl", "ProcWardenTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Integration"
        ),
    ],
    swiftLanguageModes: [.v6]
)
