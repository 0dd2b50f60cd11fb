import Glibc
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

/// The named errors of SPEC §9, and malformed calls, from root; the daemon
/// keeps serving after each.
@Suite(.serialized) struct BusErrorTests {
    @Test func reloadOfABadFileIsInvalidConfigWithItsLocationAndKeepsTheRunningSettings() throws {
        try withDaemonOnBus { daemon, bus in
            let root = BusCaller(bus)
            let observer = try BusObserver(address: bus.address)

            try bus.write("[Scan]\nIntervalSec=10min\n[Hashing]\nHashWorkers=banana\n", to: daemon.configPath)
            let outcome = try root.send(BusNames.Method.reload)
            #expect(outcome.errorName == BusNames.Error.invalidConfig, "\(outcome)")
            let message = outcome.errorMessage ?? ""
            #expect(message.hasPrefix("\(daemon.configPath):4: "), "file:line first: \(message)")
            #expect(message.contains("HashWorkers") && message.contains("banana"), "\(message)")
            #expect(!message.contains("\n"))
            #expect(try observer.value(.scanIntervalUSec) == .uint64(600_000_000))
            #expect(daemon.stderr.contains("configuration reload rejected"))

            // A fixed file reloads, and the daemon never stopped serving.
            try bus.write("[Scan]\nIntervalSec=45s\n", to: daemon.configPath)
            #expect(try root.send(BusNames.Method.reload).errorName == nil)
            #expect(try observer.value(.scanIntervalUSec) == .uint64(45_000_000))
        }
    }

    @Test func resetBaselineOfAPathWithoutOneIsNotFound() throws {
        try withDaemonOnBus { daemon, bus in
            let root = BusCaller(bus)

            for path in ["/nonexistent/procwarden-bus-test", bus.directory, "relative/sleep", ""] {
                let outcome = try root.send(BusNames.Method.resetBaseline, ["string:\(path)"])
                #expect(outcome.errorName == BusNames.Error.notFound, "\(path): \(outcome)")
                let named = path.isEmpty ? "''" : path
                #expect(outcome.errorMessage?.contains(named) == true, "the message names the path: \(outcome)")
            }
        }
    }

    @Test func wrongArgumentsAreInvalidArgsFromSdBus() throws {
        try withDaemonOnBus { daemon, bus in
            let root = BusCaller(bus)
            let observer = try BusObserver(address: bus.address)
            let invalidArgs = "org.freedesktop.DBus.Error.InvalidArgs"

            let calls: [(String, [String])] = [
                (BusNames.Method.setSimilarityThreshold, ["string:seventy"]),
                (BusNames.Method.setSimilarityThreshold, ["uint32:70"]),
                (BusNames.Method.setSimilarityThreshold, ["string:70", "boolean:false"]),
                (BusNames.Method.setSimilarityThreshold, ["uint32:70", "boolean:false", "uint32:1"]),
                (BusNames.Method.resetBaseline, ["uint32:1"]),
                (BusNames.Method.rescan, ["string:now"]),
                (BusNames.Method.listExecutables, ["int32:-1"]),
            ]
            for (method, args) in calls {
                let outcome = try root.send(method, args)
                #expect(outcome.errorName == invalidArgs, "\(method) \(args): \(outcome)")
            }
            let unknown = try root.send("Explode")
            #expect(unknown.errorName == "org.freedesktop.DBus.Error.UnknownMethod", "\(unknown)")

            // Still fine: alive, answering, unchanged, and able to scan.
            #expect(daemon.process?.waitForExit(timeout: .zero) == nil)
            #expect(try observer.value(.similarityThreshold) == .uint32(80))
            #expect(observer.scanCompletedIDs.isEmpty)
            let reply = try root.call(BusNames.Method.rescan)
            #expect(BusCaller.unsigned((reply.first as? [Any])?.first) == 2)
        }
    }
}
