import ProcWardenKit
import ProcWardenSystemd
import Testing

/// SetSimilarityThreshold end to end: range checks, PropertiesChanged, and
/// what a daemon restart on the same state directory keeps.
@Suite(.serialized) struct BusThresholdTests {
    static let configuration = ProcwardendOnBus.quickConfiguration + "\n[Alerts]\nSimilarityThreshold=75"

    @Test func outOfRangeIsInvalidThresholdAndChangesNothing() throws {
        let bus = try PrivateBus(policy: .shipped)
        let daemon = try ProcwardendOnBus(on: bus, configuration: Self.configuration)
        let root = BusCaller(bus)
        let observer = try BusObserver(address: bus.address)

        for value: UInt64 in [0, 100, 4_294_967_295] {
            for runtime in [false, true] {
                let outcome = try root.send(BusNames.Method.setSimilarityThreshold, ["uint32:\(value)", "boolean:\(runtime)"])
                #expect(outcome.errorName == BusNames.Error.invalidThreshold, "\(value): \(outcome)")
                #expect(outcome.errorMessage?.contains("\(value)") == true, "the message names the value: \(outcome)")
            }
        }
        observer.pump(for: .milliseconds(500))
        #expect(try observer.value(.similarityThreshold) == .uint32(75))
        #expect(observer.announced(.similarityThreshold).isEmpty, "\(observer.signals)")
        daemon.stop()
        #expect(daemon.stopFailures.isEmpty)
    }

    @Test func aPersistentChangeIsAnnouncedAndSurvivesARestartARuntimeOneDoesNot() throws {
        let bus = try PrivateBus(policy: .shipped)
        let daemon = try ProcwardendOnBus(on: bus, configuration: Self.configuration)
        let root = BusCaller(bus)
        let observer = try BusObserver(address: bus.address)

        #expect(try root.send(BusNames.Method.setSimilarityThreshold, ["uint32:70", "boolean:false"]).errorName == nil)
        #expect(try observer.value(.similarityThreshold) == .uint32(70))
        #expect(observer.waitFor(timeout: .seconds(5)) { _ in observer.announced(.similarityThreshold) == [.uint32(70)] },
                "PropertiesChanged: \(observer.signals)")

        try daemon.restart()
        #expect(try observer.value(.similarityThreshold) == .uint32(70), "persisted in the state directory")

        #expect(try root.send(BusNames.Method.setSimilarityThreshold, ["uint32:40", "boolean:true"]).errorName == nil)
        #expect(try observer.value(.similarityThreshold) == .uint32(40))
        #expect(observer.waitFor(timeout: .seconds(5)) { _ in observer.announced(.similarityThreshold).last == .uint32(40) },
                "PropertiesChanged: \(observer.signals)")

        try daemon.restart()
        #expect(try observer.value(.similarityThreshold) == .uint32(70), "the runtime value is gone, the persisted one is back")
        daemon.stop()
        #expect(daemon.stopFailures.isEmpty)
    }

    @Test func aRuntimeChangeAloneLeavesTheConfiguredValueAfterARestart() throws {
        let bus = try PrivateBus(policy: .shipped)
        let daemon = try ProcwardendOnBus(on: bus, configuration: Self.configuration)
        let root = BusCaller(bus)
        let observer = try BusObserver(address: bus.address)

        #expect(try root.send(BusNames.Method.setSimilarityThreshold, ["uint32:70", "boolean:true"]).errorName == nil)
        #expect(try observer.value(.similarityThreshold) == .uint32(70))
        #expect(observer.waitFor(timeout: .seconds(5)) { _ in observer.announced(.similarityThreshold) == [.uint32(70)] },
                "PropertiesChanged: \(observer.signals)")

        try daemon.restart()
        #expect(try observer.value(.similarityThreshold) == .uint32(75))
        daemon.stop()
        #expect(daemon.stopFailures.isEmpty)
    }
}
