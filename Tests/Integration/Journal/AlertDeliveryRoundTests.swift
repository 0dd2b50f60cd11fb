import Glibc
import Logging
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

@testable import ProcWardenDaemon

/// `AlertDelivery`'s decisions that the daemon tests cannot force: pid
/// reuse for `OBJECT_PID`, and no stderr copy when stderr is journald's.
@Suite(.serialized) struct AlertDeliveryRoundTests {
    let logger = Logger(label: "test.delivery")

    init() throws { try Journald.ensureRunning() }

    /// A prompt delivery names its pid; a late one only if /proc/<pid>/stat
    /// still shows the start time the alert recorded (a reused pid does not).
    @Test func aLateAlertNamesItsPidOnlyForTheSameProcess() throws {
        let child = try ChildProcess(["sleep", "60"])
        let start = try #require(ProcStat.current(pid: child.pid)?.startTime)
        let now = WallClock.microseconds()
        func alert(raised: UInt64, startTime: UInt64?) -> Alert {
            var alert = TestAlerts.make(.diskMismatch, pid: child.pid)
            alert.raisedAtMicroseconds = raised
            alert.processStartTime = startTime
            return alert
        }
        let late = now - 5_000_000
        #expect(AlertDelivery.mayNameProcess(alert(raised: now, startTime: nil), now: now))
        #expect(AlertDelivery.mayNameProcess(alert(raised: late, startTime: start), now: now))
        #expect(!AlertDelivery.mayNameProcess(alert(raised: late, startTime: start + 1), now: now), "a reused pid")
        #expect(!AlertDelivery.mayNameProcess(alert(raised: late, startTime: nil), now: now))
        child.stop()
        #expect(!AlertDelivery.mayNameProcess(alert(raised: late, startTime: start), now: now), "the process is gone")
    }

    /// Under systemd stderr may be journald's own stream: then an alert
    /// journald does not take is not copied there (it would be as stuck).
    @Test func noStderrCopyWhenStderrIsJournaldsStream() throws {
        let out = try Pipe()
        let copies = out.write
        let deliveries = try PrivateMountNamespace.run { () -> [JournalWriter.Delivery] in
            guard mount("tmpfs", "/run/systemd/journal", "tmpfs", 0, "mode=0755,size=64k") == 0 else {
                throw SystemError("mount tmpfs")
            }
            let logger = Logger(label: "test.delivery")
            return [true, false].map { isJournal in
                JournalWriter(
                    mode: .yes, output: NonBlockingOutput(descriptor: copies), echoAlerts: false,
                    stderrIsJournal: isJournal, logger: logger
                ).send(TestAlerts.make(.memfdExec, comm: ByteString(isJournal ? "journal-stream" : "plain-stderr")))
            }
        }
        #expect(deliveries.allSatisfy { if case .deferred = $0 { true } else { false } })
        out.closeWrite()
        let parsed = try StderrForm.parse(out.readAll())
        #expect(parsed.count == 1)
        #expect(parsed.first?.first { $0.name == "PROCWARDEN_COMM" }?.value == "plain-stderr")
    }
}
