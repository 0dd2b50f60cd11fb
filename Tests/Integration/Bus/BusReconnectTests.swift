import Glibc
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

/// The bus goes away and comes back on the same socket (as when
/// dbus.service restarts): procwardend keeps running, reconnects, takes its
/// name again and answers.
@Suite(.serialized) struct BusReconnectTests {
    @Test func theDaemonReregistersAfterTheBusRestarts() throws {
        try withDaemonOnBus { daemon, bus in
            let root = BusCaller(bus)
            _ = try root.call(BusNames.Method.setSimilarityThreshold, "ub", ["61", "true"])

            bus.stop()
            usleep(500_000)
            #expect(daemon.process?.waitForExit(timeout: .zero) == nil, "procwardend outlives its bus")
            try bus.start()
            let clock = ContinuousClock()
            let restarted = clock.now
            let observer = try BusObserver(address: bus.address)
            let back = Poll.eventually(timeout: .seconds(15)) { observer.monitorHasOwner() }
            let took = clock.now - restarted
            print(
                "BusReconnectTests: Monitor1 owned again \(Int((took.seconds * 1000).rounded())) ms after the bus restarted"
            )
            try #require(back, "not re-registered: \(daemon.stderr)")
            #expect(took < .seconds(5), "the retry interval is 2 s")

            #expect(try root.property(.version) as? String == ProcWarden.version)
            #expect(try BusCaller.unsigned(root.property(.similarityThreshold)) == 61, "the same daemon, not a new one")
            let reply = try root.call(BusNames.Method.rescan)
            #expect(BusCaller.unsigned((reply.first as? [Any])?.first) == 2)
            #expect(
                observer.waitFor(timeout: .seconds(5)) {
                    $0.contains { if case .scanCompleted(2, _, _, _) = $0 { true } else { false } }
                },
                "signals flow again: \(observer.signals)")
            #expect(daemon.stderr.contains("lost the system bus"))
            #expect(daemon.stderr.contains("bus connection restored"))

            // Twice, to show the reconnection is not a one-off.
            bus.stop()
            try bus.start()
            let again = try BusObserver(address: bus.address)
            #expect(Poll.eventually(timeout: .seconds(15)) { again.monitorHasOwner() }, "\(daemon.stderr)")
            #expect(try root.property(.state) as? String == "idle")
        }
    }
}
