import Glibc
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

/// The bus answers during a long hash pass (SPEC §9: within 100 ms). One
/// worker hashes a fresh 512 MiB image; meanwhile properties and Introspect
/// are read over and over, timed both through busctl (process start
/// included) and on the test's own connection. On the own connection the
/// median and the 90th percentile must be within SPEC's 100 ms, and a single
/// slow answer on a loaded machine within 1 s; through busctl, which starts a
/// process each time, the median within 1 s and the slowest within 5 s. The
/// measured latencies are printed.
@Suite(.serialized) struct BusResponsivenessTests {
    static let configuration = """
        [Scan]
        IntervalSec=10min
        [Hashing]
        MaxFileSize=4G
        HashWorkers=1
        HashTimeoutSec=10min
        HashBudgetSec=10min
        """

    @Test func propertiesAndIntrospectAnswerDuringALongHashPass() throws {
        try withDaemonOnBus(configuration: Self.configuration) { daemon, bus in
            let root = BusCaller(bus)
            let observer = try BusObserver(address: bus.address)
            let big = try bus.executableCopy(named: "pw-bus-huge", size: 512 << 20)
            let child = try ChildProcess([big, "1000"])
            let bytesBefore = try observer.value(.bytesHashed)

            let rescan = try ChildProcess(root.callArgv(BusNames.Method.rescan))
            try #require(
                Poll.eventually(timeout: .seconds(10)) { (try? observer.value(.state)) == .string("scanning") })

            var busctlLatencies: [Duration] = []
            var ownLatencies: [Duration] = []
            var samplesWhileScanning = 0
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(300)
            while rescan.waitForExit(timeout: .zero) == nil && clock.now < deadline {
                let start = clock.now
                let run = try root.busctl([
                    "get-property", BusNames.service, BusNames.objectPath, BusNames.interface, "State",
                ])
                let elapsed = clock.now - start
                #expect(run.succeeded, "\(run.summary)")
                let (state, latency) = try observer.property(.state)
                let (_, introspectLatency) = try observer.introspect()
                guard state == .string("scanning") else { continue }
                samplesWhileScanning += 1
                busctlLatencies.append(elapsed)
                ownLatencies += [latency, introspectLatency]
                usleep(50_000)
            }
            #expect(rescan.waitForExit(timeout: .seconds(5)) == 0, "\(rescan.stderr)")
            let reply = try BusCaller.replyData(rescan.stdout)
            let duration = ((reply.first as? [Any])?.last).flatMap { BusCaller.unsigned($0) } ?? 0

            func ms(_ d: Duration) -> String {
                let tenths = d.microseconds / 100
                return "\(tenths / 10).\(tenths % 10) ms"
            }
            let busctlMax = busctlLatencies.max() ?? .zero
            let busctlSorted = busctlLatencies.sorted()
            let ownMax = ownLatencies.max() ?? .zero
            let sorted = ownLatencies.sorted()
            print(
                """
                BusResponsivenessTests: scan took \(ms(.microseconds(Int64(duration)))); \(samplesWhileScanning) rounds while scanning; \
                busctl get-property max \(ms(busctlMax)), \
                median \(busctlSorted.isEmpty ? "-" : ms(busctlSorted[busctlSorted.count / 2])); own connection Get/Introspect max \(ms(ownMax)), \
                median \(sorted.isEmpty ? "-" : ms(sorted[sorted.count / 2])), \
                p90 \(sorted.isEmpty ? "-" : ms(sorted[sorted.count * 9 / 10]))
                """)
            #expect(samplesWhileScanning >= 5, "the pass must last long enough to measure during it")
            // busctl starts a process per call, which a loaded machine can
            // hold up past a second on its own: its median is held to 1 s, its
            // slowest call to 5 s, a fraction of a pass that takes tens of
            // seconds, so an answer held until the pass ends still fails.
            #expect(!busctlSorted.isEmpty && busctlSorted[busctlSorted.count / 2] < .seconds(1), "busctl median")
            #expect(busctlMax < .seconds(5))
            #expect(ownMax < .seconds(1))
            try #require(!sorted.isEmpty)
            #expect(sorted[sorted.count / 2] < .milliseconds(100), "median within SPEC §9's 100 ms")
            #expect(sorted[sorted.count * 9 / 10] < .milliseconds(100), "90th percentile within SPEC §9's 100 ms")
            guard case .uint64(let before) = bytesBefore, case .uint64(let after) = try observer.value(.bytesHashed)
            else {
                Issue.record("BytesHashed is not a uint64")
                return
            }
            #expect(after - before >= 512 << 20, "the big image was hashed in that pass")
            _ = child
        }
    }
}
