import Glibc
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

/// Rescan over the bus: concurrent callers share one scan (SPEC §8), and
/// subscribers see ScanCompleted and AlertRaised.
@Suite(.serialized) struct BusRescanTests {
    /// Room for a 128 MiB image, so a scan lasts long enough for all callers to arrive.
    static let configuration = """
        [Scan]
        IntervalSec=10min
        [Hashing]
        MaxFileSize=1G
        HashWorkers=1
        HashTimeoutSec=5min
        HashBudgetSec=5min
        """

    @Test func fiveConcurrentRescansShareOneScan() throws {
        try withDaemonOnBus(configuration: Self.configuration) { daemon, bus in
            let root = BusCaller(bus)
            let observer = try BusObserver(address: bus.address)
            // A new 128 MiB image to hash keeps the scan busy while the calls arrive.
            let big = try bus.executableCopy(named: "pw-bus-big", size: 128 << 20)
            let child = try ChildProcess([big, "1000"])

            let callers = try (0..<5).map { _ in
                try ChildProcess(root.callArgv(BusNames.Method.rescan))
            }
            var replies: [[UInt64?]] = []
            for caller in callers {
                let code = caller.waitForExit(timeout: .seconds(120))
                #expect(code == 0, "busctl Rescan: \(caller.stderr)")
                let data = try BusCaller.replyData(caller.stdout)
                replies.append(((data.first as? [Any]) ?? []).map { BusCaller.unsigned($0) })
            }

            let first = try #require(replies.first)
            try #require(first.count == 8 && !first.contains(nil), "reply \(first)")
            #expect(replies.allSatisfy { $0 == first }, "every caller gets the same summary: \(replies)")
            #expect(first[0] == 2, "one scan after the first one at start")
            #expect(first[3]! >= 1, "the big image was hashed in that scan")
            // Exactly one scan ran: one ScanCompleted, and nothing after it.
            observer.pump(for: .seconds(1))
            #expect(observer.scanCompletedIDs == [first[0]!], "\(observer.signals)")
            #expect(try observer.value(.lastScanDurationUSec) == .uint64(first[7]!))
            #expect(try observer.value(.state) == .string("idle"))
            _ = child
        }
    }

    @Test func subscribersSeeScanCompletedAndAlertRaised() throws {
        try withDaemonOnBus { daemon, bus in
            let root = BusCaller(bus)
            let observer = try BusObserver(address: bus.address)
            let alertsBefore = try observer.value(.alertsRaised)
            // A running binary whose file is gone: integrity.disk_mismatch.
            let binary = try bus.executableCopy(named: "pw-bus-deleted")
            let child = try ChildProcess([binary, "1000"])
            try #require(unlink(binary) == 0)

            let reply = try root.call(BusNames.Method.rescan)
            let summary = try #require(reply.first as? [Any]).map { BusCaller.unsigned($0) ?? 0 }
            try #require(summary.count == 8)

            let expected = BusObserver.Signal.scanCompleted(
                scanID: summary[0], processes: UInt32(summary[1]),
                executables: UInt32(summary[2]), alerts: UInt32(summary[5]))
            #expect(observer.waitFor(timeout: .seconds(5)) { $0.contains(expected) }, "\(observer.signals)")
            #expect(summary[5] >= 1)
            let raised = observer.signals.compactMap { signal -> (String, String, String, UInt32, String)? in
                if case .alertRaised(let rule, let severity, let exe, let pid, let message) = signal,
                    exe == binary
                {
                    (rule, severity, exe, pid, message)
                } else {
                    nil
                }
            }
            try #require(raised.count == 1, "AlertRaised for \(binary): \(observer.signals)")
            #expect(raised[0].0 == AlertRule.diskMismatch.rawValue)
            #expect(raised[0].1 == "high")
            #expect(raised[0].3 == UInt32(child.pid))
            #expect(raised[0].4.contains(binary) && raised[0].4.contains("deleted"), "\(raised[0].4)")
            // AlertRaised comes before the ScanCompleted of its scan.
            let alertIndex = observer.signals.firstIndex { if case .alertRaised = $0 { true } else { false } }
            let doneIndex = observer.signals.firstIndex(of: expected)
            #expect(alertIndex != nil && doneIndex != nil && alertIndex! < doneIndex!)
            guard case .uint64(let before) = alertsBefore, case .uint64(let after) = try observer.value(.alertsRaised)
            else {
                Issue.record("AlertsRaised is not a uint64")
                return
            }
            #expect(after - before == summary[5])
            #expect(
                observer.waitFor(timeout: .seconds(5)) { _ in observer.announced(.alertsRaised).last == .uint64(after)
                },
                "PropertiesChanged follows ScanCompleted: \(observer.signals)")
        }
    }
}
