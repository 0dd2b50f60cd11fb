import Foundation
import Glibc
import ProcWardenKit
import ProcWardenTestSupport
import Testing

@testable import procwardenctl

/// The global rate limit end to end, with the real daemon and journald: 300
/// distinct alerts at once, `RateLimitBurst=100` per 2-second window, and a
/// restart while alerts are still deferred.
@Suite(.serialized) struct RateLimitJournalTests {
    static let count = 300
    static let burst = 100
    static let suppressedID = "b60f2af80cbf468eacdfbaeff74617ae"
    static let scanCompletedID = "5f1e5cf51ee64e26b44f1b6444ed69ba"

    init() throws { try Journald.ensureRunning() }

    /// Every entry daemon `pid`, started after `since`, sent; oldest first.
    static func entries(of pid: pid_t, since: UInt64) throws -> [JournalRecord] {
        try AlertJournal.records(["_PID=\(pid)"], since: since, timeout: .zero)
    }

    /// The alerts among `records` about executables under `prefix`.
    static func alerts(_ records: [JournalRecord], under prefix: String) -> [JournalRecord] {
        records.filter { $0.single("PROCWARDEN_EXE")?.hasPrefix(ByteString(prefix)) == true }
    }

    /// The alerts under `prefix` between consecutive suppressed entries, and
    /// each suppressed entry's PROCWARDEN_SUPPRESSED, for failure messages.
    static func windows(_ stream: [JournalRecord], under prefix: String) -> [(
        alerts: Int, suppressed: String, at: UInt64
    )] {
        var windows: [(alerts: Int, suppressed: String, at: UInt64)] = [(0, "", 0)]
        for entry in stream {
            if entry.single("MESSAGE_ID") == ByteString(suppressedID) {
                windows.append(
                    (0, entry.single("PROCWARDEN_SUPPRESSED")?.description ?? "?", AlertJournal.timestamp(entry) / 1000)
                )
            }
            if entry.single("PROCWARDEN_EXE")?.hasPrefix(ByteString(prefix)) == true {
                windows[windows.count - 1].alerts += 1
            }
        }
        return windows
    }

    @Test func burstIsDeliveredWindowByWindowAndSurvivesARestart() throws {
        let scratch = try ScratchDirectory("alert")
        let prefix = scratch.path + "/"
        let config = scratch("procwarden.conf")
        try AlertConfig.write(
            to: config, watching: prefix, scan: ["IntervalSec=3600"],
            alerts: ["RateLimitBurst=\(Self.burst)", "RateLimitIntervalSec=2"])
        // 300 distinct small images (a distinct trailing number each), each
        // run by one process and deleted once it runs.
        let source = try TestFile.read("/usr/bin/sleep")
        var targets: [ByteString: ChildProcess] = [:]
        for i in 0..<Self.count {
            let name = String(format: "rl%03d", i)
            let exe = ByteString(scratch(name))
            try TestFile.write(source + Array("\n\(i)".utf8), to: exe)
            targets[exe] = try ChildProcess(exe, [ByteString(name), "600"])
            try TestFile.unlink(exe)
        }
        let pidOf = targets.mapValues(\.pid)

        // First daemon: stop it with SIGTERM once the first window's burst is in.
        let started = WallClock.microseconds()
        let first = try Procwardend(in: scratch).start().process
        let firstBurst = Poll.eventually(timeout: .seconds(30)) {
            (try? Self.alerts(Self.entries(of: first.pid, since: started), under: prefix).count) ?? 0 >= Self.burst
        }
        first.signal(SIGTERM)
        #expect(first.waitForExit(timeout: .seconds(5)) == 0, "stderr: \(first.stderr)")
        try #require(firstBurst, "the first window's alerts never arrived; stderr: \(first.stderr)")

        let firstEntries = try Self.entries(of: first.pid, since: started)
        // The first window ends with its suppressed entry: the alerts before
        // it are exactly the burst, however long the machine took to send them.
        let firstWindow = Self.windows(firstEntries, under: prefix)
        #expect(
            firstWindow.count >= 2 && firstWindow[0].alerts == Self.burst,
            "the first window delivers exactly the burst, then its suppressed entry: \(firstWindow)")
        let report = try #require(
            firstEntries.first { $0.single("MESSAGE_ID") == ByteString(Self.suppressedID) },
            "no suppressed entry from the first daemon")
        #expect(report.single("PRIORITY") == "4")
        #expect(report.single("PROCWARDEN_SUPPRESSED") == "200")
        #expect(report.single("PROCWARDEN_DEFERRED") == "200")
        #expect(report.single("PROCWARDEN_DROPPED") == "0")
        #expect(report.single("PROCWARDEN_SUPPRESSED_INTEGRITY_DISK_MISMATCH") == "200")
        #expect(report.single("PROCWARDEN_QUEUED") == "200")
        let delivered = Self.alerts(firstEntries, under: prefix).count
        #expect(delivered < Self.count, "the daemon was stopped while alerts were still deferred")

        // Second daemon over the same state: the queue carries on; the
        // conditions, seen again by its first scan, are duplicates.
        let second = try Procwardend(in: scratch).start().process
        let allIn = Poll.eventually(timeout: .seconds(30)) {
            (try? Self.alerts(Self.entries(of: second.pid, since: started), under: prefix).count) ?? 0 >= Self.count
                - delivered
        }
        second.signal(SIGTERM)
        #expect(second.waitForExit(timeout: .seconds(5)) == 0, "stderr: \(second.stderr)")
        try #require(allIn, "deferred alerts were lost across the restart; stderr: \(second.stderr)")

        let secondEntries = try Self.entries(of: second.pid, since: started)
        let scans = secondEntries.filter { $0.single("MESSAGE_ID") == ByteString(Self.scanCompletedID) }
        #expect(scans.first?.single("PROCWARDEN_SUPPRESSED") == "0", "the restarted daemon's scan deferred nothing new")
        // A suppressed entry ends its window, so it comes before the alerts
        // the next window releases: between two of them, at most one burst.
        for stream in [firstEntries, secondEntries] {
            let windows = Self.windows(stream, under: prefix)
            #expect(
                windows.allSatisfy { $0.alerts <= Self.burst },
                "suppressed entries must close their window; alerts between them: \(windows)")
        }

        let alerts = Self.alerts(firstEntries + secondEntries, under: prefix)
        #expect(alerts.count == Self.count, "each alert exactly once")
        #expect(Set(alerts.compactMap { $0.single("PROCWARDEN_DEDUP_KEY") }).count == Self.count)
        #expect(Set(alerts.compactMap { $0.single("PROCWARDEN_EXE") }) == Set(targets.keys))
        // Delivered late, but with the facts of when they were raised.
        for alert in alerts {
            let exe = try #require(alert.single("PROCWARDEN_EXE"))
            #expect(alert.single("PROCWARDEN_PID") == ByteString(String(pidOf[exe] ?? -1)), "\(exe)")
            #expect(alert.single("PROCWARDEN_RULE") == "integrity.disk_mismatch")
        }
        // Nothing is left waiting in the persisted queue.
        let state = try JSONSerialization.jsonObject(with: Data(TestFile.read(ByteString(scratch("state/state.json")))))
        let queue = ((state as? [String: Any])?["queue"] as? [String: Any])?["alerts"] as? [Any]
        #expect(queue?.count == 0)
    }
}
