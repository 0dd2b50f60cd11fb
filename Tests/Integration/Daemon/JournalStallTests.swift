import FoundationEssentials
import Glibc
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

/// The daemon with journald stuck or gone (SPEC §4, §8): in a private mount
/// namespace whose /run/systemd/journal is a tmpfs of the test's own, the
/// journal socket is missing, or bound by a socket nobody reads (a hung
/// journald: its queue fills). The daemon, spawned from that namespace, must
/// keep scanning, answer the bus and SIGTERM, keep what it could not deliver
/// in its state, and deliver it to the real journald once the tmpfs is gone.
@Suite(.serialized) struct JournalStallTests {
    static let directory = "/run/systemd/journal"
    static let configuration = """
        [Scan]
        IntervalSec=1
        [Hashing]
        MaxFileSize=16M

        """

    init() throws {
        try #require(geteuid() == 0, "a private mount namespace needs root")
        try Journald.ensureRunning()
    }

    struct StallOutcome: Sendable {
        var scanTimes: [UInt64] = []
        var slowestRead: Duration = .zero
        var exitCode: Int32?
        var exitTook: Duration = .zero
        var queued: [Alert] = []
        var held = 0
        var stderr = ""
        var exes: [String] = []
    }

    /// journald's socket exists but is never read: scans go on, a property
    /// read answers in well under a second, SIGTERM exits 0 within 2 s, the
    /// state holds the undelivered alerts, and stderr has their copies.
    @Test func aJournaldThatNeverReadsDelaysNoScanNoBusReplyAndNoSIGTERM() throws {
        let outcome = try PrivateMountNamespace.run { () -> StallOutcome in
            var outcome = StallOutcome()
            try Self.coverJournal()
            let stuck = try JournalFallbackTests.bindSocket(at: JournalSocket.path)
            defer { close(stuck) }
            let bus = try PrivateBus(policy: .shipped)
            // More alerts than journald's queue holds (net.unix.max_dgram_qlen).
            var children: [ChildProcess] = []
            for i in 0..<40 {
                let copy = try bus.executableCopy(named: "pw-stall-\(i)")
                children.append(try ChildProcess([copy, "600"]))
                outcome.exes.append(copy)
            }
            try Poll.require(timeout: .seconds(10)) {
                children.allSatisfy { $0.comm().description.hasPrefix("pw-stall") }
            }
            for exe in outcome.exes { unlink(exe) }
            let daemon = try ProcwardendOnBus(on: bus, configuration: Self.configuration, journal: "yes")
            let observer = try BusObserver(address: bus.address)
            // Seven seconds of IntervalSec=1: the scans must go on.
            let end = ContinuousClock.now + .seconds(7)
            while ContinuousClock.now < end {
                let (value, latency) = try observer.property(.lastScanTimestamp)
                outcome.slowestRead = max(outcome.slowestRead, latency)
                if case .uint64(let t) = value, outcome.scanTimes.last != t { outcome.scanTimes.append(t) }
                usleep(200_000)
            }
            guard let process = daemon.process else { throw TestFailure("procwardend is not running") }
            let signalled = ContinuousClock.now
            process.signal(SIGTERM)
            outcome.exitCode = process.waitForExit(timeout: .seconds(10))
            outcome.exitTook = ContinuousClock.now - signalled
            outcome.stderr = process.stderr
            let state = try Self.state(daemon.stateDirectory)
            outcome.queued = state.queue.alerts
            outcome.held = state.queue.held
            return outcome
        }

        #expect(outcome.scanTimes.count >= 4, "scans during 7 s with IntervalSec=1: \(outcome.scanTimes)")
        #expect(outcome.slowestRead < .milliseconds(500), "slowest property read \(outcome.slowestRead)")
        #expect(outcome.exitCode == 0)
        #expect(outcome.exitTook < .seconds(2), "exit took \(outcome.exitTook)")
        let queuedExes = Set(outcome.queued.compactMap { $0[.exe]?.description })
        let undelivered = Set(outcome.exes).subtracting(queuedExes)
        #expect(outcome.held > 0 && !queuedExes.isEmpty, "nothing waits in the state's queue")
        #expect(undelivered.count < outcome.exes.count)
        for exe in queuedExes where exe.contains("pw-stall") {
            #expect(outcome.stderr.contains("PROCWARDEN_EXE=\(exe)\n"), "no stderr copy for \(exe)")
        }
    }

    /// journald unreachable while an alert is raised for a process that
    /// then exits; reachable again: the alert arrives with its original
    /// fields, raised more than a second before the entry's own time,
    /// without OBJECT_PID (the pid names no process now), and one entry says
    /// how many were delivered late.
    @Test func anAlertRaisedWhileJournaldIsGoneArrivesWhenItIsBack() throws {
        let scratch = try ScratchDirectory("journal-back", mode: 0o700)
        let exe = scratch("pw-gone-\(UInt32.random(in: 0...UInt32.max))")
        try #require(try ToolRun.run(["cp", "/usr/bin/sleep", exe]).succeeded)
        let launch = try Procwardend(in: scratch, config: Self.configuration)
        let notify = try NotifySocket(path: scratch("notify.sock"))
        let (daemon, since, childPid) = try PrivateMountNamespace.run { () -> (ChildProcess, UInt64, pid_t) in
            try Self.coverJournal()
            let child = try ChildProcess([exe, "600"])
            try Poll.require(timeout: .seconds(10)) { child.comm().description.hasPrefix("pw-gone") }
            unlink(exe)
            let (daemon, since) = try launch.start(journal: "yes", environment: ["NOTIFY_SOCKET": notify.path])
            try Poll.require(timeout: .seconds(60)) { daemon.stderr.contains("PROCWARDEN_EXE=\(exe)\n") }
            // systemctl status says so while alerts wait.
            let waiting = notify.wait(timeout: .seconds(10)) { messages in
                messages.contains { $0.value("STATUS")?.contains("alerts waiting for journald") == true }
            }
            guard waiting.contains(where: { $0.value("STATUS")?.contains("alerts waiting for journald") == true })
            else { throw TestFailure("no STATUS= about waiting alerts: \(waiting)") }
            child.stop()
            usleep(1_500_000)
            guard umount2(Self.directory, 0) == 0 else { throw SystemError("umount \(Self.directory)") }
            return (daemon, since, child.pid)
        }
        defer { daemon.stop() }

        // _PID: other procwardend processes on the machine may report the same file.
        let records = try Journald.entries(
            matching: ["PROCWARDEN_EXE=\(exe)", "_PID=\(daemon.pid)"], since: since, timeout: .seconds(30)
        ) { !$0.isEmpty }
        try #require(records.count == 1, "\(records.count) entries; stderr: \(daemon.stderr)")
        let record = records[0]
        #expect(record.single("PROCWARDEN_RULE") == "integrity.disk_mismatch")
        #expect(record.single("PROCWARDEN_PID") == ByteString(String(childPid)))
        let raised = try #require(record.single("PROCWARDEN_RAISED_REALTIME")?.utf8String.flatMap { UInt64($0) })
        let stored = try #require(record.realtime)
        #expect(raised + 1_000_000 < stored, "raised \(raised), stored \(stored)")
        #expect(record["OBJECT_PID"].isEmpty, "OBJECT_PID of a pid that names no process now")
        let late = try Journald.entries(
            matching: ["MESSAGE_ID=\(OperationalMessage.deliveredLate.messageID)", "_PID=\(daemon.pid)"], since: since
        ) { !$0.isEmpty }
        try #require(late.count == 1)
        #expect(late[0].single("PRIORITY") == "5")
        let count = late[0].single("PROCWARDEN_DELIVERED_LATE")?.utf8String.flatMap { Int($0) } ?? 0
        #expect(count >= 1)
    }

    /// A restart while alerts wait for journald: the state carries them
    /// (with their processes' start times), the next daemon delivers each
    /// exactly once, and OBJECT_PID is kept for processes that still run.
    @Test func alertsWaitingAtShutdownAreDeliveredOnceAfterARestart() throws {
        let scratch = try ScratchDirectory("journal-restart", mode: 0o700)
        let tag = UInt32.random(in: 0...UInt32.max)
        let exes = (0..<3).map { scratch("pw-wait-\(tag)-\($0)") }
        for exe in exes { try #require(try ToolRun.run(["cp", "/usr/bin/sleep", exe]).succeeded) }
        let children = try exes.map { try ChildProcess([$0, "600"]) }
        try Poll.require(timeout: .seconds(10)) { children.allSatisfy { $0.comm().description.hasPrefix("pw-wait") } }
        for exe in exes { unlink(exe) }
        let launch = try Procwardend(in: scratch, config: Self.configuration)

        let before = WallClock.microseconds()
        let (code, firstStderr, firstPid) = try PrivateMountNamespace.run { () -> (Int32?, String, pid_t) in
            try Self.coverJournal()
            let (daemon, _) = try launch.start(journal: "yes")
            try Poll.require(timeout: .seconds(60)) {
                exes.allSatisfy { daemon.stderr.contains("PROCWARDEN_EXE=\($0)\n") }
            }
            daemon.signal(SIGTERM)
            return (daemon.waitForExit(timeout: .seconds(10)), daemon.stderr, daemon.pid)
        }
        #expect(code == 0, "\(firstStderr)")
        let waiting = try Self.state(launch.stateDirectory).queue
        let ours = waiting.alerts.filter { $0[.exe].map { exes.contains($0.description) } ?? false }
        #expect(Set(ours.compactMap { $0[.exe]?.description }) == Set(exes))
        #expect(waiting.held == waiting.alerts.count, "all held for journald, none for the rate limit")
        #expect(ours.allSatisfy { $0.processStartTime != nil })

        let (daemon, since) = try launch.start(journal: "yes")
        defer { daemon.stop() }
        for (exe, child) in zip(exes, children) {
            let records = try Journald.entries(
                matching: ["PROCWARDEN_EXE=\(exe)", "_PID=\(daemon.pid)"], since: since, timeout: .seconds(30)
            ) { !$0.isEmpty }
            #expect(records.count == 1, "\(exe): \(records.count) entries")
            #expect(records.first?["OBJECT_PID"] == [ByteString(String(child.pid))], "the same process still runs")
        }
        // Two more scans: nothing is sent again.
        usleep(2_500_000)
        for exe in exes {
            // Both daemons' entries: the first one's never reached journald.
            let again = try Journald.entries(
                matching: ["PROCWARDEN_EXE=\(exe)", "SYSLOG_IDENTIFIER=procwardend"], since: before, timeout: .zero
            ) { _ in true }
            let senders = again.compactMap { $0.single("_PID")?.description }
            #expect(senders.filter { $0 == String(daemon.pid) }.count == 1, "\(exe)")
            #expect(!senders.contains(String(firstPid)), "\(exe)")
        }
    }

    /// Covers /run/systemd/journal with an empty tmpfs, in the calling
    /// thread's mount namespace.
    static func coverJournal() throws {
        guard mount("tmpfs", directory, "tmpfs", 0, "mode=0755,size=64k") == 0 else {
            throw SystemError("mount tmpfs on \(directory)")
        }
    }

    static func state(_ directory: String) throws -> MonitorState {
        guard let bytes = try DurableFile.read(directory + "/" + StateStore.fileName, limit: 1 << 26) else {
            throw TestFailure("no state file in \(directory)")
        }
        return try JSONDecoder().decode(MonitorState.self, from: Data(bytes))
    }
}
