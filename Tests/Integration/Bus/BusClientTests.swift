import Glibc
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

@testable import procwardenctl

/// procwardenctl's `BusClient` against a real procwardend on a private bus.
/// BusClient opens the system bus, which libsystemd takes from
/// DBUS_SYSTEM_BUS_ADDRESS; the variable is set around each use and
/// restored (the suite runs serialized).
@Suite(.serialized) struct BusClientTests {
    @discardableResult
    static func withSystemBus<T>(_ address: String, _ body: () throws -> T) rethrows -> T {
        let previous = getenv("DBUS_SYSTEM_BUS_ADDRESS").map { String(cString: $0) }
        setenv("DBUS_SYSTEM_BUS_ADDRESS", address, 1)
        defer {
            if let previous {
                setenv("DBUS_SYSTEM_BUS_ADDRESS", previous, 1)
            } else {
                unsetenv("DBUS_SYSTEM_BUS_ADDRESS")
            }
        }
        return try body()
    }

    @Test func everyCallAndPropertyRoundTrips() throws {
        try withDaemonOnBus { daemon, bus in
            let observer = try BusObserver(address: bus.address)
            let binary = try bus.executableCopy(named: "pw-bus-client")
            let child = try ChildProcess([binary, "1000"])

            try Self.withSystemBus(bus.address) {
                let client = try BusClient(user: false)
                for p in BusNames.Property.allCases {
                    let value = try client.property(p)
                    switch (p.signature, value) {
                    case ("s", .string), ("u", .uint32), ("t", .uint64): break
                    default: Issue.record("\(p.rawValue) came back as \(value)")
                    }
                    if p != .lastScanTimestamp && p != .state {
                        #expect(value == (try observer.value(p)), "\(p.rawValue)")
                    }
                }
                #expect(try client.property(.version) == .string(ProcWarden.version))

                let summary = try client.rescan()
                #expect(summary.scanID == 2)
                #expect(try observer.value(.processes) == .uint32(summary.processes))
                #expect(try observer.value(.lastScanDurationUSec) == .uint64(summary.durationMicroseconds))

                let executables = try client.listExecutables()
                let mine = try #require(executables.first { $0.path == binary })
                let sha256 = try ToolRun.run(["sha256sum", binary]).stdoutText.split(separator: " ").first.map(
                    String.init)
                #expect(mine.sha256 == sha256)
                #expect(
                    mine.state == "on_disk" && mine.processCount == 1 && !mine.degraded && mine.onDiskSha256.isEmpty)

                #expect(throws: BusClient.Failure.self) { try client.setSimilarityThreshold(0, runtime: false) }
                do {
                    try client.setSimilarityThreshold(100, runtime: true)
                    Issue.record("100 was accepted")
                } catch let error as BusClient.Failure {
                    guard case .invalidThreshold(let message) = error else {
                        Issue.record("\(error)")
                        return
                    }
                    #expect(message.contains("100"))
                }
                try client.setSimilarityThreshold(70, runtime: false)
                #expect(try client.property(.similarityThreshold) == .uint32(70))
                try client.reload()
                do {
                    try client.resetBaseline(path: "/nonexistent/procwarden-bus-client")
                    Issue.record("an unknown path was reset")
                } catch let error as BusClient.Failure {
                    #expect(error == .notFound("no baseline for /nonexistent/procwarden-bus-client"))
                }
                try client.resetBaseline(path: binary)
            }

            // The daemon gone, the bus still there: "not running".
            daemon.stop()
            #expect(daemon.stopFailures.isEmpty)
            try Self.withSystemBus(bus.address) {
                let client = try BusClient(user: false)
                #expect(throws: BusClient.Failure.notRunning) { try client.property(.version) }
                #expect(throws: BusClient.Failure.notRunning) { try client.reload() }
            }
            // No bus at all.
            bus.stop()
            Self.withSystemBus(bus.address) {
                #expect {
                    _ = try BusClient(user: false)
                } throws: { error in
                    if case .busUnavailable = error as? BusClient.Failure { true } else { false }
                }
            }
            _ = child
        }
    }
}
