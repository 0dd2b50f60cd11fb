import Glibc
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

@testable import procwardenctl

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

    /// Raw bytes of a bad line come back escaped in InvalidConfig.
    @Test func reloadErrorEscapesRawBytesOfTheBadLine() throws {
        try withDaemonOnBus { daemon, bus in
            let root = BusCaller(bus)
            let bad = Array("[Scan]\nIntervalSec=5".utf8) + [0x1B] + Array("[31m".utf8) + [0xFF, 0x0A]
            try DurableFile.write(bad, to: daemon.configPath)
            let outcome = try root.send(BusNames.Method.reload)
            #expect(outcome.errorName == BusNames.Error.invalidConfig, "\(outcome)")
            let message = outcome.errorMessage ?? ""
            #expect(message.contains("IntervalSec=5\\x1b[31m\\xff is "), "\(message)")
            #expect(!message.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0xFFFD }, "\(message)")
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

    /// Strings with Unicode noncharacters pass dbus-daemon (the D-Bus
    /// specification allows them) but not sd-bus's reader: the caller gets
    /// InvalidArgument, not Failed, and the daemon keeps serving.
    @Test func resetBaselineOfAPathWithNoncharactersIsInvalidArgument() throws {
        try withDaemonOnBus { daemon, bus in
            let root = BusCaller(bus)
            // Swift has no literals for them.
            for value: UInt32 in [0xFDD0, 0xFDEF, 0xFFFE, 0xFFFF, 0x1FFFE, 0x10FFFF] {
                let path = "/usr/bin/pw\(Character(Unicode.Scalar(value)!))x"
                let outcome = try root.send(BusNames.Method.resetBaseline, ["string:\(path)"])
                #expect(
                    outcome.errorName == BusNames.Error.invalidArgument,
                    "\(path.unicodeScalars.map(\.value)): \(outcome)")
                #expect((outcome.errorMessage ?? "").contains("noncharacter"), "\(outcome)")
            }
            // A character next to them is a plain path without a baseline.
            let near = try root.send(BusNames.Method.resetBaseline, ["string:/usr/bin/pw\u{FDF0}x"])
            #expect(near.errorName == BusNames.Error.notFound, "\(near)")
            #expect(daemon.process?.waitForExit(timeout: .zero) == nil)
            #expect(BusCaller.unsigned((try root.call(BusNames.Method.rescan).first as? [Any])?.first) == 2)
        }
    }

    /// A megabyte path is not echoed back: the message quotes 200 bytes of
    /// it and says how long it was, for an absolute and a relative path.
    @Test func aMegabytePathIsCutInTheErrorMessage() throws {
        try withDaemonOnBus { daemon, bus in
            try BusClientTests.withSystemBus(bus.address) {
                let client = try BusClient(user: false)
                for path in ["/" + String(repeating: "a", count: 1 << 20), String(repeating: "é", count: 1 << 19)] {
                    let length = path.utf8.count
                    do {
                        try client.resetBaseline(path: path)
                        Issue.record("a \(length)-byte path was reset")
                    } catch let failure as BusClient.Failure {
                        guard case .notFound(let message) = failure else {
                            Issue.record("\(String(describing: failure).prefix(300))")
                            continue
                        }
                        #expect(message.utf8.count <= 300, "\(message.utf8.count) bytes: \(message.prefix(300))")
                        #expect(message.contains("(\(length) bytes)"), "\(message)")
                        #expect(message.contains(String(path.prefix(50))), "\(message)")
                    }
                }
                #expect(throws: BusClient.Failure.self) { try client.resetBaseline(path: "/nonexistent/short") }
            }
            #expect(daemon.process?.waitForExit(timeout: .zero) == nil)
        }
    }

    /// procwardenctl words InvalidArgument as one line, like the other errors.
    @Test func ctlMapsInvalidArgument() {
        let failure = BusClient.Failure(name: BusNames.Error.invalidArgument, message: "bad string")
        #expect(failure == .invalidArgument("bad string"))
        let ctl = CtlFailure(failure, bus: .system)
        #expect(ctl.message == "procwardend cannot use the argument: bad string")
        #expect(ctl.exitCode == ExitCode.usage.code)
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
                (BusNames.Method.listObjects, ["string:/usr"]),
                (BusNames.Method.listRestartNeeded, ["uint32:1"]),
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
