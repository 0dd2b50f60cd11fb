import Foundation
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

/// SetSimilarityThreshold end to end: range checks, PropertiesChanged, and
/// what a daemon restart on the same state directory keeps.
@Suite(.serialized) struct BusThresholdTests {
    static let configuration = ProcwardendOnBus.quickConfiguration + "\n[Alerts]\nSimilarityThreshold=75"

    @Test func outOfRangeIsInvalidThresholdAndChangesNothing() throws {
        try withDaemonOnBus(configuration: Self.configuration) { daemon, bus in
            let root = BusCaller(bus)
            let observer = try BusObserver(address: bus.address)

            for value: UInt64 in [0, 100, 4_294_967_295] {
                for runtime in [false, true] {
                    let outcome = try root.send(
                        BusNames.Method.setSimilarityThreshold, ["uint32:\(value)", "boolean:\(runtime)"])
                    #expect(outcome.errorName == BusNames.Error.invalidThreshold, "\(value): \(outcome)")
                    #expect(
                        outcome.errorMessage?.contains("\(value)") == true, "the message names the value: \(outcome)")
                }
            }
            observer.pump(for: .milliseconds(500))
            #expect(try observer.value(.similarityThreshold) == .uint32(75))
            #expect(observer.announced(.similarityThreshold).isEmpty, "\(observer.signals)")
        }
    }

    @Test func aPersistentChangeIsAnnouncedAndSurvivesARestartARuntimeOneDoesNot() throws {
        try withDaemonOnBus(configuration: Self.configuration) { daemon, bus in
            let root = BusCaller(bus)
            let observer = try BusObserver(address: bus.address)

            #expect(
                try root.send(BusNames.Method.setSimilarityThreshold, ["uint32:70", "boolean:false"]).errorName == nil)
            #expect(try observer.value(.similarityThreshold) == .uint32(70))
            #expect(
                observer.waitFor(timeout: .seconds(5)) { _ in observer.announced(.similarityThreshold) == [.uint32(70)]
                },
                "PropertiesChanged: \(observer.signals)")

            try daemon.restart()
            #expect(try observer.value(.similarityThreshold) == .uint32(70), "persisted in the state directory")

            #expect(
                try root.send(BusNames.Method.setSimilarityThreshold, ["uint32:40", "boolean:true"]).errorName == nil)
            #expect(try observer.value(.similarityThreshold) == .uint32(40))
            #expect(
                observer.waitFor(timeout: .seconds(5)) { _ in
                    observer.announced(.similarityThreshold).last == .uint32(40)
                },
                "PropertiesChanged: \(observer.signals)")

            try daemon.restart()
            #expect(
                try observer.value(.similarityThreshold) == .uint32(70),
                "the runtime value is gone, the persisted one is back")
        }
    }

    @Test func onlyChangesAreAnnounced() throws {
        try withDaemonOnBus(configuration: Self.configuration) { daemon, bus in
            let root = BusCaller(bus)
            let observer = try BusObserver(address: bus.address)

            // The current value again, and a reload of an unchanged file: nothing moves.
            #expect(
                try root.send(BusNames.Method.setSimilarityThreshold, ["uint32:75", "boolean:false"]).errorName == nil)
            #expect(try root.send(BusNames.Method.reload).errorName == nil)
            observer.pump(for: .milliseconds(500))
            #expect(observer.signals.isEmpty, "\(observer.signals)")

            // A reload that changes the interval announces the interval alone.
            try bus.write(
                Self.configuration.replacingOccurrences(of: "IntervalSec=10min", with: "IntervalSec=9min") + "\n",
                to: daemon.configPath)
            #expect(try root.send(BusNames.Method.reload).errorName == nil)
            #expect(observer.waitFor(timeout: .seconds(5)) { !$0.isEmpty })
            observer.pump(for: .milliseconds(200))
            #expect(
                observer.signals == [
                    .propertiesChanged(
                        interface: BusNames.interface,
                        changed: ["ScanIntervalUSec": .uint64(540_000_000)], invalidated: [])
                ])
        }
    }

    @Test func aRuntimeChangeAloneLeavesTheConfiguredValueAfterARestart() throws {
        try withDaemonOnBus(configuration: Self.configuration) { daemon, bus in
            let root = BusCaller(bus)
            let observer = try BusObserver(address: bus.address)

            #expect(
                try root.send(BusNames.Method.setSimilarityThreshold, ["uint32:70", "boolean:true"]).errorName == nil)
            #expect(try observer.value(.similarityThreshold) == .uint32(70))
            #expect(
                observer.waitFor(timeout: .seconds(5)) { _ in observer.announced(.similarityThreshold) == [.uint32(70)]
                },
                "PropertiesChanged: \(observer.signals)")

            try daemon.restart()
            #expect(try observer.value(.similarityThreshold) == .uint32(75))
        }
    }
}
